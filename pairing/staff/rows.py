"""Rows of the workspace's pairing lists in words: names, labels, reasons; never an id as a title."""

from django.utils.translation import gettext

from backend.regions.models import Region
from pairing import selectors
from pairing.models import Pairing, Proposal


def helper_name(obj) -> str:
    """Return who cares: the volunteer's name and village, or the team's name."""
    if obj.volunteer_id:
        return f"{obj.volunteer.name}（{obj.volunteer.village.name}）"
    return f"关爱小分队：{obj.team.name}" if obj.team_id else "—"


def proposal_rows(proposals, *, user) -> list[dict]:
    """Return each proposal with its reasons, score explained and where it waits, in words."""
    status = dict(Proposal.Status.choices)
    level = None if user.is_superuser or not user.home_region_id else Region.level_of(user.home_region_id)
    rows = []
    for p in proposals:
        chain = selectors.proposal_chain(proposal=p)
        waiting = next((r for r in chain if r["waiting"]), None)
        reasons = selectors.reason_words(p.reasons)
        rows.append(
            {
                "proposal": p,
                "child": p.child.full_name,
                "village": p.child.village.name,
                "helper": helper_name(p),
                "reasons": reasons or "—",
                "score_words": (
                    gettext("匹配分%(score)s：%(reasons)s") % {"score": p.score, "reasons": reasons}
                    if reasons
                    else gettext("匹配分%(score)s") % {"score": p.score}
                ),
                "status": status.get(p.status, p.status),
                "chain": chain,
                "waiting": str(waiting["label"]) if waiting else ("—" if chain else ""),
                # Whether this user can act on it now: no chain (any staff) or it waits for her level.
                "mine": p.status == Proposal.Status.PROPOSED
                and (not chain or user.is_superuser or (waiting is not None and waiting["level"] == level)),
            }
        )
    return rows


def pairing_rows(pairings) -> list[dict]:
    """Return each pairing with its child, helper, status and end reason in words."""
    status = dict(Pairing.Status.choices)
    reasons = dict(Pairing.EndReason.choices)
    return [
        {
            "pairing": p,
            "child": p.child.full_name,
            "village": p.child.village.name,
            "helper": helper_name(p),
            "status": status.get(p.status, p.status),
            "end_reason": reasons.get(p.end_reason, ""),
        }
        for p in pairings
    ]
