"""Her trainings, honours (nominated by town or county staff, approved up the tree) and yearly evaluations."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.selectors import user_region_scope
from backend.ops.errors import ServiceError
from backend.records.models import Evaluation, Nomination, NominationStep, TrainingRecord
from backend.records.selectors import honour_criteria
from backend.regions.models import Region
from backend.volunteers.models import ScreeningCheck, Volunteer

PRE_SERVICE_CODE = "training"


def _staff_over(by, volunteer: Volunteer) -> None:
    if by is None or not (by.is_superuser or by.is_federation_staff):
        raise ServiceError(_("只有妇联工作人员可以操作"), field="volunteer")
    if not user_region_scope(by).contains(volunteer.village_id):
        raise ServiceError(_("爱心妈妈不存在"), field="volunteer")


def training_record(
    *, by, volunteer: Volunteer, topic: str, held_on: datetime.date, hours, organiser: str
) -> TrainingRecord:
    """Record a training she took (topic, date, hours, organiser)."""
    _staff_over(by, volunteer)
    try:
        hours = Decimal(str(hours))
    except InvalidOperation:
        raise ServiceError(_("培训学时应为数字"), field="hours") from None
    if not Decimal("0") < hours <= Decimal("99"):
        raise ServiceError(_("培训学时应在0到99之间"), field="hours")
    if held_on > timezone.localdate():
        raise ServiceError(_("培训日期不能晚于今天"), field="held_on")
    record = TrainingRecord(
        volunteer=volunteer,
        topic=(topic or "").strip(),
        held_on=held_on,
        hours=hours,
        organiser=(organiser or "").strip(),
        recorded_by=by,
    )
    if not record.topic:
        raise ServiceError(_("请填写培训主题"), field="topic")
    if not record.organiser:
        raise ServiceError(_("请填写组织单位"), field="organiser")
    record.full_clean()
    record.save()
    return record


def training_from_screening(*, volunteer: Volunteer) -> TrainingRecord | None:
    """Record the 岗前培训 ticked on her application's screening checklist (once); None if not ticked."""
    if volunteer.application_id is None:
        return None
    check = (
        ScreeningCheck.objects.filter(application_id=volunteer.application_id, item__code=PRE_SERVICE_CODE, done=True)
        .select_related("item")
        .first()
    )
    if check is None:
        return None
    record, _created = TrainingRecord.objects.get_or_create(
        volunteer=volunteer,
        pre_service=True,
        defaults={
            "topic": _("岗前培训"),
            "held_on": timezone.localdate(check.checked_at),
            "hours": Decimal("2"),
            "organiser": volunteer.programme.region.name + _("妇女联合会"),
            "recorded_by": check.checked_by,
        },
    )
    return record


def _next_up(code: str, towards: str) -> str:
    """Return the code of the level above ``code`` on the way to ``towards``."""
    lengths = sorted(n for n in Region.CODE_LENGTHS.values() if len(towards) <= n < len(code))
    return code[: lengths[-1]] if lengths else towards


@transaction.atomic
def nomination_raise(
    *, by, volunteer: Volunteer, title: str, year: int, statement: str, awarding_region: Region
) -> Nomination:
    """Nominate her for an honour (town or county staff); the levels up to the awarding one decide in turn."""
    _staff_over(by, volunteer)
    if not by.is_superuser and Region.level_of(by.home_region_id) not in (Region.Level.COUNTY, Region.Level.TOWN):
        raise ServiceError(_("表彰推荐由乡镇或县级妇联工作人员提出"), field="volunteer")
    title = (title or "").strip()
    statement = (statement or "").strip()
    if not title:
        raise ServiceError(_("请填写荣誉名称"), field="title")
    if not statement:
        raise ServiceError(_("请写明推荐理由"), field="statement")
    today = timezone.localdate()
    if not 2000 <= int(year) <= today.year:
        raise ServiceError(_("年度不正确"), field="year")
    own = by.home_region_id if not by.is_superuser else volunteer.village_id[:9]
    if awarding_region is None or not own.startswith(awarding_region.code):
        raise ServiceError(_("授予单位应为本级或上级妇联"), field="awarding_region")
    criteria = honour_criteria(volunteer=volunteer, today=today)
    nomination = Nomination(
        volunteer=volunteer,
        title=title,
        year=int(year),
        statement=statement,
        awarding_region=awarding_region,
        current_region_id=_next_up(own, awarding_region.code),
        approved_hours=Decimal(str(criteria["approved_hours"])),
        children_cared=criteria["children_cared"],
        months_without_lapse=criteria["months_without_lapse"],
        nominated_by=by,
    )
    nomination.full_clean(exclude=["volunteer", "awarding_region", "current_region"], validate_constraints=False)
    try:
        with transaction.atomic():
            nomination.save()
    except IntegrityError:
        raise ServiceError(_("她已被推荐过这一年度的这项荣誉"), field="title") from None
    return nomination


@transaction.atomic
def nomination_decide(*, nomination: Nomination, by, approve: bool, note: str = "") -> Nomination:
    """Decide at the level whose turn it is: agree (passes up, or awards at the top) or decline."""
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if nomination.status != Nomination.Status.IN_REVIEW:
        raise ServiceError(_("这项推荐已审核完毕"), field="status")
    if by is None or not (
        by.is_superuser or (by.is_federation_staff and by.home_region_id == nomination.current_region_id)
    ):
        raise ServiceError(_("由%(region)s妇联审核") % {"region": nomination.current_region.name}, field="status")
    note = (note or "").strip()[:300]
    if not approve and not note:
        raise ServiceError(_("请写明不同意的理由"), field="note")
    NominationStep.objects.create(
        nomination=nomination, region_id=nomination.current_region_id, approved=approve, note=note, decided_by=by
    )
    if not approve:
        nomination.status = Nomination.Status.REJECTED
    elif nomination.current_region_id == nomination.awarding_region_id:
        nomination.status = Nomination.Status.AWARDED
        nomination.awarded_on = timezone.localdate()
    else:
        nomination.current_region_id = _next_up(nomination.current_region_id, nomination.awarding_region_id)
    nomination.save(update_fields=["status", "awarded_on", "current_region"])
    return nomination


def evaluation_record(*, by, volunteer: Volunteer, year: int, grade: str, comment: str = "") -> Evaluation:
    """Record (or correct) her evaluation of a year."""
    _staff_over(by, volunteer)
    if grade not in Evaluation.Grade.values:
        raise ServiceError(_("请选择评价等次"), field="grade")
    if not 2000 <= int(year) <= timezone.localdate().year:
        raise ServiceError(_("年度不正确"), field="year")
    evaluation, _created = Evaluation.objects.update_or_create(
        volunteer=volunteer,
        year=int(year),
        defaults={"grade": grade, "comment": (comment or "").strip()[:500], "evaluated_by": by},
    )
    return evaluation
