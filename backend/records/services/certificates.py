"""Certificates of service: issued by staff or requested by her and approved, numbered per issuer, publicised, revoked."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.selectors import user_region_scope
from backend.ops.errors import ServiceError
from backend.ops.images import image_validate
from backend.records.models import PUBLICITY_DAYS, Certificate, Issuer
from backend.records.selectors import approved_minutes, content_summary
from backend.regions.models import Region
from backend.volunteers.models import Volunteer

SEAL_KINDS = frozenset({"jpeg", "png"})


def issuer_for(*, region: Region) -> Issuer:
    """Return the region's issuing federation, creating it with its name in words the first time."""
    issuer, _created = Issuer.objects.get_or_create(
        region=region,
        defaults={
            "name": _("%(region)s妇女联合会") % {"region": region.name},
            "prefix": region.code,
            "responsible_person": "",
            "handler": "",
            "contact": "",
        },
    )
    return issuer


def issuer_update(
    *, by, name: str, responsible_person: str, handler: str, contact: str, seal=None, remove_seal: bool = False
) -> Issuer:
    """Set her own federation's issuing details (出具单位): name, people, contact, seal image (PNG or JPG).

    Staff change the issuer of their own region only; what it prints goes on every new certificate.
    """
    if by is None or by.is_superuser or not by.is_federation_staff or not by.home_region_id:
        raise ServiceError(_("只有妇联工作人员可以修改本单位的出具信息"), field="name")
    if not (name or "").strip():
        raise ServiceError(_("请填写出具单位名称"), field="name")
    issuer = issuer_for(region=Region.objects.get(code=by.home_region_id))
    if seal is not None:
        image_validate(
            seal,
            field="seal",
            kinds=SEAL_KINDS,
            too_big=_("印章图片不能超过5MB"),
            wrong_kind=_("印章图片只能是PNG或JPG格式"),
        )
    issuer.name = name.strip()
    issuer.responsible_person = responsible_person.strip()
    issuer.handler = handler.strip()
    issuer.contact = contact.strip()
    if remove_seal:
        issuer.seal = None
    if seal is not None:
        issuer.seal = seal
    issuer.full_clean()
    # Never last_number: a certificate issued meanwhile holds the row lock and moves it on.
    issuer.save(update_fields=["name", "responsible_person", "handler", "contact", "seal"])
    return issuer


def _period_check(volunteer: Volunteer, start: datetime.date, end: datetime.date) -> None:
    if start is None or end is None:
        raise ServiceError(_("请填写服务起止日期"), field="period_start")
    if start > end:
        raise ServiceError(_("起始日期不能晚于截止日期"), field="period_end")
    if end > timezone.localdate():
        raise ServiceError(_("截止日期不能晚于今天"), field="period_end")
    if approved_minutes(volunteer=volunteer, start=start, end=end) == 0:
        raise ServiceError(_("这段时间内没有已确认的服务时长"), field="period_start")


def _staff_issuer(by, volunteer: Volunteer) -> Issuer:
    if by is None or not (by.is_superuser or by.is_federation_staff):
        raise ServiceError(_("只有妇联工作人员可以出具证明"), field="volunteer")
    if not user_region_scope(by).contains(volunteer.village_id):
        raise ServiceError(_("爱心妈妈不存在"), field="volunteer")
    code = by.home_region_id if not by.is_superuser else volunteer.village_id[:6]
    return issuer_for(region=Region.objects.get(code=code))


def _issue(certificate: Certificate, *, by, issuer: Issuer) -> Certificate:
    # The issuer's row lock makes the numbers of one issuer sequential with no gap or repeat,
    # however many staff issue at once.
    issuer = Issuer.objects.select_for_update().get(pk=issuer.pk)
    issuer.last_number += 1
    issuer.save(update_fields=["last_number"])
    today = timezone.localdate()
    certificate.issuer = issuer
    certificate.serial = issuer.last_number
    certificate.number = f"{issuer.prefix}-{today.year}-{issuer.last_number:06d}"
    certificate.minutes = approved_minutes(
        volunteer=certificate.volunteer, start=certificate.period_start, end=certificate.period_end
    )
    certificate.content = content_summary(
        volunteer=certificate.volunteer, start=certificate.period_start, end=certificate.period_end
    )
    certificate.issued_on = today
    certificate.publicity_ends_on = today + datetime.timedelta(days=PUBLICITY_DAYS)
    certificate.responsible_person = issuer.responsible_person
    certificate.handler = issuer.handler or by.display_name or by.username
    certificate.contact = issuer.contact
    certificate.issued_by = by
    certificate.status = Certificate.Status.ISSUED
    certificate.save()
    return certificate


@transaction.atomic
def certificate_issue(
    *, by, volunteer: Volunteer, period_start: datetime.date, period_end: datetime.date
) -> Certificate:
    """Issue a certificate of her approved service in a period; it is publicised for 7 days before it stands."""
    issuer = _staff_issuer(by, volunteer)
    _period_check(volunteer, period_start, period_end)
    certificate = Certificate(volunteer=volunteer, period_start=period_start, period_end=period_end)
    return _issue(certificate, by=by, issuer=issuer)


@transaction.atomic
def certificate_request(
    *, volunteer: Volunteer, period_start: datetime.date, period_end: datetime.date, note: str = ""
) -> Certificate:
    """Ask for a certificate of a period (the volunteer herself); staff approve it."""
    _period_check(volunteer, period_start, period_end)
    if Certificate.objects.filter(volunteer=volunteer, status=Certificate.Status.REQUESTED).exists():
        raise ServiceError(_("您已有一份证明申请在审核中"), field="period_start")
    return Certificate.objects.create(
        volunteer=volunteer,
        period_start=period_start,
        period_end=period_end,
        status=Certificate.Status.REQUESTED,
        requested_note=(note or "").strip()[:300],
        requested_by=volunteer.user,
    )


@transaction.atomic
def certificate_decide(*, certificate: Certificate, by, approve: bool, note: str = "") -> Certificate:
    """Issue a requested certificate, or decline it with a reason."""
    certificate = Certificate.objects.select_for_update().select_related("volunteer").get(pk=certificate.pk)
    issuer = _staff_issuer(by, certificate.volunteer)
    if certificate.status != Certificate.Status.REQUESTED:
        raise ServiceError(_("这份申请已处理"), field="status")
    note = (note or "").strip()[:300]
    if not approve:
        if not note:
            raise ServiceError(_("请写明不同意的理由"), field="note")
        certificate.status = Certificate.Status.DECLINED
        certificate.decision_note = note
        certificate.save(update_fields=["status", "decision_note"])
        return certificate
    _period_check(certificate.volunteer, certificate.period_start, certificate.period_end)
    return _issue(certificate, by=by, issuer=issuer)


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, by, reason: str) -> Certificate:
    """Revoke an issued certificate with a reason; the verification page says so from now on."""
    certificate = Certificate.objects.select_for_update().select_related("volunteer").get(pk=certificate.pk)
    _staff_issuer(by, certificate.volunteer)
    if certificate.status != Certificate.Status.ISSUED:
        raise ServiceError(_("只有已出具的证明可以撤销"), field="status")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("请写明撤销理由"), field="reason")
    certificate.status = Certificate.Status.REVOKED
    certificate.decision_note = reason[:300]
    certificate.revoked_at = timezone.now()
    certificate.save(update_fields=["status", "decision_note", "revoked_at"])
    return certificate
