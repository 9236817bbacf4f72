from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from backend.ops.selectors import health_status


@never_cache
@require_GET
def healthz(request):
    """Report whether the database, broker, cache and beat are reachable (JSON)."""
    status = health_status()
    return JsonResponse(status, status=503 if status["status"] == "down" else 200)
