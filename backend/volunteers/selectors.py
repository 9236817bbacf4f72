"""Reads of recruitment, scoped to what the user may see (``user_region_scope``)."""

import datetime

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from backend.accounts.models import User
from backend.accounts.selectors import user_region_scope
from backend.programmes.models import Programme
from backend.volunteers.models import Application, CaringUnit, ScreeningCheck, ScreeningItem, Team, Volunteer


def application_list(
    *,
    user: User,
    status: str | None = None,
    region: str | None = None,
    caring_unit: int | None = None,
    skill: str | None = None,
    flagged: bool | None = None,
    submitted_from: datetime.date | None = None,
    submitted_to: datetime.date | None = None,
    search: str | None = None,
) -> QuerySet[Application]:
    """Return the applications in the user's region and below, filtered, with duplicate flags annotated."""
    qs = Application.objects.filter(user_region_scope(user).q("village_id"))
    if status:
        qs = qs.filter(status=status)
    if region:
        qs = qs.filter(village__pk__startswith=region)
    if caring_unit:
        qs = qs.filter(caring_unit_id=caring_unit)
    if skill:
        qs = qs.filter(skills__contains=[skill])
    if submitted_from:
        qs = qs.filter(created_at__date__gte=submitted_from)
    if submitted_to:
        qs = qs.filter(created_at__date__lte=submitted_to)
    if search:
        qs = qs.filter(Q(reference__iexact=search.strip()) | Q(name__contains=search.strip()))
    qs = application_annotate_duplicates(qs)
    if flagged is True:
        qs = qs.filter(application_flagged_q())
    elif flagged is False:
        qs = qs.exclude(application_flagged_q())
    return qs.select_related("village", "programme", "programme__region", "caring_unit")


def application_annotate_duplicates(qs: QuerySet[Application]) -> QuerySet[Application]:
    """Annotate ``has_duplicate``: another application with the same ID number or mobile, any status."""
    others = Application.objects.exclude(pk=OuterRef("pk"))
    return qs.annotate(
        has_duplicate=Exists(others.filter(id_number_hash=OuterRef("id_number_hash")))
        | Exists(others.filter(phone=OuterRef("phone")))
    )


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def application_age_outside_q(*, today: datetime.date | None = None) -> Q:
    """Return a filter for applicants whose age today is outside their programme's age range."""
    today = today or timezone.localdate()
    q = Q(pk__in=[])
    for programme in Programme.objects.only("pk", "min_age", "max_age"):
        too_young = Q(birth_date__gt=_years_before(today, programme.min_age))
        too_old = Q(birth_date__lte=_years_before(today, programme.max_age + 1))
        q |= Q(programme_id=programme.pk) & (too_young | too_old)
    return q


def application_flagged_q(*, today: datetime.date | None = None) -> Q:
    """Return a filter for applications a reviewer should look at twice (needs ``has_duplicate``)."""
    return Q(has_duplicate=True) | application_age_outside_q(today=today)


def application_annotate_checklist(qs: QuerySet[Application]) -> QuerySet[Application]:
    """Annotate ``checklist_complete``: every required item of the programme's checklist is ticked."""
    done = ScreeningCheck.objects.filter(application=OuterRef(OuterRef("pk")), item=OuterRef("pk"), done=True)
    missing = ScreeningItem.objects.filter(programme=OuterRef("programme"), required=True).filter(~Exists(done))
    has_items = ScreeningItem.objects.filter(programme=OuterRef("programme"), required=True)
    return qs.annotate(checklist_complete=Exists(has_items) & ~Exists(missing))


def application_queue(**filters) -> QuerySet[Application]:
    """Return ``application_list`` for the workspace: waiting first, oldest waiting first, then newest."""
    waiting = Q(status__in=Application.OPEN_STATUSES)
    return application_annotate_checklist(application_list(**filters)).order_by(
        Case(When(waiting, then=0), default=1),
        Case(When(waiting, then=F("created_at"))).asc(nulls_last=True),
        "-created_at",
        "-id",
    )


def application_get(*, user: User, pk: int) -> Application | None:
    """Return one application the user may see, or None."""
    return application_list(user=user).filter(pk=pk).first()


def application_duplicates(*, application: Application) -> QuerySet[Application]:
    """Return the other applications with the same ID number or mobile number."""
    return (
        Application.objects.filter(Q(id_number_hash=application.id_number_hash) | Q(phone=application.phone))
        .exclude(pk=application.pk)
        .order_by("-created_at")
    )


def application_flags(*, application: Application, today: datetime.date | None = None) -> list[str]:
    """Return the checks that need a reviewer's eye: ``duplicate``, ``age_outside_range``, ``outside_area``."""
    today = today or timezone.localdate()
    flags = []
    has_duplicate = getattr(application, "has_duplicate", None)
    if has_duplicate is None:
        has_duplicate = application_duplicates(application=application).exists()
    if has_duplicate:
        flags.append("duplicate")
    programme = application.programme
    if not programme.min_age <= application.age_on(today) <= programme.max_age:
        flags.append("age_outside_range")
    if not application.village_id.startswith(programme.region_id):
        flags.append("outside_area")
    return flags


def application_for_applicant(*, phone: str) -> QuerySet[Application]:
    """Return an applicant's own applications (she proved the number by SMS), newest first."""
    return Application.objects.filter(phone=phone).select_related("programme", "village").order_by("-created_at")


