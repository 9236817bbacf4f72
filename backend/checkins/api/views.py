"""Check-ins over HTTP: list and log (idempotent on client_key), acknowledge, and what is due."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.selectors import scoped_queryset
from backend.audit.services import audit_children_shown
from backend.checkins import selectors, services
from backend.checkins.api.serializers import CheckInInputSerializer, CheckInOutputSerializer, DueOutputSerializer
from backend.checkins.models import CheckIn
from backend.children.selectors import child_list_for
from backend.ops.errors import ServiceError
from backend.ops.parsers import SafeJSONParser
from backend.volunteers.models import Volunteer


class CheckInPagination(CursorPagination):
    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _volunteer_of(user) -> Volunteer | None:
    return Volunteer.objects.filter(user=user).first() if user.is_volunteer else None


def _is_staff(user) -> bool:
    return user.is_federation_staff or user.is_superuser


class CheckInListCreateApi(APIView):
    parser_classes = [SafeJSONParser, MultiPartParser, FormParser]
    # Declared so the OpenAPI schema documents the page envelope (next/previous/results).
    pagination_class = CheckInPagination

    @extend_schema(
        summary="关爱记录列表",
        description="爱心妈妈看到自己的记录，工作人员看到本辖区的记录。",
        responses=CheckInOutputSerializer(many=True),
    )
    def get(self, request):
        qs = selectors.checkin_list(user=request.user).prefetch_related("child_links__child")
        paginator = CheckInPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        # Notes about children: audited with the children they are about.
        audit_children_shown(
            request=request,
            action="list",
            children=[(link.child_id, link.child.village_id) for c in page for link in c.child_links.all()],
            detail="check-ins",
        )
        return paginator.get_paginated_response(CheckInOutputSerializer(page, many=True).data)

    @extend_schema(
        summary="记录一次关爱",
        description=(
            "爱心妈妈为自己结对的孩子记录；工作人员传 volunteer 代录（记为工作人员代录）。同一 client_key 重发不会重复记录"
            "（返回200和原记录）。"
        ),
        request=CheckInInputSerializer,
        responses={201: CheckInOutputSerializer, 200: CheckInOutputSerializer},
    )
    def post(self, request):
        data = CheckInInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        user = request.user
        if _is_staff(user):
            if not v.get("volunteer"):
                raise ServiceError(_("请选择爱心妈妈"), field="volunteer")
            volunteer = scoped_queryset(user, Volunteer).filter(pk=v["volunteer"]).first()
            if volunteer is None:
                raise ServiceError(_("爱心妈妈不存在"), field="volunteer")
            source = CheckIn.Source.STAFF
        else:
            volunteer = _volunteer_of(user)
            if volunteer is None:
                raise PermissionDenied
            source = CheckIn.Source.API
        client_key = v.get("client_key") or None
        existed = bool(client_key) and CheckIn.objects.filter(volunteer=volunteer, client_key=client_key).exists()
        # Only children the user may see: one elsewhere answers as one that does not exist.
        children = list(child_list_for(user=user).filter(pk__in=v["children"]))
        if source == CheckIn.Source.API and len(children) != len(set(v["children"])):
            # her former children too, so the service can say "no longer paired with you"
            seen = {c.pk for c in children}
            children += selectors.children_formerly_paired_with(
                volunteer=volunteer, ids=[pk for pk in set(v["children"]) if pk not in seen]
            )
        if len(children) != len(set(v["children"])):
            raise ServiceError(_("只能记录与您结对的儿童"), field="children")
        checkin = services.checkin_create(
            volunteer=volunteer,
            children=children,
            kind=v["kind"],
            occurred_on=v.get("occurred_on"),
            duration_minutes=v.get("duration_minutes"),
            note=v.get("note", ""),
            photo=v.get("photo"),
            worried=v.get("worried", False),
            source=source,
            logged_by=user,
            client_key=client_key,
        )
        return Response(
            CheckInOutputSerializer(checkin).data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        )


class CheckInAcknowledgeApi(APIView):
    @extend_schema(
        summary="致谢",
        description="工作人员致谢，感谢短信或微信消息发给爱心妈妈（只发一次）。",
        request=None,
        responses=CheckInOutputSerializer,
    )
    def post(self, request, pk: int):
        if not _is_staff(request.user):
            raise PermissionDenied
        checkin = selectors.checkin_list(user=request.user).filter(pk=pk).first()
        if checkin is None:
            raise Http404
        checkin = services.checkin_acknowledge(checkin=checkin, user=request.user)
        return Response(CheckInOutputSerializer(checkin).data)


class DueListApi(APIView):
    @extend_schema(
        summary="待关爱事项",
        description=("爱心妈妈：自己的孩子接下来该做什么；工作人员：传 volunteer 查看本辖区某位爱心妈妈的。"),
        parameters=[OpenApiParameter("volunteer", OpenApiTypes.INT, required=False)],
        responses=DueOutputSerializer(many=True),
    )
    def get(self, request):
        user = request.user
        if _is_staff(user):
            volunteer = (
                scoped_queryset(user, Volunteer).filter(pk=request.query_params.get("volunteer")).first()
                if (request.query_params.get("volunteer") or "").isdigit()
                else None
            )
            if volunteer is None:
                raise ServiceError(_("请选择本辖区的爱心妈妈"), field="volunteer")
        else:
            volunteer = _volunteer_of(user)
            if volunteer is None:
                raise PermissionDenied
        today = services.today_local()
        rows = selectors.due_states_for_volunteer(volunteer=volunteer, today=today)[:200]
        return Response(DueOutputSerializer(rows, many=True, context={"today": today}).data)
