"""Public pages for guardians (/g/): sign up with a phone and an SMS code, the confirmation with
its QR code, and the family-education articles, readable on a phone without signing in."""

from __future__ import annotations

import datetime

import segno
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backend.accounts.models import PhoneCode
from backend.accounts.services import phone_code_request, phone_code_verify
from backend.activities import selectors, services
from backend.activities.models import Activity, Article, Audience, Signup
from backend.ops.errors import ServiceError
from backend.ops.ratelimit import RateLimited, client_ip, rate_limit_hit

VERIFIED_KEY = "activities_guardian"
VERIFIED_FOR = datetime.timedelta(minutes=30)
POST_LIMIT = ("activities:post:ip", 60, 600)


def _verified(request) -> str | None:
    data = request.session.get(VERIFIED_KEY)
    if not data or timezone.now() - datetime.datetime.fromisoformat(data["at"]) > VERIFIED_FOR:
        return None
    return data["phone"]


def _limit(request) -> None:
    scope, limit, window = POST_LIMIT
    if not rate_limit_hit(scope=scope, key=client_ip(request), limit=limit, window=window).allowed:
        raise RateLimited()


@require_GET
def home(request):
    """Activities open to guardians and families, and the guidance articles."""
    return render(
        request,
        "activities/public/home.html",
        {
            "activities": selectors.activities_open(audiences=("guardian", "child"))[:30],
            "articles": selectors.articles_public()[:10],
        },
    )


@require_GET
def article_list(request):
    audience = request.GET.get("audience", "")
    return render(
        request,
        "activities/public/articles.html",
        {
            "articles": selectors.articles_public(audience=audience)[:100],
            "audiences": Article.ArticleAudience.choices,
            "audience": audience,
        },
    )


@require_GET
def article(request, pk: int):
    found = selectors.article_public_get(pk=pk)
    if found is None:
        raise Http404
    return render(request, "activities/public/article.html", {"article": found})


@never_cache
@require_http_methods(["GET", "POST"])
def signup(request, pk: int):
    """Phone and SMS code, then a guardian signs up herself (lectures) or her child (camps).

    Every number gets the same answer and a code; nothing tells whether it is known.
    """
    activity = selectors.activity_public_get(pk=pk)
    if activity is None:
        raise Http404
    phone = _verified(request)
    context = {
        "activity": activity,
        "verified": phone,
        "errors": {},
        "notice": "",
        "values": request.POST,
        "for_guardian": activity.capacity_guardians > 0,
        "for_child": activity.capacity_children > 0,
        "is_camp": activity.kind == Activity.Kind.CAMP,
    }
    if phone and context["for_child"]:
        context["children"] = selectors.guardian_children(phone=phone, activity=activity)
    if request.method == "GET":
        return render(request, "activities/public/signup.html", context)
    action = request.POST.get("action", "")
    try:
        _limit(request)
        if action == "send_code":
            phone_code_request(
                phone=request.POST.get("phone", ""), purpose=PhoneCode.Purpose.GUARDIAN, ip=client_ip(request)
            )
            context["code_sent"] = True
            context["notice"] = _("验证码已发送，10分钟内有效")
        elif action == "verify":
            row = phone_code_verify(
                phone=request.POST.get("phone", ""),
                purpose=PhoneCode.Purpose.GUARDIAN,
                code=request.POST.get("code", ""),
            )
            request.session[VERIFIED_KEY] = {"phone": row.phone, "at": timezone.now().isoformat()}
            return redirect("activities_public:signup", pk=activity.pk)
        elif action == "submit" and phone:
            signup = _submit(request, activity, phone, context)
            return redirect("activities_public:signup-page", token=services.signup_token(signup))
        else:
            raise ServiceError(_("请先验证手机号"), field="phone")
    except ServiceError as exc:
        context["errors"][exc.field or "form"] = exc.message
        context["code_sent"] = action != "send_code" and not phone
        return render(request, "activities/public/signup.html", context, status=exc.status_code)
    return render(request, "activities/public/signup.html", context)


def _submit(request, activity, phone, context) -> Signup:
    who = request.POST.get("who", "guardian")
    name = request.POST.get("person_name", "")
    if who == "child":
        chosen = next((c for c in context.get("children", []) if str(c.pk) == request.POST.get("child")), None)
        if chosen is None:
            raise ServiceError(_("请选择报名的孩子"), field="child")
        if activity.kind == Activity.Kind.CAMP and request.POST.get("consent") != "1":
            raise ServiceError(_("儿童参加营地活动须监护人同意"), field="consent")
        return services.signup_create(
            activity=activity,
            audience=Audience.CHILD,
            channel=Signup.Channel.GUARDIAN,
            child=chosen,
            person_name=name,
            phone=phone,
            consent_by=name,
            consent_relation=chosen.get_guardian_relation_display(),
        )
    return services.signup_create(
        activity=activity, audience=Audience.GUARDIAN, channel=Signup.Channel.GUARDIAN, person_name=name, phone=phone
    )


def _signup_or_404(token: str) -> Signup:
    found = services.signup_from_token(token)
    if found is None:
        raise Http404
    return found


@never_cache
def signup_page(request, token: str):
    """The confirmation: what, when, where, the status, and the QR code to show at check-in."""
    found = _signup_or_404(token)
    qr = None
    if found.status == Signup.Status.CONFIRMED:
        qr = segno.make(token, error="m").svg_data_uri(scale=5, border=2)
    context = {
        "signup": found,
        "activity": found.activity,
        "sessions": list(found.activity.sessions.all()[:20]),
        "qr": qr,
        "token": token,
        "position": services.signup_position(found) if found.status == Signup.Status.WAITING else None,
        "can_cancel": found.status in ("confirmed", "waiting", "offered"),
        "now": timezone.now(),
    }
    return render(request, "activities/public/signup_page.html", context)


@never_cache
@require_POST
def signup_act(request, token: str, action: str):
    """Take an offered place or cancel, from the link in the message."""
    found = _signup_or_404(token)
    try:
        if action == "accept":
            services.offer_accept(signup=found)
        elif action == "cancel":
            services.signup_cancel(signup=found)
        else:
            raise Http404
    except ServiceError as exc:
        return render(
            request,
            "activities/public/signup_page.html",
            {"signup": found, "activity": found.activity, "error": exc.message, "token": token},
            status=exc.status_code,
        )
    return redirect("activities_public:signup-page", token=token)