def screening_checklist(*, application: Application) -> list[dict]:
    """Return the programme's checklist with this application's ticks."""
    checks = {c.item_id: c for c in application.checks.select_related("checked_by")}
    rows = []
    for item in ScreeningItem.objects.filter(programme_id=application.programme_id):
        check = checks.get(item.pk)
        rows.append(
            {
                "code": item.code,
                "label": item.label,
                "required": item.required,
                "done": bool(check and check.done),
                "note": check.note if check else "",
                "checked_by": check.checked_by.username if check and check.checked_by else "",
                "checked_at": check.checked_at if check else None,
            }
        )
    return rows


def volunteer_list(
    *,
    user: User,
    status: str | None = None,
    region: str | None = None,
    caring_unit: int | None = None,
    skill: str | None = None,
    team: int | None = None,
    search: str | None = None,
) -> QuerySet[Volunteer]:
    """Return the volunteers living in the user's region and below."""
    qs = Volunteer.objects.filter(user_region_scope(user).q("village_id"))
    if search:
        qs = qs.filter(name__contains=search.strip())
    if status:
        qs = qs.filter(status=status)
    if region:
        qs = qs.filter(village__pk__startswith=region)
    if caring_unit:
        qs = qs.filter(caring_unit_id=caring_unit)
    if skill:
        qs = qs.filter(skills__contains=[skill])
    if team:
        qs = qs.filter(team_id=team)
    return qs.select_related("village", "caring_unit", "team")


def volunteer_get(*, user: User, pk: int) -> Volunteer | None:
    return volunteer_list(user=user).filter(pk=pk).first()


def volunteer_annotate_load(qs: QuerySet[Volunteer]) -> QuerySet[Volunteer]:
    """Annotate ``load``: her current (active or paused) pairings."""
    from pairing.models import Pairing

    current = (
        Pairing.objects.filter(volunteer=OuterRef("pk"), status__in=(Pairing.Status.ACTIVE, Pairing.Status.PAUSED))
        .order_by()
        .values("volunteer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(load=Coalesce(Subquery(current, output_field=IntegerField()), 0))


def volunteer_profile(*, user: User, volunteer: Volunteer, checkins: int = 20) -> dict:
    """Return what the workspace shows of a volunteer: her pairings, latest check-ins, load, history."""
    from backend.checkins.models import CheckIn
    from pairing.models import Pairing

    pairings = list(
        Pairing.objects.filter(volunteer=volunteer)
        .filter(user_region_scope(user).q("child__village_id"))
        .select_related("child__village")
        .order_by("-started_on", "-id")
    )
    current = [p for p in pairings if p.is_current]
    return {
        "volunteer": volunteer,
        "current_pairings": current,
        "past_pairings": [p for p in pairings if not p.is_current],
        "load": len(current),
        "checkins": list(
            CheckIn.objects.filter(volunteer=volunteer)
            .prefetch_related("children")
            .order_by("-occurred_on", "-id")[:checkins]
        ),
        "status_changes": list(volunteer.status_changes.all()[:20]),
    }


def caring_unit_list(*, user: User) -> QuerySet[CaringUnit]:
    """Return the caring units registered in the user's region and below."""
    return CaringUnit.objects.filter(user_region_scope(user).q("region_id")).select_related("region")


def caring_unit_get(*, user: User, pk: int) -> CaringUnit | None:
    return caring_unit_list(user=user).filter(pk=pk).first()


def caring_units_for_applicants(*, programme) -> QuerySet[CaringUnit]:
    """Return the caring units an applicant to a programme may name (public list of names)."""
    return CaringUnit.objects.filter(region__pk__startswith=programme.region_id).order_by("name")


def team_list(*, user: User) -> QuerySet[Team]:
    """Return the teams serving the user's region and below."""
    return Team.objects.filter(user_region_scope(user).q("region_id")).select_related("region", "programme")


def volunteer_messages(*, volunteer: Volunteer):
    """Return the messages staff sent her from the workspace's templates, newest first."""
    from backend.volunteers.messages import STAFF_MESSAGES
    from notifications.models import Message

    return Message.objects.filter(user=volunteer.user, template__in=list(STAFF_MESSAGES)).order_by("-created_at", "-id")


def volunteer_of_user(*, user: User) -> Volunteer | None:
    """Return the signed-in volunteer's own record if she is in service (active), else None."""
    if user is None or not user.is_authenticated or not user.is_active or user.role != User.Role.VOLUNTEER:
        return None
    cached = getattr(user, "_active_volunteer", False)
    if cached is False:
        cached = Volunteer.objects.filter(user=user, status=Volunteer.Status.ACTIVE).select_related("programme").first()
        user._active_volunteer = cached
    return cached


def volunteer_sign_in_user(*, phone: str) -> User | None:
    """Return the account of the active volunteer with this mobile number, or None."""
    return (
        User.objects.filter(
            Q(phone=phone) | Q(volunteer__phone=phone),
            role=User.Role.VOLUNTEER,
            is_active=True,
            volunteer__status=Volunteer.Status.ACTIVE,
        )
        .distinct()
        .first()
    )


def volunteer_out_of_service(*, user: User) -> bool:
    """Return whether the account is a volunteer's whose service is suspended or ended."""
    if user is None or not user.is_authenticated or user.role != User.Role.VOLUNTEER:
        return False
    if volunteer_of_user(user=user) is not None:
        return False
    return Volunteer.objects.filter(user=user).exists()
