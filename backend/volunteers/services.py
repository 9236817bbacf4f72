"""Writes of recruitment: submit, screen, decide, register units and teams, exit."""

import datetime
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError as StdnumError

from backend.accounts.models import User
from backend.accounts.selectors import user_region_scope
from backend.ops.errors import ConflictError, ServiceError
from backend.privacy.idnumbers import id_number_hash, parse_resident_id
from backend.privacy.names import name_clean
from backend.programmes.models import Programme
from backend.regions.models import Region
from backend.volunteers.models import (
    Application,
    Availability,
    CaringUnit,
    Decision,
    Declaration,
    ScreeningCheck,
    ScreeningItem,
    Skill,
    Team,
    Volunteer,
    VolunteerStatusChange,
)
from notifications.services import sms_send_template

REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
MAX_CAPACITY = 10
DEFAULT_SCREENING_ITEMS = [
    ("interview", "面谈已完成"),
    ("training", "岗前培训已完成"),
    ("references", "推荐人或单位意见已核实"),
    ("declarations", "无犯罪记录及健康声明已核实"),
]
# A run of 15+ digits looks like an ID number: never let one into a text message.
_ID_LIKE = re.compile(r"\d{14,17}[\dXx]")


def _status_url() -> str:
    return f"{settings.PUBLIC_BASE_URL}/apply/status/"


def _actor_name(user) -> str:
    return getattr(user, "username", "") or "applicant"


def _require_in_scope(user: User, code: str) -> None:
    if not user_region_scope(user).contains(code):
        raise ServiceError(_("该记录不在您的辖区内"), code="out_of_scope")


def _no_id_numbers(text: str, *, field: str) -> None:
    if _ID_LIKE.search(text or ""):
        raise ServiceError(_("短信内容中不能包含身份证号码"), field=field)


def reference_generate(*, today: datetime.date | None = None) -> str:
    """Return a new application reference number, e.g. ZM26K7Q3XA."""
    today = today or timezone.localdate()
    return f"ZM{today:%y}" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


# --- applications --------------------------------------------------------------------


def application_validate(
    *,
    programme: Programme,
    name: str,
    gender: str,
    id_number: str,
    village_code: str,
    skills: list[str],
    capacity: int | None,
    availability: list[str],
    declarations: list[str],
    consent: bool,
    caring_unit_id: int | None = None,
    today: datetime.date | None = None,
) -> dict:
    """Check an application against the programme's selection conditions; raise ValidationError per field.

    Returns the derived facts: ``resident_id``, ``village`` and ``caring_unit``.
    """
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    derived: dict = {"resident_id": None, "village": None, "caring_unit": None}

    if not programme.is_active or not programme.recruitment_open:
        errors.setdefault("__all__", []).append(_("该项目目前不在招募期"))
    if not (name or "").strip():
        errors["name"] = [_("请填写姓名")]
    elif len(name.strip()) < 2:
        errors["name"] = [_("姓名至少2个字")]

    try:
        rid = parse_resident_id(id_number, today=today)
    except ValidationError as exc:
        errors["id_number"] = [str(m) for m in exc.messages]
        rid = None
    if rid is not None:
        derived["resident_id"] = rid
        age = rid.age_on(today)
        if not programme.min_age <= age <= programme.max_age:
            errors["id_number"] = [
                _("本项目招募{min}至{max}周岁的志愿者，您今年{age}周岁").format(
                    min=programme.min_age, max=programme.max_age, age=age
                )
            ]
        if gender and gender != rid.gender:
            errors["gender"] = [_("性别与身份证号码不一致")]
    if gender not in ("F", "M"):
        errors["gender"] = [_("请选择性别")]

    # The home village must lie in the programme's area; the ID's birthplace is never compared.
    village = Region.objects.filter(code=village_code or "").first()
    if village is None or village.level != Region.Level.VILLAGE:
        errors["village"] = [_("请选择居住的村（社区）")]
    elif not village.code.startswith(programme.region_id):
        errors["village"] = [_("所选村（社区）不在本项目的招募范围（{area}）内").format(area=programme.region.name)]
    else:
        derived["village"] = village

    unknown_skills = set(skills or []) - set(Skill.values)
    if unknown_skills:
        errors["skills"] = [_("专业特长选项无效")]
    if capacity is None or not 1 <= int(capacity) <= MAX_CAPACITY:
        errors["capacity"] = [_("可结对儿童数应为1至{max}名").format(max=MAX_CAPACITY)]
    if not availability:
        errors["availability"] = [_("请至少选择一个可服务时间")]
    elif set(availability) - set(Availability.values):
        errors["availability"] = [_("可服务时间选项无效")]
    missing = [d for d in programme.required_declarations if d not in (declarations or [])]
    if missing:
        labels = "、".join(str(Declaration(d).label) for d in missing if d in Declaration.values)
        errors["declarations"] = [_("本项目要求声明：{items}").format(items=labels or "、".join(missing))]
    elif set(declarations or []) - set(Declaration.values):
        errors["declarations"] = [_("声明选项无效")]
    if not consent:
        errors["consent"] = [_("请阅读并同意隐私政策")]
    if caring_unit_id:
        derived["caring_unit"] = CaringUnit.objects.filter(pk=caring_unit_id).first()
        if derived["caring_unit"] is None:
            errors["caring_unit"] = [_("爱心单位不存在")]

    if errors:
        raise ValidationError(errors)
    return derived


