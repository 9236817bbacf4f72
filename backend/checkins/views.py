"""The volunteer's own phone pages (/v/): sign in with mobile + SMS code, her children, three-tap check-in.

Every page works without JavaScript (plain forms). With it, the pages are an installable
app shell: a service worker (Workbox, vendored) keeps the last copy of her pages for a cold
start without signal, and checkin-queue.js keeps a check-in made offline on the phone and
sends it when the connection returns.
"""

import datetime
import uuid

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backend.accounts.models import PhoneCode
from backend.accounts.selectors import device_sessions_for
from backend.accounts.services import (
    device_session_end,
    device_session_touch,
    phone_code_request,
    phone_code_verify,
    phone_normalise,
    volunteer_session_age,
)
from backend.audit.services import audit_record
from backend.checkins import selectors, services
from backend.checkins.models import CheckIn
from backend.children.models import Child
from backend.children.selectors import child_get_for, child_list_for
from backend.ops.errors import ServiceError
from backend.ops.ratelimit import client_ip
from backend.volunteers.models import Volunteer
from backend.volunteers.selectors import volunteer_of_user, volunteer_sign_in_user
from notifications.selectors import delivery_settings_of
from notifications.services import delivery_preference_set


def _volunteer(request) -> Volunteer | None:
    return volunteer_of_user(user=request.user)


def _client_ip(request) -> str:
    return client_ip(request)  # the platform's one client-address rule


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Mobile number, then the SMS code; only numbers of active volunteers can sign in."""
    context = {
        "phone": request.POST.get("phone", ""),
        "errors": {},
        "notice": "",
        "session_days": settings.VOLUNTEER_SESSION_DAYS,
    }
    if request.method == "POST":
        action = request.POST.get("action", "send")
        try:
            phone = phone_normalise(request.POST.get("phone", ""))
            volunteer_user = volunteer_sign_in_user(phone=phone)
            if action == "send":
                # Every number gets the same answer, the same rate limits and the same code row;
                # only a volunteer's number is sent the code. Numbers are not enumerable.
                phone_code_request(
                    phone=phone,
                    purpose=PhoneCode.Purpose.SIGN_IN,
                    ip=_client_ip(request),
                    send=volunteer_user is not None,
                )
                context["code_sent"] = True
                context["notice"] = _("如果该号码已登记为爱心妈妈，您会收到一条验证码短信。")
            else:
                phone_code_verify(phone=phone, purpose=PhoneCode.Purpose.SIGN_IN, code=request.POST.get("code", ""))
                if volunteer_user is None:  # unreachable without the code, which only volunteers get
                    raise ServiceError(_("验证码不正确"), field="code", code="wrong")
                login(request, volunteer_user, backend="django.contrib.auth.backends.ModelBackend")
                # Her own phone: signed in for VOLUNTEER_SESSION_DAYS from her last visit.
                request.session.set_expiry(volunteer_session_age())
                device_session_touch(request=request, user=volunteer_user)
                return redirect("checkins:home")
        except ServiceError as exc:
            context["errors"][exc.field or "phone"] = exc.message
            context["code_sent"] = action != "send"
            status = getattr(exc, "status_code", 400)
            return render(request, "checkins/sign_in.html", context, status=status)
    return render(request, "checkins/sign_in.html", context)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Sign out this device; the phone forgets the pages and entries kept for offline use."""
    if request.user.is_authenticated and request.session.session_key:
        for device in device_sessions_for(user=request.user).filter(session_key=request.session.session_key):
            device_session_end(user=request.user, device_id=device.pk)
    logout(request)
    response = redirect("/v/login/?signed_out=1")
    # The service worker's caches and the offline queue belong to her: not to the next user.
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


def _needs_volunteer(view):
    def wrapped(request, *args, **kwargs):
        volunteer = _volunteer(request)
        if volunteer is None:
            if request.user.is_authenticated:
                return render(request, "checkins/not_volunteer.html", status=403)
            return redirect(f"/v/login/?next={request.path}")
        return view(request, volunteer, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _kinds() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in CheckIn.Kind.choices]


