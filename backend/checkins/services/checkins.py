"""Logging care: a check-in by the volunteer (phone page, API, SMS reply) or by staff on her behalf."""

import datetime
import logging

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from backend.accounts.selectors import user_region_scope
from backend.checkins.models import CheckIn, CheckInChild, Reminder
from backend.checkins.selectors import checkin_list
from backend.checkins.services.due import due_refresh, today_local
from backend.children.models import Child, Concern
from backend.children.services import concern_raise
from backend.ops.errors import ServiceError
from backend.ops.images import image_validate
from backend.records.services.entries import service_entry_from_checkin
from backend.volunteers.models import Volunteer
from notifications.services import message_to_user, phone_normalise, sms_send_template
from pairing.models import Pairing

logger = logging.getLogger(__name__)

PHOTO_KINDS = frozenset({"jpeg", "png", "webp"})
MAX_BACKDATE_DAYS = 90
# Short replies to a reminder SMS and the kind of care each records.
SMS_REPLIES = {"1": CheckIn.Kind.PHONE_CALL, "2": CheckIn.Kind.VIDEO_CALL, "3": CheckIn.Kind.HOME_VISIT}
SMS_REPLY_WINDOW_DAYS = 14


def photo_validate(photo: UploadedFile) -> None:
    """Accept a JPEG, PNG or WebP photo of at most 5 MB and give it a safe name; raise ServiceError naming the field."""
    image_validate(
        photo,
        field="photo",
        kinds=PHOTO_KINDS,
        too_big=_("照片不能超过5MB"),
        wrong_kind=_("照片只能是JPG、PNG或WebP格式"),
    )


def pairings_of_volunteer(volunteer: Volunteer):
    """Return the volunteer's active pairings: her own and her team's."""
    q = Q(volunteer=volunteer)
    if volunteer.team_id:
        q |= Q(team_id=volunteer.team_id)
    return Pairing.objects.filter(q, status=Pairing.Status.ACTIVE)


def checkin_create(
    *,
    volunteer: Volunteer,
    children: list[Child],
    kind: str,
    occurred_on: datetime.date | None = None,
    duration_minutes: int | None = None,
    note: str = "",
    photo: UploadedFile | None = None,
    worried: bool = False,
    source: str = CheckIn.Source.WEB,
    logged_by=None,
    client_key: str | None = None,
) -> CheckIn:
    """Record a check-in for one or more of the volunteer's current children; idempotent on client_key.

    Staff may log on her behalf (``source="staff"``) for children in their area. "Worried"
    raises a Concern for staff. The due dates of the pairings move at once and pending
    reminders that the check-in satisfies are cancelled.
    """
    if source == CheckIn.Source.STAFF and not user_region_scope(logged_by).contains(volunteer.village_id):
        # Before any lookup: staff act only on volunteers they can see, and one elsewhere
        # answers as one that does not exist.
        raise ServiceError(_("爱心妈妈不存在"), field="volunteer")
    client_key = (client_key or "").strip() or None
    if client_key:
        if len(client_key) > 64:
            raise ServiceError(_("客户端编号过长"), field="client_key")
        existing = CheckIn.objects.filter(volunteer=volunteer, client_key=client_key).first()
        if existing is not None:
            # The first record is returned only to whoever may read it.
            if logged_by is not None and not checkin_list(user=logged_by).filter(pk=existing.pk).exists():
                raise ServiceError(_("该编号已被使用"), field="client_key")
            return existing
    today = today_local()
    occurred_on = occurred_on or today
    if kind not in CheckIn.Kind.values:
        raise ServiceError(_("请选择关爱方式"), field="kind")
    if occurred_on > today:
        raise ServiceError(_("日期不能晚于今天"), field="occurred_on")
    if occurred_on < today - datetime.timedelta(days=MAX_BACKDATE_DAYS):
        raise ServiceError(_("只能补记90天内的关爱"), field="occurred_on")
    if duration_minutes is not None and not 0 < duration_minutes <= 24 * 60:
        raise ServiceError(_("时长应在1到1440分钟之间"), field="duration_minutes")
    note = (note or "").strip()
    if len(note) > 2000:
        raise ServiceError(_("简要记录不能超过2000字"), field="note")
    if worried and not note:
        raise ServiceError(_("请简单写下担心的情况"), field="note")
    if photo is not None:
        photo_validate(photo)
    if volunteer.status != Volunteer.Status.ACTIVE:
        raise ServiceError(_("该爱心妈妈不在服务中"), field="volunteer")
    if not children:
        raise ServiceError(_("请选择至少一名儿童"), field="children")
    if source == CheckIn.Source.STAFF:
        scope = user_region_scope(logged_by)
        if logged_by is None or not Child.objects.filter(
            scope.q("village_id"), pk__in=[c.pk for c in children]
        ).count() == len({c.pk for c in children}):
            raise ServiceError(_("只能为本辖区的儿童代录"), field="children")
    pairing_of = {p.child_id: p for p in pairings_of_volunteer(volunteer).filter(child__in=children)}
    missing = [c for c in children if c.pk not in pairing_of]
    if missing:
        earlier = Q(volunteer=volunteer) | (Q(team_id=volunteer.team_id) if volunteer.team_id else Q(pk__in=[]))
        if Pairing.objects.filter(earlier, child__in=missing).exclude(status=Pairing.Status.ACTIVE).exists():
            # Hers until lately (an entry made offline while staff re-paired the child): say so.
            raise ServiceError(
                _("%(names)s已不再与您结对（已结束或重新结对），这条记录没有保存。如有疑问请联系村儿童主任。")
                % {"names": "、".join(c.given_name for c in missing)},
                field="children",
                code="no_longer_paired",
            )
        raise ServiceError(_("只能记录与您结对的儿童"), field="children")

    try:
        with transaction.atomic():
            checkin = CheckIn(
                volunteer=volunteer,
                kind=kind,
                occurred_on=occurred_on,
                duration_minutes=duration_minutes,
                note=note,
                worried=worried,
                source=source,
                logged_by=logged_by,
                client_key=client_key,
            )
            if photo is not None:
                checkin.photo = photo
            checkin.save()
            CheckInChild.objects.bulk_create(
                [
                    CheckInChild(checkin=checkin, child=c, pairing=pairing_of[c.pk], occurred_on=occurred_on)
                    for c in {c.pk: c for c in children}.values()
                ]
            )
            if worried:
                for child in {c.pk: c for c in children}.values():
                    concern_raise(
                        child=child,
                        raised_by=logged_by or volunteer.user,
                        severity=Concern.Severity.MEDIUM,
                        category=Concern.Category.OTHER,
                        description=_("爱心妈妈关爱记录中的担心：%(note)s") % {"note": note},
                    )
            due_refresh(today=today, pairing_ids=sorted(p.pk for p in pairing_of.values()))
            # Her minutes go in her service record (志愿服务记录) with the check-in, or not at all.
            service_entry_from_checkin(checkin=checkin)
    except IntegrityError:
        # Two sends of the same offline entry raced; the first one won.
        if client_key:
            existing = CheckIn.objects.filter(volunteer=volunteer, client_key=client_key).first()
            if existing is not None:
                return existing
        raise
    return checkin


