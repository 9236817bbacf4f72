"""The certificate as a PDF (WeasyPrint, A4, Chinese) with a QR code to its public verification page."""

import base64
import datetime

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import salted_hmac

from backend.privacy.idnumbers import mask_id_number
from backend.records.models import Certificate

ID_TYPE = "居民身份证"
# WenQuanYi Micro Hei (fonts-wqy-microhei) for the text; the Hanazono fonts (fonts-hanazono) hold
# the rare characters it lacks, such as 𠮷 (U+20BB7) in a name. Both are in .ci/run's apt-get line.
FONT_STACK = ("WenQuanYi Micro Hei", "HanaMinA", "HanaMinB")


def certificate_css_font_stack() -> str:
    """Return the CSS font-family list of the certificate."""
    return ", ".join(f'"{f}"' for f in FONT_STACK) + ", sans-serif"


def verification_code(number: str) -> str:
    """Return the check code printed beside a certificate number; a forged number has none that matches."""
    return salted_hmac("records.certificate.verify", number).hexdigest()[:10].upper()


def verification_url(certificate: Certificate) -> str:
    """Return the absolute URL of the certificate's public verification page."""
    path = reverse("records_public:verify") + f"?n={certificate.number}&c={verification_code(certificate.number)}"
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def volunteer_number(volunteer) -> str:
    """Return her volunteer number (志愿者编号): the county code and her record's id."""
    return f"{volunteer.village_id[:6]}{volunteer.pk:06d}"


def qr_data_uri(text: str) -> str:
    """Return a QR code of ``text`` as an inline PNG data URI."""
    png = segno.make(text, error="m").png_data_uri(scale=4, border=2)
    return png


def _seal_data_uri(issuer) -> str:
    if not issuer.seal:
        return ""
    try:
        with issuer.seal.open("rb") as f:
            data = f.read()
    except OSError:
        return ""
    kind = "png" if data.startswith(b"\x89PNG") else "jpeg"
    return f"data:image/{kind};base64," + base64.b64encode(data).decode()


def certificate_html(certificate: Certificate, *, full_id: bool, today: datetime.date) -> str:
    """Return the certificate's HTML in the four blocks of 民发〔2015〕149号."""
    volunteer = certificate.volunteer
    return render_to_string(
        "records/certificate.html",
        {
            "c": certificate,
            "volunteer": volunteer,
            "id_type": ID_TYPE,
            "id_number": volunteer.id_number if full_id else mask_id_number(volunteer.id_number),
            "volunteer_number": volunteer_number(volunteer),
            "qr": qr_data_uri(verification_url(certificate)),
            "code": verification_code(certificate.number),
            "seal": _seal_data_uri(certificate.issuer),
            "final": certificate.is_final(today),
            "font_stack": certificate_css_font_stack(),
        },
    )


def certificate_pdf(certificate: Certificate, *, full_id: bool, today: datetime.date) -> bytes:
    """Return the certificate as A4 PDF bytes."""
    from weasyprint import HTML  # heavy: imported when a PDF is made

    return HTML(string=certificate_html(certificate, full_id=full_id, today=today)).write_pdf()