def application_duplicate_check(*, programme: Programme, id_hash: str, phone: str) -> None:
    """Raise ValidationError if the person or the number already has a pending or approved application."""
    live = Application.objects.filter(programme=programme, status__in=Application.LIVE_STATUSES)
    errors = {}
    if live.filter(id_number_hash=id_hash).exists():
        errors["id_number"] = [_("该身份证号码已有待审核或已通过的报名，请勿重复报名，可凭手机号查询进度")]
    if live.filter(phone=phone).exists():
        errors["phone"] = [_("该手机号已有待审核或已通过的报名，请勿重复报名，可凭手机号查询进度")]
    if errors:
        raise ValidationError(errors, code="duplicate")


def application_submit(
    *,
    programme: Programme,
    name: str,
    gender: str,
    id_number: str,
    phone: str,
    phone_verified_at: datetime.datetime | None,
    village_code: str,
    workplace: str = "",
    caring_unit_id: int | None = None,
    occupation: str = "",
    skills: list[str] | None = None,
    capacity: int | None = 1,
    availability: list[str] | None = None,
    joins_team: bool = False,
    motivation: str = "",
    declarations: list[str] | None = None,
    consent: bool = False,
    today: datetime.date | None = None,
) -> Application:
    """Record a verified applicant's application and text her its reference number."""
    from backend.accounts.services import phone_normalise

    errors: dict[str, list[str]] = {}
    name = name_clean(name)
    try:
        phone = phone_normalise(phone)
    except ServiceError as exc:
        errors["phone"] = [exc.message]
    if phone_verified_at is None and "phone" not in errors:
        errors["code"] = [_("请先验证手机号")]
    try:
        derived = application_validate(
            programme=programme,
            name=name,
            gender=gender,
            id_number=id_number,
            village_code=village_code,
            skills=skills or [],
            capacity=capacity,
            availability=availability or [],
            declarations=declarations or [],
            consent=consent,
            caring_unit_id=caring_unit_id,
            today=today,
        )
    except ValidationError as exc:
        errors = {**exc.message_dict, **errors}
    if errors:
        raise ValidationError(errors)

    rid = derived["resident_id"]
    id_hash = id_number_hash(rid.number)
    application_duplicate_check(programme=programme, id_hash=id_hash, phone=phone)
    application = Application(
        programme=programme,
        name=name.strip(),
        gender=rid.gender,
        id_number=rid.number,
        id_number_hash=id_hash,
        birth_date=rid.birth_date,
        phone=phone,
        phone_verified_at=phone_verified_at,
        village=derived["village"],
        workplace=(workplace or "").strip(),
        caring_unit=derived["caring_unit"],
        occupation=(occupation or "").strip(),
        skills=sorted(set(skills or [])),
        capacity=int(capacity),
        availability=sorted(set(availability or [])),
        joins_team=bool(joins_team),
        motivation=(motivation or "").strip(),
        declarations=sorted(set(declarations or [])),
        consent_at=timezone.now(),
    )
    for _attempt in range(3):
        application.reference = reference_generate(today=today)
        try:
            with transaction.atomic():
                application.save()
                screening_items_ensure(programme=programme)
                sms_send_template(
                    phone=phone,
                    template="application_received",
                    params={"name": application.name, "reference": application.reference, "url": _status_url()},
                    idempotency_key=f"application-received:{application.reference}",
                )
            return application
        except IntegrityError as exc:
            if "reference" in str(exc):
                continue
            # Someone submitted the same person or number a moment ago.
            application_duplicate_check(programme=programme, id_hash=id_hash, phone=phone)
            raise
    raise ServiceError(_("系统繁忙，请稍后重试"))


