"""Who may open the dashboard, and which region a request may show."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from backend.accounts.models import User
from backend.accounts.selectors import user_region_scope
from backend.regions.models import Region


def dashboard_can_view(user: User) -> bool:
    """Return whether the user may open the dashboard at all (federation staff, superusers)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or (user.is_staff and user.role == User.Role.STAFF and user.home_region_id))
    )


def dashboard_home_code(*, user: User) -> str | None:
    """Return the code of the region the user starts at (None: the top of the tree, superusers)."""
    if not dashboard_can_view(user):
        raise PermissionDenied
    return None if user.is_superuser else user.home_region_id


def dashboard_region(*, user: User, code: str | None) -> Region | None:
    """Return the region the user asked for, or 404 if it is outside her area (or unknown).

    A staff user may drill down from her home region; above or sideways is 404, so the
    page does not even confirm that the region exists.
    """
    if not dashboard_can_view(user):
        raise PermissionDenied
    if code is None:
        if user.is_superuser:
            return None
        code = user.home_region_id
    if not user_region_scope(user).contains(code):
        raise Http404
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Http404
    return region


def region_breadcrumbs(*, user: User, region: Region | None) -> list[Region]:
    """Return the regions from the user's top down to ``region`` (links for drilling up)."""
    if region is None:
        return []
    top = 0 if user.is_superuser else len(user.home_region_id)
    codes = [c for c in region.ancestor_codes() if len(c) >= top]
    found = {r.code: r for r in Region.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found]
