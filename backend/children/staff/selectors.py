"""Reads for the children's pages of the workspace, all through the region-scoping selectors."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from backend.accounts.selectors import user_region_scope
from backend.children.models import Child, Concern
from backend.children.selectors import (
    OPEN_CONCERN_STATUSES,
    child_get_for,
    child_history,
    child_list_with_details,
    concern_list_for,
)
from backend.privacy.idnumbers import id_number_hash
from backend.regions.models import Region


def staff_villages(*, user) -> QuerySet[Region]:
    """Return the villages the user may register children in or filter by."""
    return Region.objects.filter(user_region_scope(user).q("code"), level=Region.Level.VILLAGE).order_by("code")


def staff_children(*, user, filters: dict) -> QuerySet[Child]:
    """Return the children a list shows: her region's, filtered (name or ID, village, category, ...)."""
    qs = child_list_with_details(user=user)
    q = (filters.get("q") or "").strip()
    if q:
        if len(q) in (15, 18) and q[:-1].isdigit():
            qs = qs.filter(id_number_hash=id_number_hash(q))
        else:
            qs = qs.filter(Q(family_name__startswith=q[:1], given_name__startswith=q[1:]) | Q(given_name__contains=q))
    if filters.get("region"):
        qs = qs.filter(village__pk__startswith=filters["region"])
    for field in ("category", "risk_level", "status"):
        if filters.get(field):
            qs = qs.filter(**{field: filters[field]})
    if filters.get("open_concerns"):
        qs = qs.filter(open_concerns__gt=0)
    if filters.get("unpaired"):
        qs = qs.exclude(pairings__status="active")
    return qs.order_by("village_id", "family_name", "given_name", "id")


def staff_child_file(*, user, pk) -> dict | None:
    """Return everything of one child's file she may read, or None (404)."""
    from backend.checkins.models import CheckInChild
    from pairing.models import Pairing

    child = child_get_for(user=user, pk=pk)
    if child is None:
        return None
    pairings = list(
        Pairing.objects.filter(child=child).select_related("volunteer", "team").order_by("-started_on", "-id")
    )
    care = list(
        CheckInChild.objects.filter(child=child)
        .select_related("checkin", "checkin__volunteer")
        .order_by("-occurred_on", "-id")[:30]
    )
    concerns = list(concern_list_for(user=user).filter(child=child).order_by("-created_at", "-id"))
    from backend.activities.selectors import child_activity_history, consultations_of_child

    return {
        "activities_attended": list(child_activity_history(child=child)[:30]),
        "consultations": list(consultations_of_child(child=child)[:30]),
        "child": child,
        "current_pairings": [p for p in pairings if p.status != Pairing.Status.ENDED],
        "past_pairings": [p for p in pairings if p.status == Pairing.Status.ENDED],
        "care": care,
        "concerns": concerns,
        "history": list(child_history(child=child)[:100]),
    }


def staff_concerns(*, user, filters: dict) -> QuerySet[Concern]:
    """Return the concerns a list shows: not closed by default, urgent first, then oldest first."""
    qs = concern_list_for(user=user)
    status = filters.get("status") or ""
    if status == "all":
        pass
    elif status in Concern.Status.values:
        qs = qs.filter(status=status)
    else:
        qs = qs.filter(status__in=OPEN_CONCERN_STATUSES)
    if filters.get("severity"):
        qs = qs.filter(severity=filters["severity"])
    if filters.get("region"):
        qs = qs.filter(child__village__pk__startswith=filters["region"])
    urgent_first = Case(
        When(severity=Concern.Severity.URGENT, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    open_first = Case(When(status=Concern.Status.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())
    return qs.order_by(open_first, urgent_first, "created_at", "id")


def staff_concern(*, user, pk) -> Concern | None:
    """Return one concern she may read with its steps, or None (404)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return concern_list_for(user=user).prefetch_related("steps", "steps__by", "steps__region").filter(pk=pk).first()
