"""Every URL pattern of the platform, from Django's URL resolver, with how to fill it in."""

import re

from django.contrib import admin
from django.urls import URLResolver, get_resolver


def url_routes(patterns=None, prefix=""):
    """Yield (pattern text, view callback) for every route (admin included)."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            yield from url_routes(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p.callback


def url_patterns() -> list[str]:
    """Every route, as its pattern text (admin included)."""
    return sorted({pattern for pattern, _callback in url_routes()})


# Admin models and the world object (conftest._objects_in) that stands for a row of them.
ADMIN_OBJECTS = {
    "children/child": "child",
    "children/concern": "concern",
    "volunteers/application": "application",
    "volunteers/volunteer": "volunteer",
    "volunteers/caringunit": "unit",
    "volunteers/team": "team",
    "pairing/pairing": "pairing",
    "pairing/pairingrun": "run",
    "pairing/proposal": "proposal",
    "pairing/rununmatched": "unmatched",
    "notifications/message": "message",
    "activities/activity": "activity",
    "activities/article": "article",
}

# API and page routes with an id: which world object fills it.
ROUTE_OBJECTS = (
    (r"^api/children/concerns/<int:pk>/", "concern"),
    (r"^api/children/imports/<int:pk>/", "import_job"),
    (r"^api/children/<int:pk>/", "child"),
    (r"^api/volunteers/applications/<int:pk>/", "application"),
    (r"^api/volunteers/volunteers/<int:pk>/", "volunteer"),
    (r"^api/volunteers/units/<int:pk>/", "unit"),
    (r"^api/pairing/runs/<int:pk>/", "run"),
    (r"^api/pairing/proposals/<int:pk>/", "proposal"),
    (r"^api/pairing/pairings/<int:pk>/", "pairing"),
    (r"^api/checkins/<int:pk>/", "checkin"),
    (r"^api/notifications/messages/<int:pk>/", "message"),
    (r"^api/records/entries/<int:pk>/", "entry"),
    (r"^api/records/volunteers/<int:pk>/", "volunteer"),
    (r"^api/records/nominations/<int:pk>/", "nomination"),
    (r"^api/records/certificates/<int:pk>/", "certificate"),
    (r"^staff/children/<int:pk>/", "child"),
    (r"^staff/concerns/<int:pk>/", "concern"),
    # The staff workspace: applications, volunteers, pairing.
    (r"^staff/applications/<int:pk>/", "application"),
    (r"^staff/volunteers/<int:pk>/", "volunteer"),
    (r"^staff/pairing/runs/<int:pk>/", "run"),
    (r"^staff/pairing/proposals/<int:pk>/", "proposal"),
    (r"^staff/pairing/pairings/<int:pk>/", "pairing"),
    (r"^v/c/<int:pk>/", "child"),
    # Care activities (issue 20): workspace, volunteer and public pages.
    (r"^staff/activities/sessions/<int:pk>/", "session"),
    (r"^staff/activities/signups/<int:pk>/", "signup"),
    (r"^staff/activities/wishes/<int:pk>/", "wish"),
    (r"^staff/activities/children/<int:pk>/", "child"),
    (r"^staff/activities/<int:pk>/", "activity"),
    (r"^v/activities/<int:pk>/", "activity"),
    (r"^v/wishes/<int:pk>/", "wish"),
    (r"^g/activities/<int:pk>/", "activity"),
    (r"^g/articles/<int:pk>/", "article"),
    # The service record (backend/records).
    (r"^staff/records/entries/<int:pk>/", "entry"),
    (r"^staff/records/volunteers/<int:pk>/", "volunteer"),
    (r"^staff/records/nominations/<int:pk>/", "nomination"),
    (r"^staff/records/certificates/<int:pk>/", "certificate"),
    (r"^v/record/certificates/<int:pk>/", "certificate"),
)
# Other route parameters: a value that exists (a GET of a POST-only action answers 405).
ROUTE_VALUES = {"<slug:action>": "acknowledge", "<int:signup>": "1"}

ADMIN_MODEL = re.compile(r"^admin/(?P<model>[a-z_]+/[a-z_]+)/(?P<rest>.*)$")


def fill(pattern: str, objects: dict, region_code: str) -> str | None:
    """The concrete path for a pattern, with ids of the given objects; None if it takes none we know."""
    path = pattern
    for placeholder, value in ROUTE_VALUES.items():
        path = path.replace(placeholder, value)
    if "<str:prefix>" in path and "certificate" in objects:
        path = path.replace("<str:prefix>", objects["certificate"].issuer.prefix)
    if "<str:code>" in path:
        path = path.replace("<str:code>", region_code)
    match = ADMIN_MODEL.match(pattern)
    if match and ("<path:object_id>" in pattern or "<int:object_id>" in pattern or "<id>" in pattern):
        kind = ADMIN_OBJECTS.get(match["model"])
        if kind is None or kind not in objects:
            return None
        pk = str(objects[kind].pk)
        return re.sub(r"<(path|int):object_id>|<id>", pk, path)
    for regex, kind in ROUTE_OBJECTS:
        if re.match(regex, pattern):
            if kind not in objects:
                return None
            return path.replace("<int:pk>", str(objects[kind].pk))
    if "<" in path or "(?P" in path or path.startswith("^"):
        return None
    return path


def registered_admin_models() -> set[str]:
    return {f"{m._meta.app_label}/{m._meta.model_name}" for m in admin.site._registry}
