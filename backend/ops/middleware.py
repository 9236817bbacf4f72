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


# The only paths that take files, and how big a request to each may be (a photo is at
# most 5 MB, an import 20 MB); every other request: DATA_UPLOAD_MAX_MEMORY_SIZE.
UPLOAD_LIMITS = (
    ("/api/children/imports/", 21 * 1024 * 1024),
    ("/admin/children/", 21 * 1024 * 1024),
    ("/api/checkins/", 6 * 1024 * 1024),
    ("/v/", 6 * 1024 * 1024),
    ("/staff/activities/wishes/", 6 * 1024 * 1024),  # a fulfilled wish's photo
    ("/staff/records/issuer/", 6 * 1024 * 1024),  # the issuer's seal image
)


class RequestSizeLimitMiddleware:
    """Answer 413 to a body larger than its path allows, before a byte of it is read.

    Django's DATA_UPLOAD_MAX_MEMORY_SIZE leaves out file parts, so a 30 MB file part to
    the public application form was read and written to a temporary file.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.http import HttpResponse
        from django.utils.translation import gettext as _

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = next((n for prefix, n in UPLOAD_LIMITS if request.path.startswith(prefix)), None)
        if limit is None:
            limit = (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 5 * 1024 * 1024) + 64 * 1024
        if length > limit:
            return HttpResponse(_("上传内容过大"), status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class NoStoreMiddleware:
    """Mark every response to a signed-in user, and every API answer, ``Cache-Control: no-store``.

    Children's files, exports and the staff pages must not be kept by a shared or
    browser cache. A view that sets its own Cache-Control keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if (signed_in or request.path.startswith("/api/")) and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store, private"
        return response


class RejectNulBytesMiddleware:
    """Answer 400 to a path, query string or form field holding a NUL byte (JSON: ``SafeJSONParser``).

    PostgreSQL text cannot hold NUL: such a value reaching a filter or an insert raised
    DataError, a 500 (found by the hardening tests). No real input contains one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.http import HttpResponseBadRequest
        from django.utils.translation import gettext as _

        if "\x00" in request.path or "%00" in request.path:
            # /staff/r/%00/, admin change URLs: an object id or code never holds NUL.
            return HttpResponseBadRequest(_("请求含有非法字符"))
        if "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get("QUERY_STRING", ""):
            return HttpResponseBadRequest(_("请求含有非法字符"))
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            try:
                values = [v for _k, vs in request.POST.lists() for v in vs]
            except Exception:  # noqa: BLE001 - a body Django cannot parse is the view's 400 to give
                values = []
            if any("\x00" in v for v in values):
                return HttpResponseBadRequest(_("请求含有非法字符"))
        return self.get_response(request)
