"""The OpenAPI schema's Swagger UI, with no inline code (CSP)."""

from drf_spectacular.views import SpectacularSwaggerSplitView


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI; its script is a separate URL (``?script``), so CSP needs no inline code."""

    template_name = "ops/swagger_ui.html"
