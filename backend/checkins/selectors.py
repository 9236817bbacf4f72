"""Reads of the check-ins app: what is due, what is overdue, a volunteer's check-ins."""

import datetime

from django.db.models import F, Func, IntegerField, Min, Q, QuerySet, Value
from django.db.models.fields import DateField

from backend.accounts.selectors import user_region_scope
from backend.checkins.models import CheckIn, DueState
from pairing.models import Pairing


class _DaysBetween(Func):
    """``later - earlier`` in whole days (PostgreSQL date minus date is an integer)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()


def pairings_overdue(*, today: datetime.date) -> QuerySet[Pairing]:
    """Return the active pairings with at least one contact rule or care date overdue on ``today``.

    Unscoped (the caller filters by region). One query; each row carries ``overdue_since``
    (the oldest unmet due date) and ``overdue_days``.
    """
    open_overdue = Q(due_states__next_due_on__lt=today, due_states__satisfied_on__isnull=True)
    return (
        Pairing.objects.filter(status=Pairing.Status.ACTIVE)
        .annotate(overdue_since=Min("due_states__next_due_on", filter=open_overdue))
        .filter(overdue_since__isnull=False)
        .annotate(overdue_days=_DaysBetween(Value(today, output_field=DateField()), F("overdue_since")))
    )


def due_states_for_volunteer(*, volunteer, today: datetime.date) -> QuerySet[DueState]:
    """Return what the volunteer owes her current children, soonest first."""
    return (
        DueState.objects.filter(
            Q(pairing__volunteer=volunteer) | Q(pairing__team__isnull=False, pairing__team_id=volunteer.team_id),
            pairing__status=Pairing.Status.ACTIVE,
            satisfied_on__isnull=True,
        )
        .select_related("pairing__child", "rule", "event")
        .order_by("next_due_on", "pairing_id", "id")
    )


def checkin_list(*, user) -> QuerySet[CheckIn]:
    """Return the check-ins the user may see: her own as a volunteer, her area's as staff."""
    if user is None or not user.is_authenticated or not user.is_active:
        return CheckIn.objects.none()
    if user.is_volunteer:
        return CheckIn.objects.filter(volunteer__user=user)
    if user.is_federation_staff or user.is_superuser:
        children_q = user_region_scope(user).q("child_links__child__village_id")
        return CheckIn.objects.filter(children_q).distinct()
    return CheckIn.objects.none()
