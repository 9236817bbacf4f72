"""The to-do home (待办): counts and first rows, oldest first, of what needs the signed-in user.

Everything is read through the region-scoping selectors; the dashboard's list selectors
give the lapsed pairings, the children without a volunteer and the volunteers silent longest.
Each row carries the URL of the page where she acts: a workspace page where one exists (by URL
name), otherwise the admin's page for now.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from backend.accounts.models import User
from backend.accounts.selectors import user_region_scope
from backend.children.models import Concern, ImportJob
from backend.children.selectors import import_job_list_for
from backend.children.staff.selectors import staff_concerns
from backend.regions.models import Region
from backend.workspace.access import workspace_is_federation

FIRST_ROWS = 5
# An application waiting longer than this is overdue for review.
REVIEW_DAYS = 7


def _link(name: str, pk, fallback: str) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return fallback


def _section(count: int, rows: list[dict], more: str = "") -> dict:
    return {"count": count, "rows": rows, "more": more}


def _reverse_or(name: str, fallback: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return fallback


def _applications(*, user, now: datetime.datetime) -> dict:
    from backend.volunteers.models import Application

    waiting = Application.objects.filter(
        user_region_scope(user).q("village_id"),
        status__in=[Application.Status.PENDING, Application.Status.MORE_INFO],
    )
    overdue_before = now - datetime.timedelta(days=REVIEW_DAYS)
    rows = [
        {
            "id": a["id"],
            "title": a["name"],
            "village": a["village__name"],
            "since": a["created_at"],
            "overdue": a["created_at"] < overdue_before,
            "status": Application.Status(a["status"]).label,
            "url": _link("applications_staff:detail", a["id"], f"/admin/volunteers/application/{a['id']}/change/"),
        }
        for a in waiting.order_by("created_at", "id").values("id", "name", "village__name", "created_at", "status")[
            :FIRST_ROWS
        ]
    ]
    counts = waiting.aggregate(total=Count("pk"), overdue=Count("pk", filter=Q(created_at__lt=overdue_before)))
    section = _section(counts["total"], rows, _reverse_or("applications_staff:list", "/admin/volunteers/application/"))
    section["overdue"] = counts["overdue"]
    return section


def _approval_level(user) -> int | None:
    if user.is_superuser or not user.home_region_id:
        return None
    return Region.level_of(user.home_region_id)


def _waiting_for_level(qs, level: int):
    """Narrow proposals to those waiting for ``level``: the programme asks for no levels, or asks for
    hers, she has not approved, and every lower level it asks for has (lower levels approve first)."""
    from pairing.models import ProposalApproval

    def approved_at(lv: int):
        return Exists(ProposalApproval.objects.filter(proposal=OuterRef("pk"), level=lv))

    waiting = Q(pk__in=[])
    # One row per programme in reach (a handful): its levels say which lower approvals must exist.
    for programme_id, levels in qs.values_list("run__programme_id", "run__programme__approval_levels").distinct():
        levels = set(levels or [])
        if not levels:
            waiting |= Q(run__programme_id=programme_id)
        elif level in levels:
            clause = Q(run__programme_id=programme_id) & ~approved_at(level)
            for lower in sorted(lv for lv in levels if lv > level):
                clause &= approved_at(lower)
            waiting |= clause
    return qs.filter(waiting)


def _proposals(*, user) -> dict:
    from pairing.models import Proposal

    qs = Proposal.objects.filter(user_region_scope(user).q("child__village_id"), status=Proposal.Status.PROPOSED)
    level = _approval_level(user)
    if level is not None:
        qs = _waiting_for_level(qs, level)
    rows = [
        {
            "id": p.pk,
            "title": f"{p.child.full_name} ← {p.volunteer.name if p.volunteer_id else (p.team.name if p.team_id else '')}",
            "village": p.child.village.name,
            "since": p.created_at,
            "url": _link("pairing_staff:proposal", p.pk, f"/admin/pairing/proposal/{p.pk}/change/"),
        }
        for p in qs.order_by("created_at", "id").select_related("child__village", "volunteer", "team")[:FIRST_ROWS]
    ]
    return _section(qs.count(), rows, _reverse_or("pairing_staff:home", "/admin/pairing/proposal/"))


def _concerns(*, user, now: datetime.datetime) -> dict:
    qs = staff_concerns(user=user, filters={"status": Concern.Status.OPEN})
    rows = [
        {
            "id": c.pk,
            "title": f"{c.reference} · {c.get_category_display()}",
            "child": c.child.full_name,
            "village": c.child.village.name,
            "severity": c.get_severity_display(),
            "severity_code": c.severity,
            "since": c.created_at,
            "hours": int((now - c.created_at).total_seconds() // 3600),
            "overdue": c.is_overdue(now),
            "url": reverse("concerns_staff:detail", args=[c.pk]),
        }
        for c in qs[:FIRST_ROWS]
    ]
    # Both counts in one pass over the open concerns.
    counts = qs.order_by().aggregate(total=Count("pk"), urgent=Count("pk", filter=Q(severity=Concern.Severity.URGENT)))
    section = _section(counts["total"], rows, reverse("concerns_staff:list"))
    section["urgent"] = counts["urgent"]
    return section


def _dashboard_regions(user) -> list[Region | None]:
    if user.is_superuser:
        return [None]
    if user.role == User.Role.STAFF:
        return [Region.objects.get(code=user.home_region_id)]
    return list(Region.objects.filter(user_region_scope(user).q("code"), level=Region.Level.VILLAGE))


def _dashboard_lists(*, user, today: datetime.date) -> dict:
    from backend.dashboard.selectors import dashboard_lists

    merged: dict[str, dict] = {}
    for region in _dashboard_regions(user):
        for kind, value in dashboard_lists(region=region, today=today, limit=FIRST_ROWS).items():
            slot = merged.setdefault(kind, {"count": 0, "rows": []})
            slot["count"] += value["count"]
            slot["rows"].extend(value["rows"])
    for slot in merged.values():
        slot["rows"] = slot["rows"][:FIRST_ROWS]
    for row in merged.get("unpaired", {}).get("rows", []):
        row["url"] = reverse("children_staff:file", args=[row["id"]])
    for row in merged.get("lapsed_pairings", {}).get("rows", []):
        row["url"] = _link("pairing_staff:pairing", row["id"], f"/admin/pairing/pairing/{row['id']}/change/")
    for row in merged.get("lapsed_volunteers", {}).get("rows", []):
        row["url"] = _link("volunteers_staff:detail", row["id"], f"/admin/volunteers/volunteer/{row['id']}/change/")
    return merged


def _imports(*, user) -> dict:
    qs = import_job_list_for(user=user).filter(
        Q(
            status__in=[
                ImportJob.Status.PENDING,
                ImportJob.Status.RUNNING,
                ImportJob.Status.REJECTED,
                ImportJob.Status.FAILED,
            ]
        )
    )
    rows = [
        {
            "id": j.pk,
            "title": j.file_name,
            "by": str(j.created_by),
            "since": j.created_at,
            "status": j.get_status_display(),
            "progress": j.progress,
            "errors": j.error_count,
            "url": f"/api/children/imports/{j.pk}/",
        }
        for j in qs.select_related("created_by").order_by("created_at", "id")[:FIRST_ROWS]
    ]
    return _section(qs.count(), rows)


def todo_home(*, user, now: datetime.datetime | None = None) -> dict:
    """Return the to-do sections of the user's home page, each with its count and first rows."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sections = {"concerns": _concerns(user=user, now=now)}
    lists = _dashboard_lists(user=user, today=today)
    sections["unpaired"] = lists.get("unpaired", _section(0, []))
    if workspace_is_federation(user):
        sections["applications"] = _applications(user=user, now=now)
        sections["proposals"] = _proposals(user=user)
        sections["lapsed_pairings"] = lists.get("lapsed_pairings", _section(0, []))
        sections["lapsed_volunteers"] = lists.get("lapsed_volunteers", _section(0, []))
        sections["imports"] = _imports(user=user)
    return sections
