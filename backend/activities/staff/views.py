"""The activities' pages of the workspace (/staff/activities/): activities, sign-ups, check-in on a
phone, 微心愿 wishes, family-education consultations and articles. Thin: a form, a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backend.activities import selectors, services
from backend.activities.models import Audience, Signup, Wish
from backend.activities.staff import forms
from backend.audit.services import audit_children_shown
from backend.ops.errors import ServiceError
from backend.regions.models import Region
from backend.workspace.access import staff_page
from backend.workspace.forms import form_add_service_errors

ERRORS = (ServiceError, ValidationError)


def _audit(request, children, detail: str) -> None:
    audit_children_shown(
        request=request, action="list", children=[(c.pk, c.village_id) for c in children if c], detail=detail
    )


def _activity_or_404(request, pk):
    found = selectors.activity_get_for(user=request.user, pk=pk)
    if found is None:
        raise Http404
    return found


# --- activities -----------------------------------------------------------------------


@staff_page
@require_GET
def activity_list(request):
    """Her region's activities, newest first, with places taken per audience."""
    activities = list(selectors.activity_list_for(user=request.user)[:100])
    rows = [{"activity": a, "counts": selectors.activity_counts(activity=a)} for a in activities]
    return render(request, "activities/staff/list.html", {"rows": rows, "audiences": dict(Audience.choices)})


@staff_page
@require_http_methods(["GET", "POST"])
def activity_create(request):
    """Organise an activity for her region (a lecture series repeats weekly)."""
    form = forms.ActivityForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            region = Region.objects.get(pk=form.cleaned_data["region"])
            activity = services.activity_create(by=request.user, region=region, **form.values())
        except ERRORS as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("活动已发布"))
            return redirect("activities_staff:detail", pk=activity.pk)
    return render(request, "activities/staff/form.html", {"form": form}, status=400 if form.errors else 200)


def _detail_context(request, activity, signup_form=None) -> dict:
    signups = list(selectors.signups_of_activity(activity=activity))
    signup_form = signup_form or forms.StaffSignupForm(user=request.user, activity=activity)
    # The sign-up form lists the region's children by name: they are shown too.
    _audit(request, [s.child for s in signups] + list(signup_form.children), f"activity {activity.pk} sign-ups")
    return {
        "activity": activity,
        "counts": selectors.activity_counts(activity=activity),
        "audiences": dict(Audience.choices),
        "sessions": list(activity.sessions.all()),
        "signups": signups,
        "signup_form": signup_form,
        "open": activity.status == "published"
        and activity.signup_opens_at <= timezone.now() < activity.signup_closes_at,
    }


@staff_page
@require_GET
def activity_detail(request, pk: int):
    """One activity: places per audience, sessions (check-in), everyone signed up or waiting."""
    activity = _activity_or_404(request, pk)
    return render(request, "activities/staff/detail.html", _detail_context(request, activity))


@staff_page
@require_POST
def activity_cancel(request, pk: int):
    activity = _activity_or_404(request, pk)
    services.activity_cancel(activity=activity, by=request.user)
    messages.success(request, _("活动已取消，已通知报名的人"))
    return redirect("activities_staff:detail", pk=pk)


@staff_page
@require_POST
def activity_signup(request, pk: int):
    """Sign someone up on their behalf: a child of her region, a volunteer, a guardian."""
    activity = _activity_or_404(request, pk)
    form = forms.StaffSignupForm(request.POST, user=request.user, activity=activity)
    if form.is_valid():
        data = form.cleaned_data
        try:
            signup = services.signup_create(
                activity=activity,
                audience=data["audience"],
                channel=Signup.Channel.STAFF,
                by=request.user,
                child=form.chosen("child"),
                volunteer=form.chosen("volunteer"),
                person_name=data["person_name"],
                phone=data["phone"],
                consent_by=data["consent_by"],
                consent_relation=data["consent_relation"],
            )
        except ERRORS as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("已报名：%(s)s") % {"s": signup.get_status_display()})
            return redirect("activities_staff:detail", pk=pk)
    return render(request, "activities/staff/detail.html", _detail_context(request, activity, form), status=400)


