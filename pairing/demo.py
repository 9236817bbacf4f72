"""Demo pairing: 沁水县 paired and approved, then re-paired after endings; 泽州县 proposals awaiting review.

沁水县 shows what an end reason does: one pairing ended because the family declined
("not again": never proposed again), one because the child changed school (may resume:
re-proposed with "延续原结对"), one paused. 泽州县 has fewer volunteers than children, so its
proposals and its unmatched list show the priorities ("困境儿童优先", "已等待 N 天").
Three proposals in 龙港镇 are left waiting for the workspace.
"""

from backend.regions.models import Region
from pairing.models import Pairing, PairingRun
from pairing.selectors import pairing_instance
from pairing.services import (
    pairing_end,
    pairing_pause,
    pairing_run_execute,
    pairing_run_start,
    proposals_approve_bulk,
)

LEFT_WAITING_IN = "140521100"  # 龙港镇


def _run(user, programme, code: str) -> PairingRun:
    run = pairing_run_start(user=user, programme=programme, region=Region.objects.get(code=code))
    # Solved here rather than on the worker, so that `make run` starts with the result.
    return pairing_run_execute(run_id=run.pk)


def seed(context) -> None:
    programme = context.objects["programme"]
    if PairingRun.objects.filter(programme=programme).exists():
        return
    qinshui = context.objects["user:qinshui"]
    zezhou = context.objects["user:zezhou"]

    run = _run(qinshui, programme, "140521")
    proposals = list(run.proposals.order_by("id"))
    # Three proposals in 龙港镇 are left waiting: something to approve, reject or change in the workspace.
    left = [p for p in proposals if p.child.village_id.startswith(LEFT_WAITING_IN)][-3:]
    result = proposals_approve_bulk(proposals=[p for p in proposals if p not in left], user=qinshui)
    pairings = list(Pairing.objects.filter(proposal__run=run).order_by("id"))
    again = None
    if len(pairings) > 2:
        # The family that declines is the one of the child with the lowest priority, and the
        # school change ends the pairing of the child with the highest: the re-pairing run then
        # surely covers her again, with her own volunteer ("延续原结对"), and the declined
        # volunteer goes to someone else.
        instance = pairing_instance(programme=programme, region_code="140521")
        priority = {b.id: b.priority for b in instance.beneficiaries}
        ranked = sorted(pairings, key=lambda p: (priority.get(p.child_id, 0), p.pk))
        declined, school = ranked[0], ranked[-1]
        paused = next(p for p in ranked[1:-1] if p.volunteer_id not in (declined.volunteer_id, school.volunteer_id))
        pairing_end(pairing=declined, user=qinshui, reason=Pairing.EndReason.FAMILY_DECLINED, note="祖母希望由亲戚照看")
        pairing_end(
            pairing=school, user=qinshui, reason=Pairing.EndReason.SCHOOL_CHANGED, note="孩子升入初中，开学后再续"
        )
        pairing_pause(pairing=paused, user=qinshui, note="爱心妈妈住院治疗，暂停三个月")
        again = _run(qinshui, programme, "140521")

    waiting = _run(zezhou, programme, "140525")
    resumed = sum(any("延续原结对" in r for r in p.reasons) for p in again.proposals.all()) if again else 0
    context.notes.append(
        f"结对演示 / pairing demo: 沁水县 {len(result['approved'])} pairings approved, {len(left)} proposals waiting, "
        f"re-pairing run #{again.pk if again else '-'} ({resumed} proposal(s) 延续原结对); "
        f"泽州县 {waiting.proposals.count()} proposals awaiting review, "
        f"{waiting.unmatched.count()} children unmatched with reasons (run #{waiting.pk})"
    )
