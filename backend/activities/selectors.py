"""Reads of the activities app, region-scoped through ``scoped_queryset`` (accounts.selectors)."""

from __future__ import annotations

import datetime

from django.core import signing
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from backend.accounts.selectors import scoped_queryset, user_region_scope
from backend.activities.models import Activity, Article, Attendance, Audience, Consultation, Session, Signup, Wish


def _pk(pk) -> int | None:
    try:
        return int(pk)
    except (TypeError, ValueError):
        return None


def region_prefixes(code: str) -> list[str]:
    """The codes of a region and every region above it (an activity of any of them reaches it)."""
    return [code[:n] for n in (2, 4, 6, 9, 12) if len(code) >= n]


# --- activities -----------------------------------------------------------------------


def activity_list_for(*, user) -> QuerySet[Activity]:
    """Return the activities of her region (staff, child directors), newest first."""
    return scoped_queryset(user, Activity).select_related("region").order_by("-starts_at", "-id")


def activity_get_for(*, user, pk) -> Activity | None:
    """Return one activity of her region, or None (404)."""
    pk = _pk(pk)
    return None if pk is None else activity_list_for(user=user).filter(pk=pk).first()


def activity_counts(*, activity: Activity) -> dict[str, dict[str, int]]:
    """{audience: {"capacity", "confirmed", "offered", "waiting"}} of an activity."""
    rows = (
        Signup.objects.filter(activity=activity, status__in=("confirmed", "offered", "waiting"))
        .values("audience", "status")
        .annotate(n=Count("id"))
    )
    counts = {
        a: {"capacity": activity.capacity_for(a), "confirmed": 0, "offered": 0, "waiting": 0}
        for a in activity.audiences
    }
    for row in rows:
        counts.setdefault(row["audience"], {"capacity": 0, "confirmed": 0, "offered": 0, "waiting": 0})
        counts[row["audience"]][row["status"]] = row["n"]
    return counts


def activities_open(*, now: datetime.datetime | None = None, audiences=None, region_code: str | None = None):
    """Return the activities taking sign-ups now, for an audience and (optionally) reaching a region."""
    now = now or timezone.now()
    qs = Activity.objects.filter(
        status=Activity.Status.PUBLISHED, signup_opens_at__lte=now, signup_closes_at__gt=now
    ).select_related("region")
    if audiences:
        q = Q()
        for audience in audiences:
            q |= Q(**{f"capacity_{'children' if audience == 'child' else audience + 's'}__gt": 0})
        qs = qs.filter(q)
    if region_code is not None:
        qs = qs.filter(region_id__in=region_prefixes(region_code))
    return qs.order_by("starts_at", "id")


def activity_public_get(*, pk) -> Activity | None:
    """Return an activity that takes guardians' or children's sign-ups now (the public page)."""
    pk = _pk(pk)
    return None if pk is None else activities_open(audiences=("guardian", "child")).filter(pk=pk).first()


def volunteer_activities(*, volunteer) -> QuerySet[Activity]:
    """Return the activities open now that reach her village."""
    return activities_open(region_code=volunteer.village_id)


# --- sign-ups and attendance ----------------------------------------------------------

TOKEN_SALT = "activities.signup"


def signup_token(signup: Signup) -> str:
    """A signed token naming the sign-up: the confirmation page's address and its QR code."""
    return signing.dumps(signup.pk, salt=TOKEN_SALT, compress=True)


def signup_from_token(token: str) -> Signup | None:
    """Return the sign-up a token names, or None for a forged or broken token."""
    try:
        pk = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    return Signup.objects.select_related("activity", "child", "volunteer").filter(pk=pk).first()


def signups_of_activity(*, activity: Activity) -> QuerySet[Signup]:
    """Every sign-up of an activity, by audience then first come first."""
    return (
        Signup.objects.filter(activity=activity)
        .select_related("child", "child__village", "volunteer")
        .order_by("audience", "created_at", "id")
    )


def signup_get_for(*, user, pk) -> Signup | None:
    """Return one sign-up of her region's activities, or None (404)."""
    pk = _pk(pk)
    if pk is None:
        return None
    return scoped_queryset(user, Signup).select_related("activity", "child", "volunteer").filter(pk=pk).first()


def signups_of_volunteer(*, volunteer) -> QuerySet[Signup]:
    """Her own sign-ups and the ones she made for her children, newest first."""
    return (
        Signup.objects.filter(Q(volunteer=volunteer) | Q(signed_up_by=volunteer.user_id))
        .select_related("activity", "child")
        .order_by("-created_at", "-id")
    )


def session_get_for(*, user, pk) -> Session | None:
    """Return one session of her region's activities, or None (404)."""
    pk = _pk(pk)
    if pk is None:
        return None
    return scoped_queryset(user, Session).select_related("activity").filter(pk=pk).first()


