"""Who may use the staff workspace (/staff/), and the decorator every workspace view wears."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.views.decorators.cache import never_cache

from backend.accounts.models import User


def workspace_can_use(user: User) -> bool:
    """Return whether the user may use the workspace.

    Federation staff with a home region, child directors with at least one village, and
    superusers. Volunteers and applicants never (they have their own pages under /v/).
    """
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    if user.role == User.Role.STAFF:
        return bool(user.home_region_id)
    if user.role == User.Role.CHILD_DIRECTOR:
        return user.villages.exists()
    return False


def workspace_is_federation(user: User) -> bool:
    """Return whether the user is federation staff (or a superuser), not a child director."""
    return bool(user.is_authenticated and (user.is_superuser or user.role == User.Role.STAFF))


def staff_page(view):
    """Require a workspace user (sign-in page otherwise, 403 for others); never cache the answer.

    Every workspace page shows personal data, so the answer carries ``Cache-Control: no-store``.
    """

    @wraps(view)
    @never_cache
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("workspace:login"))
        if not workspace_can_use(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
