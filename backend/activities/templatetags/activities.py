"""Template filters of the activities pages: times in words, Asia/Shanghai."""

from django import template

from backend.activities.services.signups import local_words

register = template.Library()


@register.filter
def when(moment) -> str:
    """7月15日 09:00."""
    return local_words(moment) if moment else ""


@register.filter
def span(activity) -> str:
    """7月15日 09:00 至 7月20日 17:00 (the end's date only when it differs)."""
    start, end = local_words(activity.starts_at), local_words(activity.ends_at)
    if start.split(" ")[0] == end.split(" ")[0]:
        end = end.split(" ")[1]
    return f"{start} – {end}"