def session_check_in_list(*, session: Session) -> list[dict]:
    """The confirmed participants of a session with whether each has checked in."""
    present = set(Attendance.objects.filter(session=session).values_list("signup_id", flat=True))
    return [
        {"signup": s, "present": s.pk in present}
        for s in signups_of_activity(activity=session.activity).filter(status=Signup.Status.CONFIRMED)
    ]


def session_head_counts(*, session: Session) -> list[dict]:
    """Present / signed up per audience of a session, in the audiences' order."""
    confirmed = dict(
        Signup.objects.filter(activity_id=session.activity_id, status=Signup.Status.CONFIRMED)
        .values_list("audience")
        .annotate(n=Count("id"))
    )
    present = dict(Attendance.objects.filter(session=session).values_list("signup__audience").annotate(n=Count("id")))
    return [
        {"audience": a, "label": Audience(a).label, "present": present.get(a, 0), "confirmed": confirmed.get(a, 0)}
        for a in Audience.values
        if confirmed.get(a) or session.activity.capacity_for(a)
    ]


def child_activity_history(*, child) -> QuerySet[Attendance]:
    """The sessions a child attended, newest first (her file's care history)."""
    return (
        Attendance.objects.filter(signup__child=child, signup__audience=Audience.CHILD)
        .select_related("session", "session__activity")
        .order_by("-session__starts_at", "-id")
    )


def volunteer_activity_service(volunteer, start: datetime.datetime, end: datetime.datetime) -> dict:
    """A volunteer's activity service in [start, end): one row per attended session and the total minutes.

    For the service-records app: each row is (attendance id, session id, activity title and
    kind, session start, minutes), stable ids so records can be taken over once.
    """
    rows = (
        Attendance.objects.filter(
            signup__volunteer=volunteer,
            signup__audience=Audience.VOLUNTEER,
            session__starts_at__gte=start,
            session__starts_at__lt=end,
        )
        .order_by("session__starts_at", "id")
        .values(
            "id",
            "minutes",
            "session_id",
            "session__starts_at",
            "session__activity_id",
            "session__activity__title",
            "session__activity__kind",
        )
    )
    rows = [
        {
            "attendance_id": r["id"],
            "session_id": r["session_id"],
            "activity_id": r["session__activity_id"],
            "title": r["session__activity__title"],
            "kind": r["session__activity__kind"],
            "starts_at": r["session__starts_at"],
            "minutes": r["minutes"],
        }
        for r in rows
    ]
    return {"rows": rows, "minutes": sum(r["minutes"] for r in rows)}


def guardian_children(*, phone: str, activity: Activity) -> list:
    """The active children in the activity's region whose guardian's phone is ``phone`` (verified by code).

    Found by the keyed hash of the number (an index), never by decrypting the region's files.
    """
    from backend.children.models import Child, guardian_phone_hash

    wanted = guardian_phone_hash(phone)
    if not wanted:
        return []
    return list(
        Child.objects.filter(
            guardian_phone_hash=wanted, village__pk__startswith=activity.region_id, status=Child.Status.ACTIVE
        )
        .only("id", "given_name", "birth_date", "guardian_name", "guardian_relation", "village_id")
    )


# --- wishes ---------------------------------------------------------------------------


def wish_list_for(*, user, status: str = "") -> QuerySet[Wish]:
    """The wishes of her region (staff, child directors), by status if given."""
    qs = scoped_queryset(user, Wish).select_related(
        "child", "child__village", "claimed_by_volunteer", "claimed_by_unit"
    )
    if status in Wish.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def wish_get_for(*, user, pk) -> Wish | None:
    pk = _pk(pk)
    return None if pk is None else wish_list_for(user=user).filter(pk=pk).first()


def wish_counts(*, user) -> dict[str, int]:
    rows = scoped_queryset(user, Wish).values_list("status").annotate(n=Count("id"))
    return {status: n for status, n in rows}


def wishes_for_volunteer(*, volunteer) -> QuerySet[Wish]:
    """Published wishes of her county and the ones she claimed or recorded."""
    county = volunteer.village_id[:6]
    return (
        Wish.objects.filter(
            Q(status=Wish.Status.PUBLISHED, child__village__pk__startswith=county)
            | Q(claimed_by_volunteer=volunteer)
            | Q(recorded_by=volunteer.user_id)
        )
        .select_related("child")
        .order_by("status", "-created_at", "-id")
    )


def wish_for_volunteer(*, volunteer, pk) -> Wish | None:
    pk = _pk(pk)
    return None if pk is None else wishes_for_volunteer(volunteer=volunteer).filter(pk=pk).first()


def units_for_wish(*, user, wish: Wish):
    """The caring units of the wish's county her scope allows (the claim form's choices)."""
    from backend.volunteers.models import CaringUnit

    return scoped_queryset(user, CaringUnit).filter(region__pk__startswith=wish.child.village_id[:6]).order_by("name")


