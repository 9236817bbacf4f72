"""Region scoping: the one place that decides which part of the tree a user may see.

Every later selector of children, volunteers, applications or pairings filters through
``user_region_scope(user).q("<field>")`` where the field is the row's village (or region)
code, e.g. ``Child.objects.filter(scope.q("village_id"))``.
"""

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
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


# Where each region-bound model keeps its region code, for scoped_queryset. Programmes are
# not here: staff below a programme's region work in it (programme_list_for) but only
# staff at or above it change its settings (programme_settings_list).
REGION_FIELDS: dict[str, str] = {
    "regions.region": "code",
    "children.child": "village_id",
    "children.concern": "child__village_id",
    "volunteers.application": "village_id",
    "volunteers.volunteer": "village_id",
    "volunteers.caringunit": "region_id",
    "volunteers.team": "region_id",
    "volunteers.screeningitem": "programme__region_id",
    "pairing.pairing": "child__village_id",
    "pairing.pairingrun": "region_id",
    "pairing.proposal": "child__village_id",
    "checkins.checkin": "child_links__child__village_id",
    "checkins.contactrule": "programme__region_id",
    "checkins.calendarevent": "programme__region_id",
    "checkins.duestate": "pairing__child__village_id",
    "checkins.escalation": "pairing__child__village_id",
    "notifications.message": "region_id",
    "notifications.wecomrobot": "region_id",
    "audit.auditevent": "region_code",
    "activities.activity": "region_id",
    "activities.session": "activity__region_id",
    "activities.signup": "activity__region_id",
    "activities.attendance": "session__activity__region_id",
    "activities.wish": "child__village_id",
    "activities.consultation": "child__village_id",
    "activities.article": "region_id",
    "records.recordrules": "programme__region_id",
    "records.serviceentry": "volunteer__village_id",
    "records.trainingrecord": "volunteer__village_id",
    "records.nomination": "volunteer__village_id",
    "records.evaluation": "volunteer__village_id",
    "records.certificate": "volunteer__village_id",
    "records.issuer": "region_id",
    # Rows that belong to a region-bound row: the parent's region.
    "volunteers.screeningcheck": "application__village_id",
    "volunteers.decision": "application__village_id",
    "volunteers.volunteerstatuschange": "volunteer__village_id",
    "children.childchange": "child__village_id",
    "children.concernstep": "concern__child__village_id",
    "children.concernescalation": "concern__child__village_id",
    "pairing.pairingrunpart": "run__region_id",
    "pairing.proposalapproval": "proposal__child__village_id",
    "pairing.rununmatched": "child__village_id",
    "checkins.checkinchild": "child__village_id",
    "checkins.reminder": "pairing__child__village_id",
    "notifications.localdelivery": "message__region_id",
    "records.serviceentryevent": "volunteer__village_id",
    "records.nominationstep": "nomination__volunteer__village_id",
}

# The platform's models that are not region-bound, each with why. A model of the platform's
# own apps in neither table makes scoped_queryset refuse (fail closed): whoever adds a model
# says where its region is, or why it has none (tests/accounts/test_scoping.py walks them all).
NOT_REGION_BOUND: dict[str, str] = {
    "accounts.user": "people: staff by their home region, volunteers through volunteers.volunteer; "
    "a superuser has no region and a child director several villages",
    "accounts.phonecode": "a one-time code, found by phone number, never listed",
    "accounts.devicesession": "her own signed-in devices only (device_sessions_for)",
    "programmes.programme": "staff below a programme's region work in it (programme_list_for); "
    "only staff at or above it change its settings (programme_settings_list)",
    "ops.heartbeat": "a worker's liveness, no one's data",
    "children.importjob": "by the uploader's region (import_job_list_for)",
    "notifications.smsoptout": "a phone number's refusal, platform-wide",
    "notifications.wechatbinding": "one user's own binding",
    "notifications.deliverypreference": "one user's own quiet hours",
    "notifications.providertemplate": "the deployment's approved template codes",
    "notifications.webhookreceipt": "providers' receipts, matched to a message by its id",
    "dashboard.villagefigures": "figures by village code, read through the dashboard's scoped selectors",
    "dashboard.villagelistentry": "list rows by village code, read through the dashboard's scoped selectors",
    "dashboard.summaryday": "figures by region code, read through the dashboard's scoped selectors",
    "dashboard.dirtyvillage": "village codes waiting for a refresh",
}

PLATFORM_MODULES = ("backend.", "pairing.", "notifications.")


MULTI_VALUED = {"child_links__child__village_id"}


def region_field_of(model) -> str | None:
    """Return the lookup of a model's region code (see REGION_FIELDS), or None if it has none."""
    return REGION_FIELDS.get(model._meta.label_lower)


def scoped_queryset(user: User | None, model, queryset=None):
    """Return the rows of a region-bound model that the user may see and choose.

    The one queryset for every related field a user can fill: serializer
    ``PrimaryKeyRelatedField``s (``ScopedPrimaryKeyRelatedField``), admin foreign-key and
    many-to-many choices (``RegionScopedAdmin``) and the workspace's forms. A model not in
    ``NOT_REGION_BOUND`` (or of Django's own apps) is returned unfiltered; a platform model in
    neither table raises ImproperlyConfigured rather than be shown whole; a model that is
    bound, for a user with no region (a volunteer, anonymous), is empty.
    """
    qs = queryset if queryset is not None else model._default_manager.all()
    field = region_field_of(model)
    if field is None:
        label = model._meta.label_lower
        if model.__module__.startswith(PLATFORM_MODULES) and label not in NOT_REGION_BOUND:
            raise ImproperlyConfigured(f"{label}: add it to REGION_FIELDS or NOT_REGION_BOUND (accounts/selectors.py)")
        return qs
    scope = user_region_scope(user)
    if scope.everything:
        return qs
    if scope.is_empty:
        return qs.none()
    if field in MULTI_VALUED:
        # A check-in about children in two villages: one row, not one per child.
        return qs.filter(pk__in=model._default_manager.filter(scope.q(field)).values("pk"))
    return qs.filter(scope.q(field))


def region_code_of(obj, field: str) -> str | None:
    """Return the region code a row's ``field`` lookup leads to (None for a multi-valued one)."""
    if field in MULTI_VALUED:
        return None
    *path, last = field.split("__")
    for name in path:
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return getattr(obj, last if last.endswith("_id") or last == "code" else f"{last}_id", None)


def device_sessions_for(*, user: User):
    """Return the user's signed-in devices, most recently used first."""
    from backend.accounts.models import DeviceSession

    if user is None or not user.is_authenticated:
        return DeviceSession.objects.none()
    return DeviceSession.objects.filter(user=user).order_by("-last_seen_at", "-id")
