"""Public pages of certificates: verification (from the QR code) and each issuer's publicity notice."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_GET

from backend.privacy.names import mask_name
from backend.records import selectors
from backend.records.certificate_pdf import verification_code


@require_GET
def verify(request):
    """Say whether a certificate number with its check code is valid, in publicity, revoked or unknown."""
    number = (request.GET.get("n") or "").strip()[:40]
    code = (request.GET.get("c") or "").strip().upper()[:20]
    certificate = None
    if number and code and constant_time_compare(code, verification_code(number)):
        certificate = selectors.certificate_by_number(number=number)
    today = timezone.localdate()
    state = "unknown"
    if certificate is not None:
        state = (
            "revoked"
            if certificate.status == "revoked"
            else ("publicity" if certificate.in_publicity(today) else "valid")
        )
    return render(
        request,
        "records/public/verify.html",
        {
            "asked": bool(number),
            "number": number,
            "code": code,
            "state": state,
            "c": certificate,
            "masked_name": mask_name(certificate.volunteer.name) if certificate else "",
        },
        status=200 if certificate is not None or not number else 404,
    )


@require_GET
def notice(request, prefix: str):
    """List an issuer's certificates in their 7-day publicity, with masked names."""
    issuer = selectors.issuer_by_prefix(prefix=prefix)
    if issuer is None:
        raise Http404
    today = timezone.localdate()
    rows = [
        {"c": c, "name": mask_name(c.volunteer.name)}
        for c in selectors.certificates_in_publicity(issuer=issuer, today=today)
    ]
    return render(request, "records/public/notice.html", {"issuer": issuer, "rows": rows, "today": today})
