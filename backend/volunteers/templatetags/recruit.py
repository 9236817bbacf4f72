"""Template helpers for the public recruitment pages."""

from django import template

register = template.Library()


@register.filter
def masked_phone(phone: str) -> str:
    """+8613800138000 → 138****8000."""
    digits = (phone or "").removeprefix("+86")
    return digits[:3] + "****" + digits[-4:] if len(digits) == 11 else digits
