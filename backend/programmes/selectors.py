from django.db.models import Q, QuerySet

from backend.accounts.models import User
from backend.accounts.selectors import user_region_scope
from backend.programmes.models import Programme


def programme_list_for(*, user: User) -> QuerySet[Programme]:
    """Return the programmes a user works in: those owned by a region above, at or below hers."""
    scope = user_region_scope(user)
    if scope.everything:
        return Programme.objects.all()
    q = scope.q("region_id")
    # A county officer also works in the city's programme that covers her county.
    for prefix in scope.prefixes:
        ancestors = [prefix[:n] for n in (2, 4, 6, 9) if n < len(prefix)]
        if ancestors:
            q |= Q(region_id__in=ancestors)
    return Programme.objects.filter(q) if not scope.is_empty else Programme.objects.none()


def programme_settings_list(*, user: User) -> QuerySet[Programme]:
    """Return the programmes whose settings the user may change: those at or below her region.

    Contact rules, care dates and the screening checklist drive reminders, escalations
    and approvals in every county of a programme, so staff below its region may not.
    """
    scope = user_region_scope(user)
    return Programme.objects.filter(scope.q("region_id")) if not scope.is_empty else Programme.objects.none()


def programme_open_for_recruitment() -> QuerySet[Programme]:
    """Return the programmes whose recruitment call (招募令) is open."""
    return Programme.objects.filter(is_active=True, recruitment_open=True).select_related("region")
