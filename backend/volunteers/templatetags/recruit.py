"""Template helpers for the public recruitment pages."""

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def lang(text) -> str:
    """Show the part of a bilingual "中文 / English" text for the active language."""
    text = str(text)
    if " / " not in text:
        return text
    zh, en = text.split(" / ", 1)
    return en if (get_language() or "").startswith("en") else zh


@register.filter
def masked_phone(phone: str) -> str:
    """+8613800138000 → 138****8000."""
    digits = (phone or "").removeprefix("+86")
    return digits[:3] + "****" + digits[-4:] if len(digits) == 11 else digits
