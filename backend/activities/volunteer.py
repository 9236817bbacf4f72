"""The volunteer's activity pages (/v/activities/, /v/wishes/): sign herself and her current
children up, see her sign-ups, record and claim 微心愿 wishes. Signed in as on /v/."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backend.activities import selectors, services
from backend.activities.models import Activity, Audience, Signup
from backend.audit.services import audit_children_shown
from backend.children.selectors import child_list_for
from backend.ops.errors import ServiceError
from backend.volunteers.selectors import volunteer_of_user


def _needs_volunteer(view):
    @never_cache
    def wrapped(request, *args, **kwargs):
        volunteer = volunteer_of_user(user=request.user)
        if volunteer is None:
            if request.user.is_authenticated:
                return render(request, "checkins/not_volunteer.html", status=403)
            return redirect(f"/v/login/?next={request.path}")
        return view(request, volunteer, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _children(request):
    """Her current children (active pairings only)."""
    return list(child_list_for(user=request.user).order_by("given_name", "id"))


def _audit(request, children, detail):
    audit_children_shown(
        request=request, action="view", children=[(c.pk, c.village_id) for c in children], detail=detail
    )


@_needs_volunteer
@require_GET
def activity_list(request, volunteer):
    """Activities open to her and her children, and what she has signed up for."""
    signups = list(selectors.signups_of_volunteer(volunteer=volunteer)[:30])
    _audit(request, [s.child for s in signups if s.child_id], "volunteer activities")
    return render(
        request,
        "activities/volunteer/list.html",
        {
            "activities": selectors.volunteer_activities(volunteer=volunteer)[:50],
            "signups": [{"signup": s, "token": services.signup_token(s)} for s in signups],
        },
    )


@require_http_methods(["GET", "POST"])
@_needs_volunteer
def activity_detail(request, volunteer, pk: int):
    """One activity: sign up herself or one of her current children (with the guardian's consent for a camp)."""
    activity = selectors.volunteer_activities(volunteer=volunteer).filter(pk=pk).first()
    if activity is None:
        raise Http404
    children = _children(request) if activity.capacity_children else []
    _audit(request, children, f"volunteer activity {activity.pk}")
    context = {
        "activity": activity,
        "children": children,
        "is_camp": activity.kind == Activity.Kind.CAMP,
        "for_self": activity.capacity_volunteers > 0,
        "errors": {},
        "values": request.POST,
        "sessions": list(activity.sessions.all()[:20]),
    }
    if request.method != "POST":
        return render(request, "activities/volunteer/detail.html", context)
    who = request.POST.get("who", "")
    try:
        if who == "me":
            signup = services.signup_create(
                activity=activity,
                audience=Audience.VOLUNTEER,
                channel=Signup.Channel.VOLUNTEER,
                by=request.user,
                volunteer=volunteer,
            )
        else:
            child = next((c for c in children if str(c.pk) == who), None)
            if child is None:
                raise ServiceError(_("请选择为谁报名"), field="who")
            signup = services.signup_create(
                activity=activity,
                audience=Audience.CHILD,
                channel=Signup.Channel.VOLUNTEER,
                by=request.user,
                child=child,
                consent_by=request.POST.get("consent_by", ""),
                consent_relation=request.POST.get("consent_relation", ""),
            )
    except ServiceError as exc:
        context["errors"][exc.field or "who"] = exc.message
        return render(request, "activities/volunteer/detail.html", context, status=exc.status_code)
    return redirect("activities_public:signup-page", token=services.signup_token(signup))


@_needs_volunteer
@require_GET
def wish_list(request, volunteer):
    """Published wishes of her county (given name and age only), and hers."""
    wishes = list(selectors.wishes_for_volunteer(volunteer=volunteer)[:100])
    _audit(request, [w.child for w in wishes], "volunteer wishes")
    today = timezone.localdate()
    return render(
        request,
        "activities/volunteer/wishes.html",
        {"rows": [{"wish": w, "age": w.child.age_on(today)} for w in wishes], "volunteer": volunteer},
    )


@require_http_methods(["GET", "POST"])
@_needs_volunteer
def wish_create(request, volunteer):
    """Record a wish of one of her current children."""
    children = _children(request)
    context = {"children": children, "errors": {}, "values": request.POST}
    if request.method == "POST":
        child = next((c for c in children if str(c.pk) == request.POST.get("child")), None)
        try:
            if child is None:
                raise ServiceError(_("请选择孩子"), field="child")
            try:
                value = Decimal(request.POST.get("estimated_value", "").strip() or "x")
            except InvalidOperation:
                raise ServiceError(_("请填写估计价值（元）"), field="estimated_value") from None
            services.wish_record(
                child=child, by=request.user, item=request.POST.get("item", ""), estimated_value=value, publish=True
            )
        except ServiceError as exc:
            context["errors"][exc.field or "item"] = exc.message
            return render(request, "activities/volunteer/wish_form.html", context, status=400)
        return redirect("activities_volunteer:wishes")
    return render(request, "activities/volunteer/wish_form.html", context)


@_needs_volunteer
@require_POST
def wish_claim(request, volunteer, pk: int):
    """Claim a published wish of her county for herself."""
    wish = selectors.wish_for_volunteer(volunteer=volunteer, pk=pk)
    if wish is None:
        raise Http404
    try:
        services.wish_claim(wish=wish, volunteer=volunteer)
    except ServiceError:
        pass  # claimed by someone else a moment ago: the list shows it
    return redirect("activities_volunteer:wishes")