def _next_due_by_child(volunteer: Volunteer, today: datetime.date) -> dict[int, object]:
    next_due: dict[int, object] = {}
    for state in selectors.due_states_for_volunteer(volunteer=volunteer, today=today):
        next_due.setdefault(state.pairing.child_id, state)
    return next_due


@_needs_volunteer
@require_GET
def home(request: HttpRequest, volunteer: Volunteer) -> HttpResponse:
    """Her children, with what is due next for each, and her recent check-ins."""
    today = services.today_local()
    children = list(child_list_for(user=request.user).select_related("village").order_by("given_name", "id"))
    next_due = _next_due_by_child(volunteer, today)
    rows = [
        {
            "child": c,
            "age": c.age_on(today),
            "due": next_due.get(c.pk),
            "overdue": bool(next_due.get(c.pk) and next_due[c.pk].next_due_on < today),
        }
        for c in children
    ]
    recent = selectors.checkins_of_volunteer(volunteer=volunteer)[:10]
    # Pages the phone keeps for a cold start without signal (see app-shell.js).
    offline_urls = ["/v/", "/v/me/"]
    for c in children:
        offline_urls += [f"/v/c/{c.pk}/", f"/v/log/?child={c.pk}"]
        offline_urls += [f"/v/log/?child={c.pk}&kind={value}" for value, _label in _kinds()]
    return render(
        request,
        "checkins/home.html",
        {
            "volunteer": volunteer,
            "rows": rows,
            "recent": recent,
            "today": today,
            "saved": request.GET.get("saved"),
            "offline_urls": offline_urls,
        },
    )


@_needs_volunteer
@require_GET
def child(request: HttpRequest, volunteer: Volunteer, pk: int) -> HttpResponse:
    """One of her current children: what she needs to care, what is due, her check-ins, how to reach the family.

    Only a child of a current pairing; any other id answers 404, as one that does not exist.
    Never the ID number or the address detail. Audited like every read of a child's file.
    """
    found = child_get_for(user=request.user, pk=pk)
    if found is None:
        raise Http404
    today = services.today_local()
    due = [
        {"state": s, "overdue": s.next_due_on < today}
        for s in selectors.due_states_for_volunteer(volunteer=volunteer, today=today)
        if s.pairing.child_id == found.pk
    ]
    audit_record(
        actor=request.user,
        action="view",
        object_type="child",
        object_ids=[found.pk],
        region_code=found.village_id,
        request=request,
        detail="volunteer child page",
    )
    return render(
        request,
        "checkins/child.html",
        {
            "child": found,
            "age": found.age_on(today),
            "needs": [str(Child.Need(n).label) for n in found.needs if n in Child.Need.values],
            "due": due,
            "checkins": selectors.checkins_of_volunteer(volunteer=volunteer, child=found)[:20],
            "contact": selectors.child_contact_for_volunteer(user=request.user, child=found),
            "today": today,
        },
    )


def _time_or_none(value: str, field: str) -> datetime.time | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return datetime.time.fromisoformat(value)
    except ValueError:
        raise ServiceError(_("时间格式不正确，例如 21:30"), field=field) from None


@_needs_volunteer
@require_http_methods(["GET", "POST"])
def me(request: HttpRequest, volunteer: Volunteer) -> HttpResponse:
    """Her record (hours of care, visits and calls) and how she wants her reminders."""
    today = services.today_local()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            delivery_preference_set(
                user=request.user,
                channel=request.POST.get("channel", "sms"),
                quiet_hours_start=_time_or_none(request.POST.get("quiet_hours_start", ""), "quiet_hours_start"),
                quiet_hours_end=_time_or_none(request.POST.get("quiet_hours_end", ""), "quiet_hours_end"),
            )
            return redirect("/v/me/?saved=1")
        except ServiceError as exc:
            errors[exc.field or "channel"] = exc.message
            status = 400
    delivery = delivery_settings_of(user=request.user)

    def shown(name: str) -> str:
        if request.method == "POST":
            return request.POST.get(name, "")
        return delivery[name].strftime("%H:%M") if delivery[name] else ""

    return render(
        request,
        "checkins/me.html",
        {
            "volunteer": volunteer,
            "record": selectors.volunteer_record(volunteer=volunteer, today=today),
            "delivery": delivery,
            "quiet_start": shown("quiet_hours_start"),
            "quiet_end": shown("quiet_hours_end"),
            "programme": volunteer.programme,
            "errors": errors,
            "saved": request.GET.get("saved"),
            "today": today,
        },
        status=status,
    )


