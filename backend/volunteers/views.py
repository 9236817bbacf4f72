"""Public pages for applicants (mobile first, WeUI, no JavaScript needed): apply, thanks, status."""

import datetime

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from backend.accounts.models import PhoneCode
from backend.accounts.services import phone_code_request, phone_code_verify, phone_normalise
from backend.ops.errors import ServiceError
from backend.ops.ratelimit import RateLimited, client_ip, rate_limit_hit
from backend.programmes.models import Programme
from backend.volunteers.forms import ApplicationForm, PhoneForm
from backend.volunteers.models import Application, Declaration
from backend.volunteers.selectors import application_for_applicant, caring_units_for_applicants
from backend.volunteers.services import application_reply, application_submit, application_withdraw

# How long a verified number stays verified in the applicant's session.
VERIFIED_FOR = datetime.timedelta(minutes=30)
# Per client IP: form posts (including code requests and list refreshes), and submissions.
POST_LIMIT = ("apply:post:ip", 120, 600)
SUBMIT_LIMIT = ("apply:submit:ip", 20, 3600)


def _open_programme(request) -> Programme | None:
    programmes = Programme.objects.filter(is_active=True, recruitment_open=True).select_related("region")
    slug = request.GET.get("programme") or request.POST.get("programme")
    if slug:
        return programmes.filter(slug=slug).first()
    return programmes.order_by("id").first()


def _verified_phone(request, key: str) -> tuple[str, datetime.datetime] | None:
    data = request.session.get(key)
    if not data:
        return None
    at = datetime.datetime.fromisoformat(data["at"])
    if timezone.now() - at > VERIFIED_FOR:
        request.session.pop(key, None)
        return None
    return data["phone"], at


def _mark_verified(request, key: str, phone: str) -> None:
    request.session[key] = {"phone": phone, "at": timezone.now().isoformat()}


def _limit(request, spec) -> None:
    scope, limit, window = spec
    result = rate_limit_hit(scope=scope, key=client_ip(request), limit=limit, window=window)
    if not result.allowed:
        raise RateLimited(retry_after=result.retry_after)


