"""Her own service record on /v/record/: hours, trainings, honours, certificates; asking for a certificate."""

import datetime

from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from backend.ops.errors import ServiceError
from backend.records import selectors, services
from backend.records.models import Certificate
from backend.records.staff.views import pdf_response
from backend.volunteers.selectors import volunteer_of_user


def _volunteer_page(view):
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


def _date(value: str, field: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat((value or "").strip())
    except ValueError:
        raise ServiceError(_("请填写日期，例如 2026-01-01"), field=field) from None


@_volunteer_page
@require_http_methods(["GET", "POST"])
def record(request, volunteer):
    """Her approved hours, what waits for approval, her trainings, honours and certificates."""
    today = timezone.localdate()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            services.certificate_request(
                volunteer=volunteer,
                period_start=_date(request.POST.get("period_start"), "period_start"),
                period_end=_date(request.POST.get("period_end"), "period_end"),
                note=request.POST.get("note", ""),
            )
            return redirect("/v/record/?requested=1")
        except ServiceError as exc:
            errors[exc.field or "period_start"] = exc.message
            status = 400
    certificates = [
        {"c": c, "final": c.is_final(today), "in_publicity": c.in_publicity(today)}
        for c in selectors.certificate_list(user=request.user)
    ]
    return render(
        request,
        "records/v/record.html",
        {
            "volunteer": volunteer,
            "summary": selectors.record_summary(volunteer=volunteer, today=today),
            "entries": selectors.entry_list(user=request.user)[:30],
            "trainings": selectors.trainings_of(volunteer=volunteer),
            "honours": selectors.honours_of(volunteer=volunteer),
            "evaluations": selectors.evaluations_of(volunteer=volunteer),
            "certificates": certificates,
            "errors": errors,
            "requested": request.GET.get("requested") == "1",
            "period_start": request.POST.get("period_start", today.replace(month=1, day=1).isoformat()),
            "period_end": request.POST.get("period_end", today.isoformat()),
            "today": today,
        },
        status=status,
    )


@_volunteer_page
@require_GET
def certificate_download(request, volunteer, pk: int):
    """Her own final certificate as a PDF, with her full ID number (it is hers)."""
    certificate = selectors.certificate_list(user=request.user).filter(pk=pk).first()
    if certificate is None or certificate.status not in (Certificate.Status.ISSUED, Certificate.Status.REVOKED):
        return render(request, "checkins/not_volunteer.html", status=404)
    return pdf_response(request, certificate, full_id=True)
