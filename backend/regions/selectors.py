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
