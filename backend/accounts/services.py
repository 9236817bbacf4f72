from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from backend.accounts.models import User
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
