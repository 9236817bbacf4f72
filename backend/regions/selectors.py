from django.db.models import QuerySet

from backend.regions.models import Region


def region_descendants(*, region: Region, level: int | None = None, include_self: bool = True) -> QuerySet[Region]:
    """Return the region and everything under it, optionally only one level."""
    qs = Region.objects.filter(code__startswith=region.code)
    if not include_self:
        qs = qs.exclude(code=region.code)
    if level is not None:
        qs = qs.filter(level=level)
    return qs


def region_children(*, region: Region | None) -> QuerySet[Region]:
    """Return the regions one level below (the provinces when region is None)."""
    if region is None:
        return Region.objects.filter(parent__isnull=True)
    return Region.objects.filter(parent=region)


def region_villages_of(*, codes: list[str] | tuple[str, ...]) -> QuerySet[Region]:
    """Return the villages under any of the given region codes."""
    from django.db.models import Q

    q = Q()
    for code in codes:
        q |= Q(code__startswith=code)
    return Region.objects.filter(q, level=Region.Level.VILLAGE) if codes else Region.objects.none()


def region_filter_choices(*, user) -> list[tuple[str, str]]:
    """Return the regions a staff list may be narrowed to: the two levels below the user's own.

    A county officer gets her towns, each followed by its villages; a town officer her
    villages; a child director her villages; a superuser the cities and counties.
    """
    from backend.accounts.selectors import user_region_scope

    scope = user_region_scope(user)
    if scope.is_empty:
        return []
    if scope.everything:
        levels = (Region.Level.CITY, Region.Level.COUNTY)
    else:
        top = min(Region.level_of(p) for p in scope.prefixes)
        levels = tuple(lv for lv in (top + 1, top + 2) if lv <= Region.Level.VILLAGE) or (Region.Level.VILLAGE,)
    regions = Region.objects.filter(scope.q("code"), level__in=levels).order_by("code").only("code", "name", "level")
    return [(r.code, ("　" if r.level == levels[-1] and len(levels) > 1 else "") + r.name) for r in regions]