@transaction.atomic
def application_withdraw(*, application: Application, note: str = "") -> Application:
    """Let the applicant withdraw her pending application (she proved her number by SMS)."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not application.is_open:
        raise ConflictError(
            _("该报名当前状态为{status}，不能撤回").format(status=str(application.get_status_display())),
            code="not_open",
        )
    application.status = Application.Status.WITHDRAWN
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decided_at", "updated_at"])
    Decision.objects.create(
        application=application, action=Decision.Action.WITHDRAW, reason=note[:500], decided_by_name="applicant"
    )
    return application


@transaction.atomic
def application_reply(*, application: Application, text: str) -> Application:
    """Record the applicant's answer to a request for more information and put it back in the queue."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    text = (text or "").strip()
    if application.status != Application.Status.MORE_INFO:
        raise ConflictError(_("该报名当前不需要补充信息"), field="text")
    if not text:
        raise ServiceError(_("请填写需要补充的信息"), field="text")
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    application.applicant_reply = f"{application.applicant_reply}\n[{stamp}] {text}".strip()[:5000]
    application.status = Application.Status.PENDING
    application.save(update_fields=["applicant_reply", "status", "updated_at"])
    return application


# --- screening and decisions -----------------------------------------------------------


def screening_items_ensure(*, programme: Programme) -> list[ScreeningItem]:
    """Return the programme's checklist, creating the default one if it has none."""
    items = list(ScreeningItem.objects.filter(programme=programme))
    if items:
        return items
    for order, (code, label) in enumerate(DEFAULT_SCREENING_ITEMS):
        ScreeningItem.objects.get_or_create(programme=programme, code=code, defaults={"label": label, "order": order})
    return list(ScreeningItem.objects.filter(programme=programme))


@transaction.atomic
def screening_check_set(
    *, application: Application, item_code: str, done: bool, by: User, note: str = ""
) -> ScreeningCheck:
    """Tick or untick one checklist item of an application."""
    _require_in_scope(by, application.village_id)
    item = ScreeningItem.objects.filter(programme_id=application.programme_id, code=item_code).first()
    if item is None:
        raise ServiceError(_("筛查项不存在：{code}").format(code=item_code), field="checks")
    check, _created = ScreeningCheck.objects.update_or_create(
        application=application, item=item, defaults={"done": bool(done), "note": note[:200], "checked_by": by}
    )
    return check


@transaction.atomic
def screening_checks_save(*, application: Application, by: User, checks: dict[str, bool]) -> Application:
    """Tick or untick several checklist items of an application at once, without a decision."""
    _require_in_scope(by, application.village_id)
    if not application.is_open:
        raise ConflictError(_("该报名已处理，不能再修改筛查清单"), field="checks", code="not_open")
    for code, done in checks.items():
        screening_check_set(application=application, item_code=code, done=done, by=by)
    return application


def _decision_start(application: Application, by: User) -> Application:
    _require_in_scope(by, application.village_id)
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if not locked.is_open:
        raise ConflictError(
            _("该报名已处理（{status}），不能再做决定").format(status=str(locked.get_status_display())),
            code="not_open",
        )
    return locked


