from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import CursorPagination
from rest_framework.views import APIView

from backend.accounts.models import User
from backend.audit.api.serializers import AuditEventSerializer
from backend.audit.models import AuditEvent
from backend.audit.selectors import audit_event_list


class AuditCursorPagination(CursorPagination):
    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class AuditEventListApi(APIView):
    """The audit log of the user's region, newest first: read-only for federation staff."""

    # Declared so the OpenAPI schema documents the page envelope (next/previous/results).
    pagination_class = AuditCursorPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("action", str, enum=AuditEvent.Action.values),
            OpenApiParameter("object_type", str),
            OpenApiParameter("object_id", str, description="事件涉及的记录编号"),
            OpenApiParameter("actor", str, description="操作人账号"),
        ],
        responses=AuditEventSerializer(many=True),
    )
    def get(self, request):
        user = request.user
        if not (user.is_superuser or (user.role == User.Role.STAFF and user.home_region_id)):
            raise PermissionDenied
        qs = audit_event_list(user=user)
        params = request.query_params
        if params.get("action"):
            qs = qs.filter(action=params["action"])
        if params.get("object_type"):
            qs = qs.filter(object_type=params["object_type"])
        if params.get("object_id"):
            qs = qs.filter(object_ids__contains=[str(params["object_id"])])
        if params.get("actor"):
            qs = qs.filter(actor_name=params["actor"])
        paginator = AuditCursorPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(AuditEventSerializer(page, many=True).data)
