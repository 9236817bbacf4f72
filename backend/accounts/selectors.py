"""Region scoping: the one place that decides which part of the tree a user may see.

Every later selector of children, volunteers, applications or pairings filters through
``user_region_scope(user).q("<field>")`` where the field is the row's village (or region)
code, e.g. ``Child.objects.filter(scope.q("village_id"))``.
"""

from dataclasses import dataclass

from django.db.models import Q

from backend.accounts.models import User
from backend.regions.models import Region


@dataclass(frozen=True)
class RegionScope:
    """The region codes a user may see: everything under any of ``prefixes``."""

    prefixes: tuple[str, ...]
    everything: bool = False

    def q(self, field: str) -> Q:
        """Return a filter on a region-code field (``village_id``, ``region_id``, ``code``...)."""
        if field.endswith("_id"):
            # Django allows no lookups on a foreign key's column; its target (the code)
            # is the same column, so this adds no join.
            field = field[:-3] + "__pk"
        if self.everything:
            return Q()
        if not self.prefixes:
            return Q(pk__in=[])
        q = Q()
        for prefix in self.prefixes:
            q |= Q(**{f"{field}__startswith": prefix})
        return q

    def contains(self, code: str | None) -> bool:
        """Return whether a region code lies inside this scope."""
        if self.everything:
            return True
        return bool(code) and any(code.startswith(p) for p in self.prefixes)

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.prefixes


NOTHING = RegionScope(prefixes=())
EVERYTHING = RegionScope(prefixes=(), everything=True)


def user_region_scope(user: User | None) -> RegionScope:
    """Return the part of the region tree a user may see and act on.

    Superusers see everything; staff their home region and below; child directors
    their villages; volunteers and anonymous users no region at all (a volunteer sees
    only her own paired children, which the children selectors grant separately).
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return EVERYTHING
    if user.role == User.Role.STAFF:
        return RegionScope(prefixes=(user.home_region_id,)) if user.home_region_id else NOTHING
    if user.role == User.Role.CHILD_DIRECTOR:
        cached = getattr(user, "_village_codes", None)
        if cached is None:
            cached = tuple(sorted(user.villages.values_list("code", flat=True)))
            user._village_codes = cached
        return RegionScope(prefixes=cached)
    return NOTHING


def user_regions(user: User):
    """Return the regions (of any level) the user may see."""
    return Region.objects.filter(user_region_scope(user).q("code"))


def device_sessions_for(*, user: User):
    """Return the user's signed-in devices, most recently used first."""
    from backend.accounts.models import DeviceSession

    if user is None or not user.is_authenticated:
        return DeviceSession.objects.none()
    return DeviceSession.objects.filter(user=user).order_by("-last_seen_at", "-id")
