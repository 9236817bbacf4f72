"""The volunteer's own phone pages (/v/): sign in with mobile + SMS code, her children, three-tap check-in.

Every page works without JavaScript (plain forms). With it, checkin-queue.js keeps a
check-in made without signal on the phone and sends it when the connection returns.
"""

import datetime
import uuid

from django.contrib.auth import login, logout
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from backend.accounts.models import PhoneCode, User
from backend.accounts.services import phone_code_request, phone_code_verify, phone_normalise
from backend.checkins import selectors, services
from backend.checkins.models import CheckIn
from backend.children.selectors import child_list_for
from backend.ops.errors import ServiceError
from backend.ops.ratelimit import client_ip
from backend.volunteers.models import Volunteer

KIND_ICONS = {
    "phone_call": "📞",
    "video_call": "📹",
    "home_visit": "🏠",
    "school_visit": "🏫",
    "activity": "🎈",
    "gift": "🎁",
    "tutoring": "📚",
    "other": "✏️",
}


def _volunteer(request) -> Volunteer | None:
    user = request.user
    if not user.is_authenticated or not user.is_volunteer:
        return None
    return Volunteer.objects.filter(user=user, status=Volunteer.Status.ACTIVE).select_related("programme").first()


def _client_ip(request) -> str:
    return client_ip(request)  # the platform's one client-address rule


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Mobile number, then the SMS code; only numbers of active volunteers can sign in."""
    context = {"phone": request.POST.get("phone", ""), "errors": {}, "notice": ""}
    if request.method == "POST":
        action = request.POST.get("action", "send")
        try:
            phone = phone_normalise(request.POST.get("phone", ""))
            volunteer_user = (
                User.objects.filter(
                    Q(phone=phone) | Q(volunteer__phone=phone),
                    role=User.Role.VOLUNTEER,
                    is_active=True,
                    volunteer__status=Volunteer.Status.ACTIVE,
                )
                .distinct()
                .first()
            )
            if action == "send":
                # The same answer whether or not the number is a volunteer's: numbers are not enumerable.
                if volunteer_user is not None:
                    phone_code_request(phone=phone, purpose=PhoneCode.Purpose.SIGN_IN, ip=_client_ip(request))
                context["code_sent"] = True
                context["notice"] = _(
                    "如果该号码已登记为爱心妈妈，您会收到一条验证码短信。/ If this number is registered, a code is on its way."
                )
            else:
                phone_code_verify(phone=phone, purpose=PhoneCode.Purpose.SIGN_IN, code=request.POST.get("code", ""))
                if volunteer_user is None:
                    raise ServiceError(
                        _("该号码不是在服务中的爱心妈妈 / not an active volunteer's number"), field="phone"
                    )
                login(request, volunteer_user, backend="django.contrib.auth.backends.ModelBackend")
                return redirect("checkins:home")
        except ServiceError as exc:
            context["errors"][exc.field or "phone"] = exc.message
            context["code_sent"] = action != "send"
            status = getattr(exc, "status_code", 400)
            return render(request, "checkins/sign_in.html", context, status=status)
    return render(request, "checkins/sign_in.html", context)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("checkins:sign-in")


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


@_needs_volunteer
def home(request: HttpRequest, volunteer: Volunteer) -> HttpResponse:
    """Her children, with what is due next for each, and her recent check-ins."""
    today = services.today_local()
    children = list(child_list_for(user=request.user).select_related("village").order_by("given_name", "id"))
    next_due: dict[int, object] = {}
    for state in selectors.due_states_for_volunteer(volunteer=volunteer, today=today):
        next_due.setdefault(state.pairing.child_id, state)
    rows = [
        {
            "child": c,
            "age": c.age_on(today),
            "due": next_due.get(c.pk),
            "overdue": bool(next_due.get(c.pk) and next_due[c.pk].next_due_on < today),
        }
        for c in children
    ]
    recent = (
        CheckIn.objects.filter(volunteer=volunteer)
        .prefetch_related("child_links__child")
        .order_by("-occurred_on", "-id")[:10]
    )
    return render(
        request,
        "checkins/home.html",
        {"volunteer": volunteer, "rows": rows, "recent": recent, "today": today, "saved": request.GET.get("saved")},
    )


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
    context = {
        "children": children,
        "chosen": chosen,
        "chosen_ids": [c.pk for c in chosen],
        "kind": kind if kind in CheckIn.Kind.values else "",
        "kinds": [(value, label, KIND_ICONS[value]) for value, label in CheckIn.Kind.choices],
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
                raise ServiceError(_("时长请填写分钟数 / duration in minutes"), field="duration_minutes")
            occurred_on = data.get("occurred_on") or today.isoformat()
            try:
                occurred = datetime.date.fromisoformat(occurred_on)
            except ValueError:
                raise ServiceError(_("日期格式不正确 / the date is not valid"), field="occurred_on") from None
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
