"""The OpenAPI schema and its Swagger UI: for federation staff, unless API_DOCS_PUBLIC is set."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import BasePermission

from backend.accounts.models import User


class CanReadApiDocs(BasePermission):
    """Federation staff and superusers; everyone when settings.API_DOCS_PUBLIC."""

    message = _("接口文档仅向妇联工作人员开放")

    def has_permission(self, request, view):
        if settings.API_DOCS_PUBLIC:
            return True
        user = request.user
        return bool(user and user.is_authenticated and (user.is_superuser or user.role == User.Role.STAFF))


class ApiSchemaView(SpectacularAPIView):
    permission_classes = [CanReadApiDocs]


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI; its script is a separate URL (``?script``), so CSP needs no inline code."""

    permission_classes = [CanReadApiDocs]
    template_name = "ops/swagger_ui.html"

    def dispatch(self, request, *args, **kwargs):
        # A person opening the page in a browser gets the sign-in page, not a JSON 403.
        if not settings.API_DOCS_PUBLIC and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        return super().dispatch(request, *args, **kwargs)
