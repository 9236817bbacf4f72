"""The workspace's sections, in the order the nav shows them.

One list of (label, URL name, who): ``who`` is "all" (every workspace user) or "federation"
(federation staff and superusers, not child directors). An entry whose URL name does not
resolve yet (a section not built yet) is left out of the nav.
"""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from backend.workspace.access import workspace_is_federation

SECTIONS = (
    (_("待办"), "workspace:home", "all"),
    (_("报名审核"), "applications_staff:list", "federation"),
    (_("儿童档案"), "children_staff:list", "all"),
    (_("关注事项"), "concerns_staff:list", "all"),
    (_("结对"), "pairing_staff:home", "federation"),
    (_("爱心妈妈"), "volunteers_staff:list", "federation"),
    (_("关爱活动"), "activities_staff:list", "all"),
    (_("微心愿"), "activities_staff:wishes", "all"),
    (_("服务记录"), "records_staff:home", "federation"),
    (_("覆盖情况"), "dashboard:home", "federation"),
)


def nav_items(*, user, current_path: str) -> list[dict]:
    """Return the sections the user may open: label, url and whether it is the current one."""
    federation = workspace_is_federation(user)
    items = []
    for label, name, who in SECTIONS:
        if who == "federation" and not federation:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        home = url.rstrip("/").count("/") <= 1  # /staff/ is current only on itself
        current = current_path == url if home else current_path.startswith(url)
        items.append({"label": label, "url": url, "name": name, "current": current})
    # A section inside another (微心愿 under 关爱活动): only the deepest is current.
    deepest = max((i for i in items if i["current"]), key=lambda i: len(i["url"]), default=None)
    for item in items:
        item["current"] = item is deepest
    return items
