"""Reads of the check-ins app: what is due, what is overdue, a volunteer's check-ins."""

import datetime

from django.db.models import Count, F, Func, IntegerField, Min, Q, QuerySet, Sum, Value
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


def checkins_of_volunteer(*, volunteer, child=None) -> QuerySet[CheckIn]:
    """Return the volunteer's own check-ins (for one child if given), newest first, with their children."""
    qs = CheckIn.objects.filter(volunteer=volunteer)
    if child is not None:
        qs = qs.filter(child_links__child=child)
    return qs.prefetch_related("child_links__child").order_by("-occurred_on", "-id")


VISIT_KINDS = (CheckIn.Kind.HOME_VISIT, CheckIn.Kind.SCHOOL_VISIT)
CALL_KINDS = (CheckIn.Kind.PHONE_CALL, CheckIn.Kind.VIDEO_CALL)


def volunteer_record(*, volunteer, today: datetime.date) -> dict:
    """Return her own record: hours of care this month and this year, and this year's visits and calls.

    Hours come from the minutes she logged (check-ins without minutes count as visits or
    calls but add no hours).
    """
    month = Q(occurred_on__gte=today.replace(day=1), occurred_on__lte=today)
    year = Q(occurred_on__gte=today.replace(month=1, day=1), occurred_on__lte=today)
    figures = CheckIn.objects.filter(volunteer=volunteer).aggregate(
        month_minutes=Sum("duration_minutes", filter=month, default=0),
        year_minutes=Sum("duration_minutes", filter=year, default=0),
        year_visits=Count("id", filter=year & Q(kind__in=VISIT_KINDS)),
        year_calls=Count("id", filter=year & Q(kind__in=CALL_KINDS)),
        year_all=Count("id", filter=year),
    )
    return {
        "month_hours": round(figures["month_minutes"] / 60, 1),
        "year_hours": round(figures["year_minutes"] / 60, 1),
        "year_visits": figures["year_visits"],
        "year_calls": figures["year_calls"],
        "year_all": figures["year_all"],
    }


def child_contact_for_volunteer(*, user, child) -> dict:
    """Return how the volunteer may reach a child's family, as the programme allows.

    The guardian's phone only where the programme says so (``volunteer_sees_guardian_phone``);
    otherwise the village's child directors (儿童主任), who put her in touch.
    """
    from backend.accounts.models import User
    from backend.children.selectors import programme_of_pairing_with

    programme = programme_of_pairing_with(user=user, child=child)
    if programme is not None and programme.volunteer_sees_guardian_phone and child.guardian_phone:
        return {
            "guardian": True,
            "name": child.guardian_name,
            "relation": child.get_guardian_relation_display(),
            "phone": child.guardian_phone,
        }
    directors = User.objects.filter(role=User.Role.CHILD_DIRECTOR, is_active=True, villages=child.village_id)
    return {
        "guardian": False,
        "directors": [
            {"name": str(d), "phone": d.phone or ""} for d in directors.order_by("display_name", "id").distinct()
        ],
    }


def children_formerly_paired_with(*, volunteer, ids) -> list:
    """Return the children among ``ids`` once paired with this volunteer (or her team), no longer now.

    Her own former children only: an entry she made offline before staff re-paired a child is
    then refused by ``checkin_create`` in words ("已不再与您结对"), not as an unknown child.
    """
    from backend.children.models import Child

    earlier = Q(volunteer=volunteer)
    if volunteer.team_id:
        earlier |= Q(team_id=volunteer.team_id)
    ended = Pairing.objects.filter(earlier, child_id__in=ids).exclude(status=Pairing.Status.ACTIVE)
    return list(Child.objects.filter(pk__in=ended.values("child_id")))
