"""Activities and sign-ups: places under a row lock, a first-come waiting list, offers that lapse."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.selectors import user_region_scope
from backend.activities.models import Activity, Audience, Session, Signup
from backend.activities.selectors import signup_from_token, signup_token  # noqa: F401 (re-exported)
from backend.ops.errors import ConflictError, ServiceError

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_SESSIONS = 60
TAKEN = (Signup.Status.CONFIRMED, Signup.Status.OFFERED)


def local_words(moment: datetime.datetime) -> str:
    """A time as people read it: 7月15日 09:00 (Asia/Shanghai)."""
    local = moment.astimezone(SHANGHAI)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def signup_link(signup: Signup) -> str:
    return settings.PUBLIC_BASE_URL + reverse("activities_public:signup-page", args=[signup_token(signup)])


# --- activities -----------------------------------------------------------------------


def _session_times(activity: Activity) -> list[tuple[datetime.datetime, datetime.datetime]]:
    length = activity.ends_at - activity.starts_at
    if not activity.recurrence or not (activity.recurrence.rrules or activity.recurrence.rdates):
        return [(activity.starts_at, activity.ends_at)]
    first = activity.starts_at.astimezone(SHANGHAI).replace(tzinfo=None)
    until = first + datetime.timedelta(days=366)
    starts = activity.recurrence.between(first, until, dtstart=first, inc=True)[:MAX_SESSIONS]
    return [(start.replace(tzinfo=SHANGHAI), start.replace(tzinfo=SHANGHAI) + length) for start in starts]


def sessions_build(*, activity: Activity) -> list[Session]:
    """(Re)build the sessions of an activity that has no attendance yet from its dates and rule."""
    if activity.sessions.filter(attendance__isnull=False).exists():
        raise ServiceError(_("已有签到记录，不能再改场次"), field="recurrence")
    activity.sessions.all().delete()
    return Session.objects.bulk_create(
        Session(activity=activity, number=n, starts_at=start, ends_at=end)
        for n, (start, end) in enumerate(_session_times(activity), start=1)
    )


def _require_region(user, region_code: str) -> None:
    if not user_region_scope(user).contains(region_code):
        raise ServiceError(_("只能为本辖区组织活动"), field="region")


FIELDS = (
    "kind",
    "title",
    "place",
    "description",
    "starts_at",
    "ends_at",
    "recurrence",
    "capacity_children",
    "capacity_guardians",
    "capacity_volunteers",
    "signup_opens_at",
    "signup_closes_at",
    "offer_hours",
)


def _activity_check(activity: Activity) -> None:
    if activity.starts_at and activity.ends_at and activity.ends_at <= activity.starts_at:
        raise ServiceError(_("结束时间必须晚于开始时间"), field="ends_at")
    if activity.signup_opens_at and activity.signup_closes_at and activity.signup_closes_at <= activity.signup_opens_at:
        raise ServiceError(_("报名截止时间必须晚于报名开始时间"), field="signup_closes_at")
    if not (activity.capacity_children or activity.capacity_guardians or activity.capacity_volunteers):
        raise ServiceError(_("至少为一类对象设置名额"), field="capacity_children")
    activity.full_clean()


@transaction.atomic
def activity_create(*, by, region, **values) -> Activity:
    """Create an activity of her region with its sessions."""
    _require_region(by, region.pk)
    activity = Activity(region=region, created_by=by, **{k: v for k, v in values.items() if k in FIELDS})
    _activity_check(activity)
    activity.save()
    sessions_build(activity=activity)
    return activity


@transaction.atomic
def activity_update(*, activity: Activity, by, **values) -> Activity:
    """Change an activity; its sessions follow its dates and rule while nobody has checked in."""
    _require_region(by, activity.region_id)
    for name, value in values.items():
        if name in FIELDS:
            setattr(activity, name, value)
    _activity_check(activity)
    activity.save()
    if not activity.sessions.filter(attendance__isnull=False).exists():
        sessions_build(activity=activity)
    return activity


@transaction.atomic
def activity_cancel(*, activity: Activity, by) -> Activity:
    """Cancel an activity and tell everyone signed up or waiting."""
    _require_region(by, activity.region_id)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    activity.status = Activity.Status.CANCELLED
    activity.save(update_fields=["status"])
    for signup in activity.signups.filter(status__in=("confirmed", "waiting", "offered")):
        _cancel_row(signup)
    return activity


# --- messages -------------------------------------------------------------------------


def _params(signup: Signup) -> dict:
    activity = signup.activity
    return {"title": activity.title[:30], "when": local_words(activity.starts_at), "place": activity.place[:30]}


def signup_notify(*, signup: Signup, template: str, extra: dict | None = None, key: str = "") -> None:
    """Put a message about a sign-up in the outbox, to whoever can act on it (quiet hours apply)."""
    from notifications.services import message_to_user, sms_send_template

    params = {**_params(signup), **(extra or {})}
    key = f"activities:{template}:{signup.pk}:{key}"
    region_id = signup.activity.region_id
    if signup.phone:
        sms_send_template(
            phone=signup.phone, template=template, params=params, idempotency_key=key, region_id=region_id
        )
        return
    user = signup.volunteer.user if signup.volunteer_id else signup.signed_up_by
    if user is None or not (user.phone or user.is_volunteer):
        return  # staff signed a child up without a contact: staff tell the family themselves
    try:
        message_to_user(user=user, template=template, params=params, idempotency_key=key, region_id=region_id)
    except ServiceError:
        pass  # an account without phone or WeChat: nothing to send to


# --- sign-ups -------------------------------------------------------------------------


def _taken(activity: Activity, audience: str) -> int:
    return Signup.objects.filter(activity=activity, audience=audience, status__in=TAKEN).count()


def _waiting(activity: Activity, audience: str):
    return Signup.objects.filter(activity=activity, audience=audience, status=Signup.Status.WAITING).order_by(
        "created_at", "id"
    )


def signup_position(signup: Signup) -> int:
    """Her place on the waiting list (1 = next)."""
    return (
        _waiting(signup.activity, signup.audience)
        .filter(created_at__lte=signup.created_at)
        .exclude(created_at=signup.created_at, id__gt=signup.pk)
        .count()
    )


def _check_open(activity: Activity, audience: str, now: datetime.datetime) -> None:
    if activity.status != Activity.Status.PUBLISHED:
        raise ServiceError(_("活动已取消"), field="activity")
    if audience not in activity.audiences:
        raise ServiceError(_("该活动不接受这类对象报名"), field="audience")
    if now < activity.signup_opens_at:
        raise ServiceError(_("报名尚未开始"), field="activity")
    if now >= activity.signup_closes_at:
        raise ServiceError(_("报名已截止"), field="activity")


def signup_create(
    *,
    activity: Activity,
    audience: str,
    channel: str,
    by=None,
    child=None,
    volunteer=None,
    person_name: str = "",
    phone: str = "",
    consent_by: str = "",
    consent_relation: str = "",
    now: datetime.datetime | None = None,
) -> Signup:
    """Give a place if one is free (under a lock on the activity row), else a place on the waiting list.

    The caller has checked that ``by`` may sign up ``child``/``volunteer`` (her own, her region's).
    """
    from notifications.services import phone_normalise

    now = now or timezone.now()
    if audience not in Audience.values:
        raise ServiceError(_("请选择报名对象"), field="audience")
    if audience == Audience.CHILD and child is None:
        raise ServiceError(_("请选择报名的儿童"), field="child")
    if audience == Audience.VOLUNTEER and volunteer is None:
        raise ServiceError(_("请选择报名的爱心妈妈"), field="volunteer")
    if audience == Audience.GUARDIAN and not person_name.strip():
        raise ServiceError(_("请填写姓名"), field="person_name")
    if phone:
        phone = phone_normalise(phone)
    if audience == Audience.GUARDIAN and not phone:
        raise ServiceError(_("请填写手机号"), field="phone")
    consent_at = None
    if audience == Audience.CHILD and activity.kind == Activity.Kind.CAMP:
        if not consent_by.strip():
            raise ServiceError(_("儿童参加营地活动须记录监护人同意"), field="consent_by")
        consent_at = now
    with transaction.atomic():
        # The row lock serialises every sign-up and cancellation of this activity.
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        _check_open(activity, audience, now)
        free = _taken(activity, audience) < activity.capacity_for(audience)
        queue = _waiting(activity, audience).exists()
        signup = Signup(
            activity=activity,
            audience=audience,
            child=child if audience == Audience.CHILD else None,
            volunteer=volunteer if audience == Audience.VOLUNTEER else None,
            person_name=person_name.strip()[:50],
            phone=phone,
            channel=channel,
            signed_up_by=by if getattr(by, "is_authenticated", False) else None,
            consent_by=consent_by.strip()[:50],
            consent_relation=consent_relation.strip()[:20],
            consent_at=consent_at,
            status=Signup.Status.CONFIRMED if free and not queue else Signup.Status.WAITING,
        )
        try:
            signup.full_clean(validate_constraints=False)
        except ValidationError as exc:
            raise ServiceError("；".join(exc.messages), field=next(iter(exc.message_dict), None)) from None
        try:
            with transaction.atomic():
                signup.save()
        except IntegrityError:
            raise ConflictError(_("已经报过名了"), field="audience", code="duplicate") from None
        if signup.status == Signup.Status.CONFIRMED:
            signup_notify(signup=signup, template="activities.confirmed")
        else:
            signup_notify(signup=signup, template="activities.waiting", extra={"position": signup_position(signup)})
    return signup


def _offer_next(activity: Activity, audience: str, now: datetime.datetime) -> list[Signup]:
    offered = []
    while _taken(activity, audience) < activity.capacity_for(audience):
        nxt = _waiting(activity, audience).first()
        if nxt is None:
            break
        nxt.status = Signup.Status.OFFERED
        nxt.offered_until = now + datetime.timedelta(hours=activity.offer_hours)
        nxt.save(update_fields=["status", "offered_until"])
        signup_notify(
            signup=nxt,
            template="activities.offer",
            extra={"until": local_words(nxt.offered_until), "link": signup_link(nxt)},
            key=nxt.offered_until.isoformat(),
        )
        offered.append(nxt)
    return offered


def _cancel_row(signup: Signup) -> None:
    signup.status = Signup.Status.CANCELLED
    signup.cancelled_at = timezone.now()
    signup.save(update_fields=["status", "cancelled_at"])
    signup_notify(signup=signup, template="activities.cancelled")


def signup_cancel(*, signup: Signup, now: datetime.datetime | None = None) -> Signup:
    """Cancel a sign-up; a place it held is offered to the first on the waiting list."""
    now = now or timezone.now()
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=signup.activity_id)
        signup = Signup.objects.select_related("activity").get(pk=signup.pk)
        if signup.status not in ACTIVE:
            raise ServiceError(_("该报名已取消"), field="signup")
        held = signup.status in TAKEN
        _cancel_row(signup)
        if held and activity.status == Activity.Status.PUBLISHED:
            _offer_next(activity, signup.audience, now)
    return signup


ACTIVE = (Signup.Status.CONFIRMED, Signup.Status.WAITING, Signup.Status.OFFERED)


def offer_accept(*, signup: Signup, now: datetime.datetime | None = None) -> Signup:
    """Take an offered place while the offer lasts."""
    now = now or timezone.now()
    with transaction.atomic():
        Activity.objects.select_for_update().get(pk=signup.activity_id)
        signup = Signup.objects.select_related("activity").get(pk=signup.pk)
        if signup.status != Signup.Status.OFFERED or signup.offered_until <= now:
            raise ServiceError(_("递补名额已过期或不存在"), field="signup")
        signup.status = Signup.Status.CONFIRMED
        signup.save(update_fields=["status"])
        signup_notify(signup=signup, template="activities.confirmed")
    return signup


def offers_expire(*, now: datetime.datetime | None = None) -> int:
    """Let offers past their time lapse and pass each place on to the next on the list."""
    now = now or timezone.now()
    lapsed = 0
    activity_ids = set(
        Signup.objects.filter(status=Signup.Status.OFFERED, offered_until__lte=now).values_list(
            "activity_id", flat=True
        )
    )
    for activity_id in sorted(activity_ids):
        with transaction.atomic():
            activity = Activity.objects.select_for_update().get(pk=activity_id)
            rows = list(Signup.objects.filter(activity=activity, status=Signup.Status.OFFERED, offered_until__lte=now))
            for row in rows:
                row.status = Signup.Status.LAPSED
                row.save(update_fields=["status"])
                lapsed += 1
            if activity.status == Activity.Status.PUBLISHED:
                for audience in {r.audience for r in rows}:
                    _offer_next(activity, audience, now)
    return lapsed


def reminders_day_before(*, now: datetime.datetime | None = None) -> int:
    """Queue the day-before reminder of tomorrow's sessions (Asia/Shanghai) to everyone with a place."""
    now = now or timezone.now()
    tomorrow = now.astimezone(SHANGHAI).date() + datetime.timedelta(days=1)
    start = datetime.datetime.combine(tomorrow, datetime.time.min, tzinfo=SHANGHAI)
    sessions = Session.objects.filter(
        starts_at__gte=start,
        starts_at__lt=start + datetime.timedelta(days=1),
        activity__status=Activity.Status.PUBLISHED,
    ).select_related("activity")
    sent = 0
    for session in sessions:
        for signup in session.activity.signups.filter(status=Signup.Status.CONFIRMED).select_related(
            "activity", "volunteer__user", "signed_up_by"
        ):
            signup_notify(
                signup=signup,
                template="activities.day_before",
                extra={"when": local_words(session.starts_at)},
                key=f"session-{session.pk}",
            )
            sent += 1
    return sent