@transaction.atomic
def application_approve(*, application: Application, by: User, team: Team | None = None, note: str = "") -> Volunteer:
    """Approve an application whose required checks are done: create the volunteer and her account."""
    application = _decision_start(application, by)
    items = screening_items_ensure(programme=application.programme)
    done = set(application.checks.filter(done=True).values_list("item_id", flat=True))
    missing = [str(i.label).split(" / ")[0] for i in items if i.required and i.pk not in done]  # stored labels
    if missing:
        raise ServiceError(
            _("通过前须完成筛查：{items}").format(items="、".join(missing)),
            field="checks",
            code="checklist_incomplete",
        )
    if team is not None:
        if team.programme_id != application.programme_id:
            raise ServiceError(_("小分队不属于本项目"), field="team")
        _require_in_scope(by, team.region_id)

    user = User.objects.filter(phone=application.phone).first()
    if user is not None and user.role != User.Role.VOLUNTEER:
        raise ConflictError(_("该手机号已被工作人员账户使用"), field="phone")
    if user is None:
        user = User(
            username=f"v{application.phone.lstrip('+')}",
            role=User.Role.VOLUNTEER,
            phone=application.phone,
            display_name=application.name,
        )
        # Volunteers sign in with an SMS code, never a password.
        user.set_unusable_password()
        user.save()
    volunteer = Volunteer.objects.filter(user=user).first()
    if volunteer is not None and volunteer.status != Volunteer.Status.ENDED:
        raise ConflictError(_("该爱心妈妈已在岗"), field="phone")
    volunteer = volunteer or Volunteer(user=user)
    for field in ("programme", "name", "gender", "birth_date", "id_number", "id_number_hash", "phone", "village"):
        setattr(volunteer, field, getattr(application, field))
    volunteer.application = application
    volunteer.caring_unit = application.caring_unit
    volunteer.team = team if application.joins_team or team is not None else None
    volunteer.occupation = application.occupation
    volunteer.skills = application.skills
    volunteer.capacity = application.capacity
    volunteer.availability = application.availability
    volunteer.status = Volunteer.Status.ACTIVE
    volunteer.status_reason = ""
    volunteer.status_note = ""
    volunteer.status_changed_at = timezone.now()
    volunteer.ended_on = None
    volunteer.full_clean(exclude=["user", "application", "id_number_masked"])
    volunteer.save()

    application.status = Application.Status.APPROVED
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decided_at", "updated_at"])
    Decision.objects.create(
        application=application,
        action=Decision.Action.APPROVE,
        reason=note[:500],
        decided_by=by,
        decided_by_name=_actor_name(by),
    )
    sms_send_template(
        phone=application.phone,
        template="application_approved",
        params={"name": application.name, "reference": application.reference},
        idempotency_key=f"application-approved:{application.reference}",
    )
    return volunteer


