import datetime
import hmac
import secrets

import phonenumbers
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import PhoneCode, User
from backend.ops.errors import ServiceError
from backend.ops.ratelimit import RateLimited, rate_limit_hit
from backend.privacy.crypto import keyed_hash
from backend.regions.models import Region


class AccountError(Exception):
    """A user-facing error about an account."""


@transaction.atomic
def staff_create(
    *,
    username: str,
    password: str,
    home_region: Region,
    display_name: str = "",
    email: str = "",
    created_by: User | None = None,
) -> User:
    """Create a federation staff account for a region the creator may act on."""
    from backend.accounts.selectors import user_region_scope

    if created_by is not None and not user_region_scope(created_by).contains(home_region.code):
        raise AccountError(_("不能为本辖区以外的区划创建账户 / cannot create an account outside your region"))
    user = User(
        username=username,
        display_name=display_name,
        email=email,
        role=User.Role.STAFF,
        home_region=home_region,
        is_staff=True,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise AccountError(" ".join(exc.messages)) from exc
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def child_director_create(*, username: str, password: str, villages: list[Region], display_name: str = "") -> User:
    """Create a child director (儿童主任) responsible for one or more villages."""
    if not villages or any(v.level != Region.Level.VILLAGE for v in villages):
        raise AccountError(_("儿童主任必须负责至少一个村（社区） / a child director needs at least one village"))
    user = User(username=username, display_name=display_name, role=User.Role.CHILD_DIRECTOR, is_staff=True)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise AccountError(" ".join(exc.messages)) from exc
    user.set_password(password)
    user.full_clean()
    user.save()
    user.villages.set(villages)
    return user


# --- phone verification codes ---------------------------------------------------
PHONE_CODE_TTL = datetime.timedelta(minutes=10)
PHONE_CODE_MAX_ATTEMPTS = 5
# (scope, limit, window seconds): one code a minute and 5 an hour per number; 20 an hour per IP.
PHONE_CODE_LIMITS_PER_PHONE = (("phone-code:phone:minute", 1, 60), ("phone-code:phone:hour", 5, 3600))
PHONE_CODE_LIMITS_PER_IP = (("phone-code:ip:hour", 20, 3600),)


def phone_normalise(value: str, *, field: str = "phone") -> str:
    """Return a mainland mobile number in E.164 (+86...), or raise ServiceError naming ``field``."""
    raw = (value or "").strip()
    if not raw:
        raise ServiceError(_("请填写手机号码 / mobile number is required"), field=field, code="required")
    try:
        number = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        number = None
    if (
        number is None
        or number.country_code != 86
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number)
        not in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    ):
        raise ServiceError(
            _("请填写正确的11位手机号码 / enter a valid mainland China mobile number"), field=field, code="invalid"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _phone_code_hash(*, phone: str, purpose: str, code: str) -> str:
    return keyed_hash(f"{phone}:{code}", purpose=f"phone-code:{purpose}")


@transaction.atomic
def phone_code_request(*, phone: str, purpose: str, ip: str = "", send: bool = True) -> PhoneCode:
    """Send a fresh one-time code by SMS to a mobile number; earlier unused codes stop working.

    Rate-limited per number and per client IP (``RateLimited``, a 429 in the API).
    """
    from notifications.services import sms_send_template

    phone = phone_normalise(phone)
    if purpose not in PhoneCode.Purpose.values:
        raise ServiceError(_("验证码用途无效 / unknown code purpose"), field="purpose")
    for scope, limit, window in PHONE_CODE_LIMITS_PER_IP if ip else ():
        result = rate_limit_hit(scope=scope, key=ip, limit=limit, window=window)
        if not result.allowed:
            raise RateLimited(retry_after=result.retry_after, field="phone")
    for scope, limit, window in PHONE_CODE_LIMITS_PER_PHONE:
        result = rate_limit_hit(scope=scope, key=phone, limit=limit, window=window)
        if not result.allowed:
            raise RateLimited(
                _("验证码发送过于频繁，请{minutes}分钟后再试 / codes sent too often, try again in {minutes} min"),
                retry_after=result.retry_after,
                field="phone",
            )
    now = timezone.now()
    PhoneCode.objects.filter(phone=phone, purpose=purpose, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    code = f"{secrets.randbelow(1_000_000):06d}"
    row = PhoneCode.objects.create(
        phone=phone,
        purpose=purpose,
        code_hash=_phone_code_hash(phone=phone, purpose=purpose, code=code),
        expires_at=now + getattr(settings, "PHONE_CODE_TTL", PHONE_CODE_TTL),
    )
    if send:
        sms_send_template(
            phone=phone,
            template="phone_code",
            params={"code": code, "minutes": int(PHONE_CODE_TTL.total_seconds() // 60)},
            idempotency_key=f"phone-code:{row.pk}",
        )
    return row


def phone_code_verify(*, phone: str, purpose: str, code: str) -> PhoneCode:
    """Check a code sent to ``phone``; mark it used and return it, or raise ServiceError on field ``code``."""
    phone = phone_normalise(phone)
    code = (code or "").strip()
    if not code:
        raise ServiceError(_("请填写短信验证码 / enter the SMS code"), field="code", code="required")
    with transaction.atomic():
        row = (
            PhoneCode.objects.select_for_update()
            .filter(phone=phone, purpose=purpose, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        now = timezone.now()
        if row is None or row.expires_at <= now:
            raise ServiceError(
                _("验证码已过期或不存在，请重新获取 / the code has expired: request a new one"),
                field="code",
                code="expired",
            )
        if row.attempts >= PHONE_CODE_MAX_ATTEMPTS:
            raise ServiceError(
                _("验证码错误次数过多，请重新获取 / too many wrong codes: request a new one"),
                field="code",
                code="too_many_attempts",
            )
        expected = _phone_code_hash(phone=phone, purpose=purpose, code=code)
        if not hmac.compare_digest(expected, row.code_hash):
            row.attempts += 1
            row.save(update_fields=["attempts"])
            wrong = True
        else:
            row.used_at = now
            row.save(update_fields=["used_at"])
            wrong = False
    # Raised outside the atomic block, so the counted attempt is kept.
    if wrong:
        raise ServiceError(_("验证码不正确 / the code is wrong"), field="code", code="wrong")
    return row


def phone_codes_purge(*, older_than: datetime.timedelta = datetime.timedelta(days=1)) -> int:
    """Delete phone codes created before ``older_than`` ago (they hold mobile numbers); return how many."""
    deleted, _rows = PhoneCode.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