def _add_service_error(form, exc: ServiceError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


@never_cache
@require_http_methods(["GET", "POST"])
def apply(request):
    """The application form: refresh region lists, send and verify the SMS code, submit."""
    programme = _open_programme(request)
    if programme is None:
        return render(request, "volunteers/closed.html", status=404)
    units = list(caring_units_for_applicants(programme=programme))
    notice = ""
    if request.method == "GET":
        form = ApplicationForm(programme=programme, caring_units=units)
        return _render_apply(request, programme, form, notice)

    form = ApplicationForm(request.POST, programme=programme, caring_units=units)
    if request.POST.get("website"):
        return HttpResponseBadRequest(_("提交失败"))
    try:
        _limit(request, POST_LIMIT)
    except RateLimited as exc:
        form.is_valid()
        form.add_error(None, exc.message)
        return _render_apply(request, programme, form, notice, status=429)

    action = request.POST.get("action", "submit")
    form.is_valid()  # coerce types; rules are the service's
    data = form.cleaned_data
    verified = _verified_phone(request, "apply_verified")

    if action == "send_code":
        status = 200
        try:
            row = phone_code_request(
                phone=data.get("phone", ""), purpose=PhoneCode.Purpose.APPLY, ip=client_ip(request)
            )
            notice = _("验证码已发送，10分钟内有效")
            form.data = form.data.copy()
            form.data["phone"] = row.phone.removeprefix("+86")
        except ServiceError as exc:
            _add_service_error(form, exc)
            status = exc.status_code
        return _render_apply(request, programme, form, notice, status=status)

    if action in ("verify_code", "submit") and data.get("code") and not _matches(verified, data.get("phone")):
        try:
            row = phone_code_verify(phone=data.get("phone", ""), purpose=PhoneCode.Purpose.APPLY, code=data["code"])
            _mark_verified(request, "apply_verified", row.phone)
            verified = _verified_phone(request, "apply_verified")
            notice = _("手机号已验证")
        except ServiceError as exc:
            _add_service_error(form, exc)
    if action != "submit":
        return _render_apply(request, programme, form, notice)

    try:
        _limit(request, SUBMIT_LIMIT)
    except RateLimited as exc:
        form.add_error(None, exc.message)
        return _render_apply(request, programme, form, notice, status=429)
    if form.errors:
        # A wrong code (or a form type error): report it together with the rule errors.
        try:
            _submit(form, programme, verified=None if form.has_error("code") else verified, dry_run=True)
        except ValidationError as exc:
            _merge(form, exc)
        return _render_apply(request, programme, form, notice, status=400)
    try:
        application = _submit(form, programme, verified=verified)
    except ValidationError as exc:
        _merge(form, exc)
        return _render_apply(request, programme, form, notice, status=400)
    request.session.pop("apply_verified", None)
    request.session["apply_reference"] = application.reference
    return redirect("apply:thanks")


def _matches(verified, phone: str | None) -> bool:
    if not verified or not phone:
        return False
    try:
        return phone_normalise(phone) == verified[0]
    except ServiceError:
        return False


def _submit(form, programme, *, verified, dry_run: bool = False):
    data = form.cleaned_data
    phone = data.get("phone", "")
    verified_at = verified[1] if _matches(verified, phone) else None
    kwargs = {
        "programme": programme,
        "name": data.get("name", ""),
        "gender": data.get("gender", ""),
        "id_number": data.get("id_number", ""),
        "village_code": data.get("village", ""),
        "skills": data.get("skills") or [],
        "capacity": data.get("capacity"),
        "availability": data.get("availability") or [],
        "declarations": data.get("declarations") or [],
        "consent": bool(data.get("consent")),
        "caring_unit_id": data.get("caring_unit"),
    }
    if dry_run:
        from backend.volunteers.services import application_validate

        return application_validate(**kwargs)
    return application_submit(
        **kwargs,
        phone=phone,
        phone_verified_at=verified_at,
        workplace=data.get("workplace", ""),
        occupation=data.get("occupation", ""),
        joins_team=bool(data.get("joins_team")),
        motivation=data.get("motivation", ""),
    )


def _merge(form, exc: ValidationError) -> None:
    for field, messages in exc.message_dict.items():
        target = field if field in form.fields else None
        for message in messages:
            if message not in form.errors.get(target or "__all__", []):
                form.add_error(target, message)


def _render_apply(request, programme, form, notice, status=200):
    verified = _verified_phone(request, "apply_verified")
    phone = form.data.get("phone") if form.is_bound else ""
    context = {
        "programme": programme,
        "form": form,
        "notice": notice,
        "phone_verified": _matches(verified, phone),
        "required_declarations": [
            Declaration(d).label for d in programme.required_declarations if d in Declaration.values
        ],
        "selected": form.selected,
    }
    return render(request, "volunteers/apply.html", context, status=status)


@never_cache
@require_GET
def thanks(request):
    """Show the reference number of the application just submitted."""
    reference = request.session.get("apply_reference")
    application = Application.objects.filter(reference=reference).select_related("programme").first()
    if application is None:
        return redirect("apply:form")
    return render(request, "volunteers/thanks.html", {"application": application})


@never_cache
@require_http_methods(["GET", "POST"])
def status(request):
    """Let an applicant who proves her number see, withdraw or complete her applications."""
    form = PhoneForm(request.POST or None)
    notice = ""
    error_status = 400
    verified = _verified_phone(request, "status_verified")
    if request.method == "POST":
        if request.POST.get("website"):
            return HttpResponseBadRequest(_("提交失败"))
        action = request.POST.get("action", "")
        form.is_valid()
        try:
            _limit(request, POST_LIMIT)
            if action == "send_code":
                row = phone_code_request(
                    phone=form.cleaned_data.get("phone", ""), purpose=PhoneCode.Purpose.STATUS, ip=client_ip(request)
                )
                notice = _("验证码已发送，10分钟内有效")
                form.data = form.data.copy()
                form.data["phone"] = row.phone.removeprefix("+86")
            elif action == "verify_code":
                row = phone_code_verify(
                    phone=form.cleaned_data.get("phone", ""),
                    purpose=PhoneCode.Purpose.STATUS,
                    code=form.cleaned_data.get("code", ""),
                )
                _mark_verified(request, "status_verified", row.phone)
                return redirect("apply:status")
            elif action == "sign_out":
                request.session.pop("status_verified", None)
                return redirect("apply:status")
            elif action in ("withdraw", "reply") and verified:
                application = (
                    application_for_applicant(phone=verified[0]).filter(reference=request.POST.get("reference")).first()
                )
                if application is None:
                    raise Http404
                if action == "withdraw":
                    application_withdraw(application=application, note=request.POST.get("note", ""))
                else:
                    application_reply(application=application, text=request.POST.get("text", ""))
                return redirect("apply:status")
        except ServiceError as exc:
            # 429 when rate-limited (as on the form), 409 on a conflict, else 400.
            error_status = exc.status_code
            if exc.field in form.fields:
                form.add_error(exc.field, exc.message)
            else:
                form.add_error(None, exc.message)
    applications = []
    if verified:
        applications = list(application_for_applicant(phone=verified[0]).prefetch_related("decisions"))
    return render(
        request,
        "volunteers/status.html",
        {"form": form, "notice": notice, "verified": verified, "applications": applications},
        status=error_status if form.errors else 200,
    )