@transaction.atomic
def application_reject(*, application: Application, by: User, reason: str) -> Application:
    """Reject an application with a reason the applicant is told by SMS."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("不通过时必须填写理由"), field="reason", code="required")
    _no_id_numbers(reason, field="reason")
    application = _decision_start(application, by)
    application.status = Application.Status.REJECTED
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decided_at", "updated_at"])
    decision = Decision.objects.create(
        application=application,
        action=Decision.Action.REJECT,
        reason=reason[:500],
        decided_by=by,
        decided_by_name=_actor_name(by),
    )
    sms_send_template(
        phone=application.phone,
        template="application_rejected",
        params={"name": application.name, "reference": application.reference, "reason": reason[:100]},
        idempotency_key=f"application-decision:{decision.pk}",
    )
    return application


@transaction.atomic
def application_request_info(*, application: Application, by: User, message: str) -> Application:
    """Ask the applicant for more information; she reads it on the status page and by SMS."""
    message = (message or "").strip()
    if not message:
        raise ServiceError(_("请填写需要申请人补充的内容"), field="reason", code="required")
    _no_id_numbers(message, field="reason")
    application = _decision_start(application, by)
    application.status = Application.Status.MORE_INFO
    application.staff_message = message[:1000]
    application.save(update_fields=["status", "staff_message", "updated_at"])
    decision = Decision.objects.create(
        application=application,
        action=Decision.Action.MORE_INFO,
        reason=message[:500],
        decided_by=by,
        decided_by_name=_actor_name(by),
    )
    sms_send_template(
        phone=application.phone,
        template="application_more_info",
        params={
            "name": application.name,
            "reference": application.reference,
            "message": message[:100],
            "url": _status_url(),
        },
        idempotency_key=f"application-decision:{decision.pk}",
    )
    return application


def application_decide(
    *,
    application: Application,
    by: User,
    action: str,
    reason: str = "",
    team: Team | None = None,
    checks: dict[str, bool] | None = None,
):
    """Tick checklist items, then take one decision: approve, reject or ask for more information."""
    with transaction.atomic():
        for code, done in (checks or {}).items():
            screening_check_set(application=application, item_code=code, done=done, by=by)
        if action == Decision.Action.APPROVE:
            return application_approve(application=application, by=by, team=team, note=reason)
        if action == Decision.Action.REJECT:
            return application_reject(application=application, by=by, reason=reason)
        if action == Decision.Action.MORE_INFO:
            return application_request_info(application=application, by=by, message=reason)
    raise ServiceError(_("请选择审核决定"), field="action")


# --- caring units and teams ------------------------------------------------------------


def uscc_normalise(value: str) -> str:
    """Return a validated Unified Social Credit Code (统一社会信用代码), or raise ServiceError."""
    try:
        return stdnum_uscc.validate(value or "")
    except StdnumError:
        raise ServiceError(_("统一社会信用代码不正确（18位，含校验位）"), field="uscc") from None


@transaction.atomic
def caring_unit_register(
    *, name: str, uscc: str, region: Region, contact_name: str, contact_phone: str = "", by: User
) -> CaringUnit:
    """Register a caring unit (爱心单位) in a region the registering staff member covers."""
    code = uscc_normalise(uscc)
    name, contact_name = name_clean(name), name_clean(contact_name)
    if not (name or "").strip():
        raise ServiceError(_("请填写单位名称"), field="name")
    if not (contact_name or "").strip():
        raise ServiceError(_("请填写联系人"), field="contact_name")
    if contact_phone:
        from backend.accounts.services import phone_normalise

        contact_phone = phone_normalise(contact_phone, field="contact_phone")
    _require_in_scope(by, region.code)
    if CaringUnit.objects.filter(uscc=code).exists():
        raise ConflictError(_("该统一社会信用代码的单位已登记"), field="uscc")
    unit = CaringUnit(
        name=name.strip(),
        uscc=code,
        region=region,
        contact_name=contact_name.strip(),
        contact_phone=contact_phone,
        created_by=by,
    )
    unit.full_clean()
    unit.save()
    return unit


@transaction.atomic
def team_create(*, programme: Programme, name: str, region: Region, by: User) -> Team:
    """Create a volunteer team (关爱小分队) for an area of the programme."""
    _require_in_scope(by, region.code)
    name = name_clean(name)
    if not region.code.startswith(programme.region_id):
        raise ServiceError(_("小分队的服务区划须在项目范围内"), field="region")
    if not (name or "").strip():
        raise ServiceError(_("请填写小分队名称"), field="name")
    if Team.objects.filter(programme=programme, name=name.strip()).exists():
        raise ConflictError(_("已有同名小分队"), field="name")
    return Team.objects.create(programme=programme, name=name.strip(), region=region)


# --- exit (退出机制) ----------------------------------------------------------------------


@transaction.atomic
def volunteer_status_change(
    *, volunteer: Volunteer, status: str, by: User | None, reason: str = "", note: str = ""
) -> Volunteer:
    """Suspend, end or reinstate a volunteer, recording why and when, and tell her by SMS.

    Ending a volunteer also ends her own pairings (the pairing app's
    ``pairings_end_for_volunteer``); their children then count as awaiting re-pairing
    (``pairing.selectors.children_awaiting_pairing`` flags them ``needs_repairing``).
    A suspension leaves her pairings as they are: staff pause or end them in the pairing app.
    Either signs her out on all her devices.
    """
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if by is not None:
        _require_in_scope(by, volunteer.village_id)
    if status not in Volunteer.Status.values:
        raise ServiceError(_("状态无效"), field="status")
    if volunteer.status == Volunteer.Status.ENDED:
        raise ConflictError(_("该爱心妈妈已退出"), field="status")
    if status == volunteer.status:
        raise ConflictError(_("状态未变化"), field="status")
    if status != Volunteer.Status.ACTIVE and reason not in Volunteer.ExitReason.values:
        raise ServiceError(_("请选择暂停或退出的原因"), field="reason", code="required")
    previous = volunteer.status
    now = timezone.now()
    volunteer.status = status
    volunteer.status_reason = reason if status != Volunteer.Status.ACTIVE else ""
    volunteer.status_note = (note or "")[:300]
    volunteer.status_changed_at = now
    volunteer.ended_on = timezone.localdate() if status == Volunteer.Status.ENDED else None
    volunteer.save(update_fields=["status", "status_reason", "status_note", "status_changed_at", "ended_on"])
    if status != Volunteer.Status.ACTIVE:
        from backend.accounts.services import device_sessions_end

        # Suspended or exited: signed out on every device, at once.
        device_sessions_end(user=volunteer.user)
    if status == Volunteer.Status.ENDED:
        from pairing.services import pairings_end_for_volunteer

        with translation.override(settings.LANGUAGE_CODE):  # stored, in the platform's language
            reason_label = str(Volunteer.ExitReason(volunteer.status_reason).label)
        pairings_end_for_volunteer(volunteer=volunteer, note=f"{reason_label} {volunteer.status_note}".strip())
    change = VolunteerStatusChange.objects.create(
        volunteer=volunteer,
        from_status=previous,
        to_status=status,
        reason=volunteer.status_reason,
        note=volunteer.status_note,
        changed_by=by,
        changed_by_name=_actor_name(by) if by is not None else volunteer.user.username,
    )
    with translation.override(settings.LANGUAGE_CODE):  # the SMS is Chinese, whoever sends it
        status_words = str(volunteer.get_status_display())
    sms_send_template(
        phone=volunteer.phone,
        template="volunteer_status_changed",
        params={"name": volunteer.name, "status": status_words},
        idempotency_key=f"volunteer-status:{change.pk}",
    )
    return volunteer


def volunteer_withdraw(*, volunteer: Volunteer, note: str = "") -> Volunteer:
    """Let a volunteer end her own service (at her request)."""
    return volunteer_status_change(
        volunteer=volunteer, status=Volunteer.Status.ENDED, by=None, reason=Volunteer.ExitReason.OWN_REQUEST, note=note
    )


# --- the staff workspace: bulk decisions and messages ----------------------------------------


def applications_approve_bulk(*, applications: list[Application], by: User) -> dict:
    """Approve each application whose checklist is complete, each on its own; say why others were not."""
    approved, skipped = [], []
    for application in applications:
        try:
            application_approve(application=application, by=by)
            approved.append(application.reference)
        except ServiceError as exc:
            skipped.append({"reference": application.reference, "name": application.name, "error": exc.message})
    return {"approved": approved, "skipped": skipped}


def office_name(user: User) -> str:
    """Return how a staff member's office signs a message: "沁水县妇联"."""
    region = user.home_region if getattr(user, "home_region_id", None) else None
    return f"{region.name}妇联" if region else "妇联"


def volunteer_message_send(*, volunteer: Volunteer, by: User, template: str):
    """Send a volunteer one of the staff's message templates (no child's data) through the outbox.

    WeChat if she bound it and prefers it, else SMS. The same template goes to the same
    volunteer at most once a day, so a double click sends one message.
    """
    from backend.volunteers.messages import STAFF_MESSAGES
    from notifications.models import Message
    from notifications.services import message_to_user

    _require_in_scope(by, volunteer.village_id)
    if template not in STAFF_MESSAGES:
        raise ServiceError(_("请选择消息模板"), field="template", code="required")
    if volunteer.status == Volunteer.Status.ENDED:
        raise ConflictError(_("该爱心妈妈已退出，不能再发送消息"), field="template", code="ended")
    key = f"volunteer-note:{volunteer.pk}:{template}:{timezone.localdate():%Y%m%d}"
    if Message.objects.filter(idempotency_key=key).exists():
        raise ConflictError(_("今天已给她发送过这条消息"), field="template", code="duplicate")
    return message_to_user(
        user=volunteer.user,
        template=template,
        params={"name": volunteer.name, "office": office_name(by)},
        programme=volunteer.programme,
        region_id=volunteer.village_id,
        idempotency_key=key,
    )