@transaction.atomic
def checkin_acknowledge(*, checkin: CheckIn, user) -> CheckIn:
    """Thank the volunteer for a check-in (once); the thank-you reaches her by WeChat or SMS."""
    checkin = CheckIn.objects.select_for_update().select_related("volunteer__user").get(pk=checkin.pk)
    if checkin.acknowledged_at is not None:
        return checkin
    checkin.acknowledged_by = user
    checkin.acknowledged_at = timezone.now()
    checkin.save(update_fields=["acknowledged_by", "acknowledged_at"])
    first = checkin.child_links.select_related("child").first()
    message_to_user(
        user=checkin.volunteer.user,
        template="checkins.thanks",
        params={"name": first.child.given_name if first else _("孩子"), "date": f"{checkin.occurred_on:%m月%d日}"},
        programme=checkin.volunteer.programme,
        idempotency_key=f"checkin-thanks:{checkin.pk}",
    )
    return checkin


def checkin_sms_reply(*, from_number: str, body: str) -> str | None:
    """Handle a volunteer's short reply to a reminder ("1" = I called today): log it and confirm.

    Returns None when the number is not a volunteer's (another handler may know it), ""
    when the confirmation went out through the outbox, or a helpful text for anything else.
    """
    try:
        phone = phone_normalise(from_number)
    except ServiceError:
        return None
    volunteer = Volunteer.objects.filter(Q(phone=phone) | Q(user__phone=phone)).select_related("user").first()
    if volunteer is None:
        return None
    reply = "".join(ch for ch in (body or "").strip() if not ch.isspace())
    reply = reply.translate(str.maketrans("１２３", "123"))
    kind = SMS_REPLIES.get(reply)
    if kind is None:
        return _(
            "【爱心妈妈】未能识别您的回复。完成关爱后回复1=电话 2=视频 3=走访即可记录；其他情况请打开关爱记录页面。"
        )
    today = today_local()
    reminder = (
        Reminder.objects.filter(
            phone=phone,
            pairing__status=Pairing.Status.ACTIVE,
            created_at__gte=timezone.now() - datetime.timedelta(days=SMS_REPLY_WINDOW_DAYS),
        )
        .select_related("pairing__child")
        .order_by("-created_at", "-id")
        .first()
    )
    if reminder is None:
        return _("【爱心妈妈】近期没有待回复的提醒，本次未记录。请打开关爱记录页面填写。")
    child = reminder.pairing.child
    try:
        checkin_create(
            volunteer=volunteer,
            children=[child],
            kind=kind,
            occurred_on=today,
            source=CheckIn.Source.SMS,
            logged_by=volunteer.user,
            client_key=f"sms:{reminder.pk}:{kind}:{today:%Y%m%d}",
        )
    except ServiceError as exc:
        logger.info("SMS reply from a volunteer not recorded: %s", exc)
        return _("【爱心妈妈】本次未能记录（%(why)s），请打开关爱记录页面填写。") % {"why": exc.message}
    with translation.override(settings.LANGUAGE_CODE):  # the SMS is Chinese
        what = str(CheckIn.Kind(kind).label)
    sms_send_template(
        phone=phone,
        template="checkins.sms_logged",
        params={"name": child.given_name, "what": what},
        idempotency_key=f"checkin-sms-ok:{reminder.pk}:{kind}:{today:%Y%m%d}",
        user=volunteer.user,
        urgent=True,
    )
    return ""