@_needs_volunteer
@never_cache
@require_GET
def devices(request: HttpRequest, volunteer: Volunteer) -> HttpResponse:
    """Her signed-in devices, to see them and sign one out."""
    rows = list(device_sessions_for(user=request.user))
    return render(
        request,
        "checkins/devices.html",
        {"devices": rows, "current_key": request.session.session_key, "ended": request.GET.get("ended")},
    )


@_needs_volunteer
@require_POST
def device_end(request: HttpRequest, volunteer: Volunteer, pk: int) -> HttpResponse:
    """Sign one of her devices out (this one too, if she chooses it)."""
    current = device_sessions_for(user=request.user).filter(session_key=request.session.session_key, pk=pk).exists()
    if not device_session_end(user=request.user, device_id=pk):
        raise Http404
    if current:
        logout(request)
        return redirect("/v/login/?signed_out=1")
    return redirect("/v/devices/?ended=1")


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: /v/ installs as 爱心妈妈 on her home screen."""
    response = render(
        request,
        "checkins/manifest.webmanifest",
        {"icon": static("checkins/icon.svg")},
        content_type="application/manifest+json",
    )
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker (Workbox, vendored under static): served from /v/ so that its scope is /v/."""
    response = render(
        request,
        "checkins/sw.js",
        {"workbox": static("vendor/workbox/workbox-sw.js"), "prefix": static("vendor/workbox/").rstrip("/")},
        content_type="application/javascript",
    )
    # A new deployment's worker is picked up at once, never from the HTTP cache.
    response["Cache-Control"] = "no-cache"
    return response


@_needs_volunteer
@require_http_methods(["GET", "POST"])
def log(request: HttpRequest, volunteer: Volunteer) -> HttpResponse:
    """The check-in: child (tap 1) → kind (tap 2) → save (tap 3), the date defaulting to today."""
    today = services.today_local()
    children = list(child_list_for(user=request.user).order_by("given_name", "id"))
    by_id = {str(c.pk): c for c in children}
    data = request.POST if request.method == "POST" else request.GET
    chosen = [by_id[c] for c in data.getlist("child") if c in by_id]
    if not chosen and len(children) == 1:
        chosen = children
    kind = data.get("kind", "")
    kind = kind if kind in CheckIn.Kind.values else ""
    context = {
        "children": children,
        "chosen": chosen,
        "chosen_ids": [c.pk for c in chosen],
        "kind": kind,
        "kind_label": CheckIn.Kind(kind).label if kind else "",
        "kinds": _kinds(),
        "today": today,
        "errors": {},
        "values": data,
        "client_key": data.get("client_key") or uuid.uuid4().hex,
        "date_value": data.get("occurred_on") or today.isoformat(),
    }
    if request.method == "POST":
        try:
            duration = (data.get("duration_minutes") or "").strip()
            if duration and not duration.isdigit():
                raise ServiceError(_("时长请填写分钟数"), field="duration_minutes")
            occurred_on = data.get("occurred_on") or today.isoformat()
            try:
                occurred = datetime.date.fromisoformat(occurred_on)
            except ValueError:
                raise ServiceError(_("日期格式不正确"), field="occurred_on") from None
            services.checkin_create(
                volunteer=volunteer,
                children=chosen,
                kind=kind,
                occurred_on=occurred,
                duration_minutes=int(duration) if duration else None,
                note=data.get("note", ""),
                photo=request.FILES.get("photo"),
                worried=data.get("worried") == "on",
                source=CheckIn.Source.WEB,
                logged_by=request.user,
                client_key=context["client_key"],
            )
            return redirect("/v/?saved=1")
        except ServiceError as exc:
            context["errors"][exc.field or "kind"] = exc.message
            return render(request, "checkins/log.html", context, status=400)
    return render(request, "checkins/log.html", context)
