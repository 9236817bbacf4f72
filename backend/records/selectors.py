"""Reads of the service record, scoped to what the user may see; the totals count approved hours only."""

import datetime

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from backend.accounts.selectors import scoped_queryset, user_region_scope
from backend.checkins.models import CheckIn, CheckInChild
from backend.records.models import Certificate, Evaluation, Issuer, Nomination, ServiceEntry, TrainingRecord
from backend.volunteers.models import Volunteer

LAPSE_MONTHS_LOOKED_AT = 24


def is_records_staff(user) -> bool:
    """Return whether the user works on service records: federation staff and superusers."""
    return bool(user and user.is_authenticated and user.is_active and (user.is_superuser or user.is_federation_staff))


def _is_volunteer(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_volunteer)


def entry_list(
    *,
    user,
    volunteer: Volunteer | int | None = None,
    status: str | None = None,
    source: str | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> QuerySet[ServiceEntry]:
    """Return the service entries the user may see (her own for a volunteer), newest first.

    ``start``/``end`` bound the day of service (both inclusive).
    """
    if _is_volunteer(user):
        qs = ServiceEntry.objects.filter(volunteer__user=user)
    elif is_records_staff(user):
        qs = scoped_queryset(user, ServiceEntry)
    else:
        return ServiceEntry.objects.none()
    if volunteer is not None:
        qs = qs.filter(volunteer=volunteer)
    if status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    if start is not None:
        qs = qs.filter(served_on__gte=start)
    if end is not None:
        qs = qs.filter(served_on__lte=end)
    return qs.select_related("volunteer", "approved_by", "entered_by").order_by("-served_on", "-id")


def entry_get(*, user, pk: int) -> ServiceEntry | None:
    return entry_list(user=user).filter(pk=pk).first()


def entry_totals(*, entries: QuerySet[ServiceEntry]) -> dict:
    """Return the figures of a set of entries: approved hours (the only ones that count) and what waits."""
    figures = entries.order_by().aggregate(
        n=Count("pk"),
        approved=Sum("minutes", filter=Q(status=ServiceEntry.Status.APPROVED)),
        pending_n=Count("pk", filter=Q(status=ServiceEntry.Status.PENDING)),
        pending=Sum("minutes", filter=Q(status=ServiceEntry.Status.PENDING)),
    )
    return {
        "entries": figures["n"],
        "approved_hours": round((figures["approved"] or 0) / 60, 1),
        "pending_entries": figures["pending_n"],
        "pending_hours": round((figures["pending"] or 0) / 60, 1),
    }


def record_volunteer_get(*, user, pk: int) -> Volunteer | None:
    """Return the volunteer whose record the user may read: one of a staff member's region, or her own."""
    if _is_volunteer(user):
        return Volunteer.objects.filter(user=user, pk=pk).select_related("village", "programme", "caring_unit").first()
    if is_records_staff(user):
        return (
            scoped_queryset(user, Volunteer).filter(pk=pk).select_related("village", "programme", "caring_unit").first()
        )
    return None


def approved_minutes(
    *, volunteer: Volunteer, start: datetime.date | None = None, end: datetime.date | None = None
) -> int:
    """Return her approved minutes (in a period, if given): the only minutes that count."""
    qs = ServiceEntry.objects.filter(volunteer=volunteer, status=ServiceEntry.Status.APPROVED)
    if start is not None:
        qs = qs.filter(served_on__gte=start)
    if end is not None:
        qs = qs.filter(served_on__lte=end)
    return qs.aggregate(m=Sum("minutes"))["m"] or 0


def content_summary(*, volunteer: Volunteer, start: datetime.date, end: datetime.date) -> str:
    """Return the approved service of a period in words: "入户走访12次、电话联系30次"."""
    rows = (
        ServiceEntry.objects.filter(
            volunteer=volunteer, status=ServiceEntry.Status.APPROVED, served_on__gte=start, served_on__lte=end
        )
        .values("content")
        .annotate(n=Count("pk"))
        .order_by("-n", "content")
    )
    return "、".join(f"{r['content']}{r['n']}次" for r in rows[:8])


def months_without_lapse(*, volunteer: Volunteer, today: datetime.date) -> int:
    """Return how many months in a row, back from last month, each had at least one check-in.

    This month counts too once it has one.
    """
    months = set(
        CheckIn.objects.filter(volunteer=volunteer)
        .annotate(m=TruncMonth("occurred_on"))
        .values_list("m", flat=True)
        .distinct()
    )
    month = today.replace(day=1)
    count = 1 if month in months else 0
    for _i in range(LAPSE_MONTHS_LOOKED_AT):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
        if month not in months:
            break
        count += 1
    return count


def children_cared(*, volunteer: Volunteer) -> int:
    """Return how many children her check-ins covered."""
    return CheckInChild.objects.filter(checkin__volunteer=volunteer).values("child").distinct().count()


def honour_criteria(*, volunteer: Volunteer, today: datetime.date) -> dict:
    """Return what staff weigh beside a nomination: approved hours, children cared for, months without a lapse."""
    return {
        "approved_hours": round(approved_minutes(volunteer=volunteer) / 60, 1),
        "year_hours": round(
            approved_minutes(volunteer=volunteer, start=today.replace(month=1, day=1), end=today) / 60, 1
        ),
        "children_cared": children_cared(volunteer=volunteer),
        "months_without_lapse": months_without_lapse(volunteer=volunteer, today=today),
    }


def record_summary(*, volunteer: Volunteer, today: datetime.date) -> dict:
    """Return the figures of her record: approved hours this year and in all, and what waits for approval."""
    pending = ServiceEntry.objects.filter(volunteer=volunteer, status=ServiceEntry.Status.PENDING).aggregate(
        n=Count("pk"), m=Sum("minutes")
    )
    return {
        **honour_criteria(volunteer=volunteer, today=today),
        "pending_entries": pending["n"],
        "pending_hours": round((pending["m"] or 0) / 60, 1),
    }


def record_parts(*, volunteer: Volunteer, today: datetime.date) -> dict:
    """Return her record in the five parts of 民政部令第67号: who she is, service, trainings, honours, evaluations."""
    return {
        "basic_info": volunteer,
        "service": record_summary(volunteer=volunteer, today=today),
        "trainings": trainings_of(volunteer=volunteer),
        "honours": honours_of(volunteer=volunteer).select_related("awarding_region"),
        "evaluations": evaluations_of(volunteer=volunteer),
    }


def nomination_list(
    *, user, volunteer: Volunteer | int | None = None, status: str | None = None, year: int | None = None
) -> QuerySet[Nomination]:
    """Return the nominations of volunteers in the user's region, and those her level decides."""
    if not is_records_staff(user):
        return Nomination.objects.none()
    scope = user_region_scope(user)
    qs = Nomination.objects.filter(scope.q("volunteer__village_id") | scope.q("current_region_id"))
    if volunteer is not None:
        qs = qs.filter(volunteer=volunteer)
    if status:
        qs = qs.filter(status=status)
    if year is not None:
        qs = qs.filter(year=year)
    return (
        qs.select_related("volunteer", "awarding_region", "current_region")
        .prefetch_related("steps__region", "steps__decided_by")
        .order_by("status", "-year", "-created_at", "-id")
    )


def nominations_to_decide(*, user) -> QuerySet[Nomination]:
    """Return the nominations in review at the user's own level."""
    qs = nomination_list(user=user).filter(status=Nomination.Status.IN_REVIEW)
    if user.is_superuser:
        return qs
    return qs.filter(current_region_id=user.home_region_id)


def nomination_get(*, user, pk: int) -> Nomination | None:
    return nomination_list(user=user).filter(pk=pk).first()


def honours_of(*, volunteer: Volunteer) -> QuerySet[Nomination]:
    """Return the honours she received."""
    return Nomination.objects.filter(volunteer=volunteer, status=Nomination.Status.AWARDED).order_by("-year", "-id")


def trainings_of(*, volunteer: Volunteer) -> QuerySet[TrainingRecord]:
    return TrainingRecord.objects.filter(volunteer=volunteer).order_by("-held_on", "-id")


def evaluations_of(*, volunteer: Volunteer) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(volunteer=volunteer).order_by("-year")


def certificate_list(
    *, user, status: str | None = None, volunteer: Volunteer | int | None = None
) -> QuerySet[Certificate]:
    """Return the certificates the user may see (her own for a volunteer)."""
    if _is_volunteer(user):
        qs = Certificate.objects.filter(volunteer__user=user)
    elif is_records_staff(user):
        qs = scoped_queryset(user, Certificate)
    else:
        return Certificate.objects.none()
    if status:
        qs = qs.filter(status=status)
    if volunteer is not None:
        qs = qs.filter(volunteer=volunteer)
    return qs.select_related("volunteer", "issuer").order_by("-created_at", "-id")


def certificate_get(*, user, pk: int) -> Certificate | None:
    return certificate_list(user=user).filter(pk=pk).first()


def certificate_by_number(*, number: str) -> Certificate | None:
    """Return the issued (or revoked) certificate with this number, for the public verification page."""
    return (
        Certificate.objects.filter(number=number, status__in=[Certificate.Status.ISSUED, Certificate.Status.REVOKED])
        .select_related("volunteer", "issuer")
        .first()
    )


def issuer_by_prefix(*, prefix: str) -> Issuer | None:
    return Issuer.objects.filter(prefix=prefix).first()


def certificates_in_publicity(*, issuer: Issuer, today: datetime.date) -> QuerySet[Certificate]:
    """Return an issuer's certificates in their 7-day publicity, for its public notice page."""
    return (
        Certificate.objects.filter(issuer=issuer, status=Certificate.Status.ISSUED, publicity_ends_on__gt=today)
        .select_related("volunteer")
        .order_by("issued_on", "serial")
    )


def export_entries(*, user, start: datetime.date | None = None, end: datetime.date | None = None):
    """Return the approved entries the user may export, with their volunteers, in a stable order."""
    qs = entry_list(user=user, status=ServiceEntry.Status.APPROVED).select_related(
        "volunteer__caring_unit", "volunteer__village"
    )
    if start is not None:
        qs = qs.filter(served_on__gte=start)
    if end is not None:
        qs = qs.filter(served_on__lte=end)
    return qs.order_by("volunteer__village_id", "volunteer__name", "volunteer_id", "served_on", "id")