@staff_page
@require_POST
def signup_cancel(request, pk: int):
    signup = selectors.signup_get_for(user=request.user, pk=pk)
    if signup is None:
        raise Http404
    try:
        services.signup_cancel(signup=signup)
        messages.success(request, _("已取消报名，名额已让给候补的人"))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("activities_staff:detail", pk=signup.activity_id)


# --- check-in -------------------------------------------------------------------------


def _session_or_404(request, pk):
    found = selectors.session_get_for(user=request.user, pk=pk)
    if found is None:
        raise Http404
    return found


def _checkin_context(request, session, **extra) -> dict:
    rows = selectors.session_check_in_list(session=session)
    _audit(request, [r["signup"].child for r in rows], f"check-in session {session.pk}")
    return {
        "session": session,
        "activity": session.activity,
        "rows": rows,
        "counts": selectors.session_head_counts(session=session),
        "scan_form": extra.pop("scan_form", None) or forms.ScanForm(),
        **extra,
    }


@staff_page
@require_GET
def session_checkin(request, pk: int):
    """The check-in list of one session on a phone: tick, or scan the confirmation's QR code."""
    session = _session_or_404(request, pk)
    return render(request, "activities/staff/checkin.html", _checkin_context(request, session))


@staff_page
@require_POST
def session_tick(request, pk: int, signup: int):
    """Tick (or untick) one participant; htmx swaps the row and the head-counts."""
    session = _session_or_404(request, pk)
    row = selectors.signups_of_activity(activity=session.activity).filter(pk=signup).first()
    if row is None:
        raise Http404
    try:
        services.attendance_mark(
            session=session, signup=row, by=request.user, present=request.POST.get("present") != "0"
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    if request.htmx:
        return render(request, "activities/staff/_checkin_body.html", _checkin_context(request, session))
    return redirect("activities_staff:checkin", pk=pk)


@staff_page
@require_POST
def session_scan(request, pk: int):
    """Check in by the token of a confirmation's QR code."""
    session = _session_or_404(request, pk)
    form = forms.ScanForm(request.POST)
    if form.is_valid():
        token = form.cleaned_data["token"].strip().rstrip("/").rsplit("/", 1)[-1]
        signup = services.signup_from_token(token)
        if signup is None or signup.activity_id != session.activity_id:
            form.add_error("token", _("二维码不属于这场活动"))
        else:
            try:
                services.attendance_mark(session=session, signup=signup, by=request.user)
            except ServiceError as exc:
                form.add_error("token", exc.message)
            else:
                messages.success(request, _("已签到：%(name)s") % {"name": signup.display_name})
                return redirect("activities_staff:checkin", pk=pk)
    context = _checkin_context(request, session, scan_form=form)
    return render(request, "activities/staff/checkin.html", context, status=400)


# --- wishes ---------------------------------------------------------------------------


def _wish_or_404(request, pk):
    found = selectors.wish_get_for(user=request.user, pk=pk)
    if found is None:
        raise Http404
    return found


@staff_page
@require_GET
def wish_list(request):
    """Her region's wishes by status (given name and age only)."""
    form = forms.WishFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    wishes = list(selectors.wish_list_for(user=request.user, status=status)[:200])
    _audit(request, [w.child for w in wishes], "wishes list")
    counts = selectors.wish_counts(user=request.user)
    return render(
        request,
        "activities/staff/wishes.html",
        {
            "form": form,
            "wishes": wishes,
            "status": status,
            "tabs": [(v, label, counts.get(v, 0)) for v, label in Wish.Status.choices],
            "today": timezone.localdate(),
        },
    )


@staff_page
@require_http_methods(["GET", "POST"])
def wish_create(request):
    """Record a child's wish (a child director or staff of her region)."""
    from backend.children.selectors import child_list_for

    children = child_list_for(user=request.user).filter(status="active").order_by("village_id", "given_name")[:500]
    form = forms.WishForm(request.POST or None, children=children)
    _audit(request, form.children, "wish form")
    if request.method == "POST" and form.is_valid():
        child = form.child_obj()
        try:
            if child is None:
                raise ServiceError(_("请选择儿童"), field="child")
            wish = services.wish_record(
                child=child,
                by=request.user,
                item=form.cleaned_data["item"],
                estimated_value=form.cleaned_data["estimated_value"],
                publish=form.cleaned_data["publish"],
            )
        except ERRORS as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("心愿已登记"))
            return redirect("activities_staff:wish", pk=wish.pk)
    return render(request, "activities/staff/wish_form.html", {"form": form}, status=400 if form.errors else 200)


