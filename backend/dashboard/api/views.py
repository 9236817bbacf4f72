from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.dashboard.api.serializers import dashboard_json
from backend.dashboard.selectors import dashboard_data, dashboard_region


class DashboardApi(APIView):
    """Return the coverage figures of a region and of each region one level below it."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, code: str | None = None):
        region = dashboard_region(user=request.user, code=code)
        return Response(dashboard_json(dashboard_data(region=region, today=timezone.localdate())))