def volunteers_for_wish(*, user, wish: Wish):
    from backend.volunteers.models import Volunteer

    return (
        scoped_queryset(user, Volunteer)
        .filter(village__pk__startswith=wish.child.village_id[:6], status=Volunteer.Status.ACTIVE)
        .order_by("name")
    )


# --- family education -----------------------------------------------------------------


def consultations_of_child(*, child) -> QuerySet[Consultation]:
    return Consultation.objects.filter(child=child).select_related("recorded_by").order_by("-held_on", "-id")


def articles_public(*, audience: str = "") -> QuerySet[Article]:
    """Published guidance articles (public)."""
    qs = Article.objects.filter(published=True).select_related("region")
    if audience in Article.ArticleAudience.values:
        qs = qs.filter(audience__in=(audience, Article.ArticleAudience.ALL))
    return qs.order_by("-created_at", "-id")


def article_public_get(*, pk) -> Article | None:
    pk = _pk(pk)
    return None if pk is None else articles_public().filter(pk=pk).first()


def article_list_for(*, user) -> QuerySet[Article]:
    return scoped_queryset(user, Article).order_by("-created_at", "-id")


# --- figures (dashboard) --------------------------------------------------------------


def _month_key(moment) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def activity_figures_by_month(*, prefix: str, length: int, start: datetime.date, end: datetime.date) -> dict:
    """{(region code, "YYYY-MM"): figures} under ``prefix`` in [start, end), codes cut to ``length``.

    Activities held (at least one check-in) and guardians reached count where the activity
    was organised; children reached (distinct) and wishes fulfilled count where the child lives.
    An activity organised above the cut (a city camp on a county's row) counts on the region above.
    """
    from zoneinfo import ZoneInfo

    from django.db.models.functions import Substr, TruncMonth

    tz = ZoneInfo("Asia/Shanghai")
    lo = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    hi = datetime.datetime.combine(end, datetime.time.min, tzinfo=tz)
    attended = Attendance.objects.filter(session__starts_at__gte=lo, session__starts_at__lt=hi).annotate(
        month=TruncMonth("session__starts_at", tzinfo=tz)
    )
    out: dict = {}

    def add(rows, name):
        for row in rows:
            key = (row["code"], _month_key(row["month"]))
            out.setdefault(key, dict.fromkeys(FIGURES, 0))[name] = row["n"]

    by_activity = attended.filter(session__activity__region__pk__startswith=prefix).annotate(
        code=Substr("session__activity__region_id", 1, length)
    )
    add(by_activity.values("code", "month").annotate(n=Count("session__activity_id", distinct=True)), "activities_held")
    add(
        by_activity.filter(signup__audience=Audience.GUARDIAN)
        .values("code", "month")
        .annotate(n=Count("signup__phone", distinct=True)),
        "guardians_reached",
    )
    add(
        attended.filter(signup__audience=Audience.CHILD, signup__child__village__pk__startswith=prefix)
        .annotate(code=Substr("signup__child__village_id", 1, length))
        .values("code", "month")
        .annotate(n=Count("signup__child_id", distinct=True)),
        "children_reached",
    )
    add(
        Wish.objects.filter(fulfilled_on__gte=start, fulfilled_on__lt=end, child__village__pk__startswith=prefix)
        .annotate(code=Substr("child__village_id", 1, length), month=TruncMonth("fulfilled_on"))
        .values("code", "month")
        .annotate(n=Count("id")),
        "wishes_fulfilled",
    )
    return out


FIGURES = ("activities_held", "children_reached", "guardians_reached", "wishes_fulfilled")


def activity_months(*, region_code: str, today: datetime.date, months: int = 12) -> list[dict]:
    """The region's activity figures for each of the last ``months`` months, oldest first."""
    first = today.replace(day=1)
    keys = []
    for _i in range(months):
        keys.append(_month_key(first))
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    keys.reverse()
    start = datetime.date(int(keys[0][:4]), int(keys[0][5:]), 1)
    end = (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    grouped = activity_figures_by_month(prefix=region_code, length=len(region_code), start=start, end=end)
    # The distinct children of a month counted once whatever length: one row per month.
    return [{"month": key, **grouped.get((region_code, key), dict.fromkeys(FIGURES, 0))} for key in keys]


def activity_region_months(*, region_code: str, length: int, today: datetime.date, months: int = 12) -> list[dict]:
    """Per region one level down (codes cut to ``length``) and month: the export's rows."""
    start = (today.replace(day=1) - datetime.timedelta(days=31 * (months - 1))).replace(day=1)
    end = (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    grouped = activity_figures_by_month(prefix=region_code, length=length, start=start, end=end)
    return [{"code": code, "month": month, **values} for (code, month), values in sorted(grouped.items())]


def scope_contains(*, user, code: str) -> bool:
    return user_region_scope(user).contains(code)