def _wish_context(request, wish, **bound) -> dict:
    _audit(request, [wish.child], f"wish {wish.pk}")
    return {
        "wish": wish,
        "age": wish.child.age_on(timezone.localdate()),
        "claim_form": bound.get("claim")
        or forms.WishClaimForm(
            volunteers=selectors.volunteers_for_wish(user=request.user, wish=wish),
            units=selectors.units_for_wish(user=request.user, wish=wish),
        ),
        "fulfil_form": bound.get("fulfil") or forms.WishFulfilForm(initial={"fulfilled_on": timezone.localdate()}),
        "thank_form": bound.get("thank") or forms.WishThankForm(),
    }


@staff_page
@require_GET
def wish_detail(request, pk: int):
    wish = _wish_or_404(request, pk)
    return render(request, "activities/staff/wish.html", _wish_context(request, wish))


@staff_page
@require_POST
def wish_act(request, pk: int, action: str):
    """Publish, claim (for a volunteer or unit), fulfil (date, photo) or thank."""
    wish = _wish_or_404(request, pk)
    if action == "publish":
        form = None
        call = lambda: services.wish_publish(wish=wish)  # noqa: E731
    elif action == "claim":
        form = forms.WishClaimForm(
            request.POST,
            volunteers=selectors.volunteers_for_wish(user=request.user, wish=wish),
            units=selectors.units_for_wish(user=request.user, wish=wish),
        )
        call = lambda: services.wish_claim(wish=wish, **form.values())  # noqa: E731
    elif action == "fulfil":
        form = forms.WishFulfilForm(request.POST, request.FILES)
        call = lambda: services.wish_fulfil(  # noqa: E731
            wish=wish, fulfilled_on=form.cleaned_data["fulfilled_on"], photo=form.cleaned_data.get("photo")
        )
    elif action == "thank":
        form = forms.WishThankForm(request.POST)
        call = lambda: services.wish_thank(wish=wish, note=form.cleaned_data["note"])  # noqa: E731
    else:
        raise Http404
    if form is None or form.is_valid():
        try:
            call()
        except ERRORS as exc:
            if form is None:
                messages.error(request, getattr(exc, "message", str(exc)))
                return redirect("activities_staff:wish", pk=pk)
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("activities_staff:wish", pk=pk)
    return render(request, "activities/staff/wish.html", _wish_context(request, wish, **{action: form}), status=400)


# --- family education -----------------------------------------------------------------


@staff_page
@require_http_methods(["GET", "POST"])
def consultation_create(request, pk: int):
    """Keep a family-education consultation on a child's file."""
    from backend.children.selectors import child_get_for

    child = child_get_for(user=request.user, pk=pk)
    if child is None or request.user.is_volunteer:
        raise Http404
    form = forms.ConsultationForm(request.POST or None, initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.consultation_record(child=child, by=request.user, **form.cleaned_data)
        except ERRORS as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("咨询记录已保存"))
            return redirect("children_staff:file", pk=child.pk)
    _audit(request, [child], "consultation form")
    return render(
        request,
        "activities/staff/consultation_form.html",
        {"form": form, "child": child},
        status=400 if form.errors else 200,
    )


@staff_page
@require_http_methods(["GET", "POST"])
def article_list(request):
    """Her region's guidance articles, and the form to publish one (public at /g/articles/)."""
    form = forms.ArticleForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            data = dict(form.cleaned_data)
            region = Region.objects.get(pk=data.pop("region"))
            services.article_publish(by=request.user, region=region, **data)
        except ERRORS as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("文章已发布"))
            return redirect("activities_staff:articles")
    return render(
        request,
        "activities/staff/articles.html",
        {"form": form, "articles": selectors.article_list_for(user=request.user)[:100]},
        status=400 if form.errors else 200,
    )
