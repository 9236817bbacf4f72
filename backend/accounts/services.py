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

from backend.accounts.models import DeviceSession, PhoneCode, User
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
        raise AccountError(_("不能为本辖区以外的区划创建账户"))
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
        raise AccountError(_("儿童主任必须负责至少一个村（社区）"))
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
        raise ServiceError(_("请填写手机号码"), field=field, code="required")
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
        raise ServiceError(_("请填写正确的11位手机号码"), field=field, code="invalid")
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
        raise ServiceError(_("验证码用途无效"), field="purpose")
    for scope, limit, window in PHONE_CODE_LIMITS_PER_IP if ip else ():
        result = rate_limit_hit(scope=scope, key=ip, limit=limit, window=window)
        if not result.allowed:
            raise RateLimited(retry_after=result.retry_after, field="phone")
    for scope, limit, window in PHONE_CODE_LIMITS_PER_PHONE:
        result = rate_limit_hit(scope=scope, key=phone, limit=limit, window=window)
        if not result.allowed:
            raise RateLimited(
                _("验证码发送过于频繁，请{minutes}分钟后再试"),
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
        raise ServiceError(_("请填写短信验证码"), field="code", code="required")
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
                _("验证码已过期或不存在，请重新获取"),
                field="code",
                code="expired",
            )
        if row.attempts >= PHONE_CODE_MAX_ATTEMPTS:
            raise ServiceError(
                _("验证码错误次数过多，请重新获取"),
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
        raise ServiceError(_("验证码不正确"), field="code", code="wrong")
    return row


def phone_codes_purge(*, older_than: datetime.timedelta = datetime.timedelta(days=1)) -> int:
    """Delete phone codes created before ``older_than`` ago (they hold mobile numbers); return how many."""
    deleted, _rows = PhoneCode.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted


# --- volunteers' signed-in devices ----------------------------------------------
# How often a device's "last seen" (and with it the sliding expiry of her session) is written.
DEVICE_TOUCH_EVERY = datetime.timedelta(minutes=5)


def _session_store():
    from importlib import import_module

    return import_module(settings.SESSION_ENGINE).SessionStore


def volunteer_session_age() -> int:
    """Return how long (seconds) a volunteer stays signed in on her phone since she last used it."""
    return int(settings.VOLUNTEER_SESSION_DAYS) * 24 * 3600


def device_session_touch(*, request, user: User) -> DeviceSession | None:
    """Record that a volunteer's device was used now; every few minutes, slide her session's expiry.

    Volunteers stay signed in on their own phone (``VOLUNTEER_SESSION_DAYS``, sliding); staff
    sessions keep the platform's shorter rule (``SESSION_COOKIE_AGE``, ended at browser close).
    """
    session = request.session
    if not session.session_key:
        session.save()
    now = timezone.now()
    row = DeviceSession.objects.filter(session_key=session.session_key).first()
    if row is not None and row.user_id == user.pk and now - row.last_seen_at < DEVICE_TOUCH_EVERY:
        return row
    row, _created = DeviceSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
            "last_seen_at": now,
        },
    )
    # An integer expiry counts from the session's last save: saving it now slides it.
    session.set_expiry(volunteer_session_age())
    session.modified = True
    return row


def device_session_end(*, user: User, device_id: int) -> bool:
    """Sign one of the user's devices out (her session ends at once); return whether there was one."""
    row = DeviceSession.objects.filter(user=user, pk=device_id).first()
    if row is None:
        return False
    _session_store()().delete(row.session_key)
    row.delete()
    return True


def device_sessions_end(*, user: User, keep_session_key: str | None = None) -> int:
    """Sign the user out on every device (all her sessions end at once); return how many ended."""
    rows = DeviceSession.objects.filter(user=user)
    if keep_session_key:
        rows = rows.exclude(session_key=keep_session_key)
    keys = list(rows.values_list("session_key", flat=True))
    store = _session_store()()
    for key in keys:
        store.delete(key)
    rows.delete()
    return len(keys)
