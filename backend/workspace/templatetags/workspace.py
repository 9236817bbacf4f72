"""Template tags of the staff workspace: every value in words, never a code, a list or an id.

- ``labels``: a list of choice codes → their labels joined with "、" (``child.needs|labels:"needs"``
  or with the choices themselves: ``codes|labels:choices``).
- ``cn_date``: 12月2日, with the year when it is not this year (2025年12月2日).
- ``region_name``: a region code → its name (``"140521"|region_name`` → 沁水县).
- ``hours_since``: whole hours from a time until now.
- ``workspace_nav``: the nav of the base template.
"""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone
from django.utils.translation import get_language

from backend.regions.models import Region
from backend.workspace.nav import nav_items

register = template.Library()

# Choice sets that a JSON list field holds, by a short name usable from templates.
_CHOICE_SETS: dict[str, object] = {}


def _choice_set(name: str):
    if not _CHOICE_SETS:
        from backend.children.models import Child
        from backend.volunteers.models import Availability, Skill

        _CHOICE_SETS.update(
            {"needs": Child.Need.choices, "skills": Skill.choices, "availability": Availability.choices}
        )
    return _CHOICE_SETS.get(name, ())


@register.filter
def labels(codes, choices) -> str:
    """Return the labels of a list of choice codes, joined with "、" (unknown codes as they are)."""
    if not codes:
        return ""
    if isinstance(codes, str):
        codes = [codes]
    table = dict(_choice_set(choices) if isinstance(choices, str) else choices or ())
    return "、".join(str(table.get(code, code)) for code in codes)


@register.filter
def cn_date(value, today: datetime.date | None = None) -> str:
    """Return a date (or a time, in local time) as 12月2日 (2 Dec in English), with the year when
    not this year."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    today = today or timezone.localdate()
    if (get_language() or "").startswith("en"):
        day = f"{value.day} {_MONTHS[value.month - 1]}"
        return day if value.year == today.year else f"{day} {value.year}"
    if value.year == today.year:
        return f"{value.month}月{value.day}日"
    return f"{value.year}年{value.month}月{value.day}日"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@register.filter
def cn_datetime(value) -> str:
    """Return a time as 12月2日 14:05 (local time), with the year when not this year."""
    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{cn_date(local.date())} {local:%H:%M}"


_REGION_NAMES: dict[str, str] = {}


@register.filter
def region_name(code) -> str:
    """Return the name of a region code (a Region is shown by its name)."""
    if not code:
        return ""
    if isinstance(code, Region):
        return code.name
    code = str(code)
    if code not in _REGION_NAMES:
        name = Region.objects.filter(code=code).values_list("name", flat=True).first()
        if name is None:
            return ""
        _REGION_NAMES[code] = name
    return _REGION_NAMES[code]


@register.filter
def hours_since(value, now: datetime.datetime | None = None) -> int:
    """Return the whole hours from a time until now (0 for a time in the future)."""
    if not value:
        return 0
    now = now or timezone.now()
    return max(0, int((now - value).total_seconds() // 3600))


@register.inclusion_tag("workspace/_nav.html", takes_context=True)
def workspace_nav(context):
    """Render the nav: the sections the signed-in user may open."""
    request = context["request"]
    return {"items": nav_items(user=request.user, current_path=request.path)}


@register.simple_tag(takes_context=True)
def workspace_region(context) -> str:
    """Return, in words, where the signed-in user works: her region, villages, or all regions."""
    from django.utils.translation import gettext as _

    user = context["request"].user
    if user.is_superuser:
        return _("全部地区")
    if user.home_region_id:
        return region_name(user.home_region_id)
    names = list(user.villages.order_by("code").values_list("name", flat=True)[:3])
    return "、".join(names)


@register.filter
def child_age(child) -> int | str:
    """Return a child's age in whole years today."""
    try:
        return child.age_on(timezone.localdate())
    except (AttributeError, TypeError):
        return ""


@register.filter
def masked_phone(phone) -> str:
    """Return a phone number with its middle digits hidden."""
    from backend.privacy.phones import mask_phone

    return mask_phone(phone) if phone else ""


@register.filter
def field_label(name: str) -> str:
    """Return the label, in words, of a field of a child's file ("*": the whole file)."""
    from django.core.exceptions import FieldDoesNotExist
    from django.utils.translation import gettext as _

    from backend.children.models import Child

    if name == "*":
        return _("档案")
    try:
        return str(Child._meta.get_field(name[:-3] if name.endswith("_id") else name).verbose_name)
    except FieldDoesNotExist:
        return name
