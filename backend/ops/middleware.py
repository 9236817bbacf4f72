import base64
import hashlib
import re
from pathlib import Path

import django
from django.conf import settings


def _admin_changelist_style_hash() -> str:
    """Hash the one inline <style> of Django's admin (a change list without actions).

    Read from the installed template, so a Django upgrade that changes it keeps working.
    """
    template = Path(django.__file__).parent / "contrib" / "admin" / "templates" / "admin" / "change_list.html"
    match = re.search(r"<style>(.*?)</style>", template.read_text(encoding="utf-8"), re.S)
    if not match:
        return ""
    digest = hashlib.sha256(match.group(1).encode("utf-8")).digest()
    return f" 'sha256-{base64.b64encode(digest).decode()}'"


# Everything the platform shows is served by itself (no CDN): WeUI, ECharts, Swagger UI.
# No inline scripts or <style> elements anywhere (each page loads its own .js and .css);
# JSON for scripts comes through json_script (type="application/json", never executed).
# Style *attributes* are allowed (style-src-attr): ECharts writes its tooltips as HTML with
# style="" in them. An attribute cannot run code, match selectors or, with img-src and
# font-src 'self', load anything from elsewhere; our templates carry none (tested).
DEFAULT_CSP = (
    "default-src 'self'; img-src 'self' data: blob:; "
    f"style-src 'self'{_admin_changelist_style_hash()}; style-src-attr 'unsafe-inline'; "
    "script-src 'self'; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


class ContentSecurityPolicyMiddleware:
    """Add a Content-Security-Policy header to every response that lacks one."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", DEFAULT_CSP)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


class RejectNulBytesMiddleware:
    """Answer 400 to a query string or form field holding a NUL byte.

    PostgreSQL text cannot hold NUL: such a value reaching a filter or an insert raised
    DataError, a 500 (found by the hardening tests). No real input contains one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.http import HttpResponseBadRequest
        from django.utils.translation import gettext as _

        if "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get("QUERY_STRING", ""):
            return HttpResponseBadRequest(_("请求含有非法字符 / the request holds a NUL character"))
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            try:
                values = [v for _k, vs in request.POST.lists() for v in vs]
            except Exception:  # noqa: BLE001 - a body Django cannot parse is the view's 400 to give
                values = []
            if any("\x00" in v for v in values):
                return HttpResponseBadRequest(_("请求含有非法字符 / the request holds a NUL character"))
        return self.get_response(request)
