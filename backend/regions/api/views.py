from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from backend.regions.api.serializers import RegionSerializer
from backend.regions.models import Region
from backend.regions.selectors import region_children


class RegionChildrenView(generics.ListAPIView):
    """List the regions directly under a region (public: used by cascading pickers)."""

    serializer_class = RegionSerializer
    permission_classes = [AllowAny]
    pagination_class = None

    class FilterSerializer(serializers.Serializer):
        parent = serializers.RegexField(
            r"^\d{2}(\d{2}(\d{2}(\d{3})?)?)?$",
            required=False,
            error_messages={"invalid": _("上级区划代码应为2、4、6或9位数字")},
        )

    @extend_schema(parameters=[OpenApiParameter("parent", str, description="上级区划代码")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = self.FilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        code = filters.validated_data.get("parent")
        parent = Region.objects.filter(code=code).first() if code else None
        if code and parent is None:
            return Region.objects.none()
        return region_children(region=parent)
