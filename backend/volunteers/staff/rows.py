"""Rows of the workspace's lists in words: labels, not codes; names, not ids."""

from backend.volunteers import selectors
from backend.volunteers.models import Application, Availability, Decision, Gender, Skill, Volunteer

FLAG_LABELS = {
    "duplicate": "重复报名",
    "age_outside_range": "年龄不符",
    "outside_area": "不在招募范围",
}


def _zh(label) -> str:
    return str(label).split(" / ")[0]


def labels_of(choices, codes) -> str:
    """Return a list of choice codes as their Chinese labels joined with "、" ("—" if none)."""
    table = {value: _zh(label) for value, label in choices}
    return "、".join(table.get(c, c) for c in codes or []) or "—"


def application_rows(applications) -> list[dict]:
    """Return each application with what its list row shows, in words."""
    status = {v: _zh(lbl) for v, lbl in Application.Status.choices}
    rows = []
    for a in applications:
        rows.append(
            {
                "application": a,
                "village": a.village.full_name or a.village.name,
                "village_short": a.village.name,
                "unit": a.caring_unit.name if a.caring_unit_id else "—",
                "skills": labels_of(Skill.choices, a.skills),
                "availability": labels_of(Availability.choices, a.availability),
                "status": status.get(a.status, a.status),
                "gender": _zh(dict(Gender.choices).get(a.gender, "")),
                "checklist_complete": getattr(a, "checklist_complete", None),
                "flags": [FLAG_LABELS[f] for f in selectors.application_flags(application=a)],
            }
        )
    return rows


def volunteer_rows(volunteers) -> list[dict]:
    """Return each volunteer with what her list row shows, in words."""
    status = {v: _zh(lbl) for v, lbl in Volunteer.Status.choices}
    reasons = {v: _zh(lbl) for v, lbl in Volunteer.ExitReason.choices}
    return [
        {
            "volunteer": v,
            "village": v.village.name,
            "unit": v.caring_unit.name if v.caring_unit_id else "—",
            "team": v.team.name if v.team_id else "—",
            "skills": labels_of(Skill.choices, v.skills),
            "availability": labels_of(Availability.choices, v.availability),
            "status": status.get(v.status, v.status),
            "status_reason": reasons.get(v.status_reason, ""),
            "load": getattr(v, "load", None),
        }
        for v in volunteers
    ]


def decision_rows(decisions) -> list[tuple[Decision, str]]:
    """Return each decision with its action in words."""
    actions = {v: _zh(lbl) for v, lbl in Decision.Action.choices}
    return [(d, actions.get(d.action, d.action)) for d in decisions]


def status_change_rows(changes) -> list[dict]:
    """Return each status change of a volunteer in words."""
    status = {v: _zh(lbl) for v, lbl in Volunteer.Status.choices}
    reasons = {v: _zh(lbl) for v, lbl in Volunteer.ExitReason.choices}
    return [
        {
            "change": c,
            "from": status.get(c.from_status, c.from_status),
            "to": status.get(c.to_status, c.to_status),
            "reason": reasons.get(c.reason, ""),
        }
        for c in changes
    ]
