"""The service record over HTTP, read-only: entries with their totals, a volunteer's record, honours, certificates.

Federation staff (and superusers) read the records of volunteers living in their region;
a volunteer reads her own entries, record and certificates (nominations are staff's work:
her record lists the honours she received). Child directors are refused. A record outside
the user's reach answers 404, as one that does not exist.
"""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.audit.models import AuditEvent
from backend.audit.services import audit_record
from backend.records import selectors
from backend.records.api import serializers as s

VOLUNTEER = "volunteer"


class IsRecordsStaff(BasePermission):
    """Federation staff and superusers."""

    def has_permission(self, request, view):
        return selectors.is_records_staff(request.user)


class IsRecordsReader(BasePermission):
    """Federation staff and superusers (their region's records) and volunteers (their own)."""

    def has_permission(self, request, view):
        user = request.user
        return selectors.is_records_staff(user) or bool(user and user.is_authenticated and user.is_volunteer)


class EntryPagination(CursorPagination):
    """Keyset pages of entries, with the figures of every entry the filters select (not just the page's)."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    totals: dict | None = None

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["totals"] = self.totals
        return response

    def get_paginated_response_schema(self, schema):
        paged = super().get_paginated_response_schema(schema)
        paged["properties"]["totals"] = {
            "type": "object",
            "description": "筛选出的全部记录的合计；服务小时只计已确认的记录",
            "properties": {
                "entries": {"type": "integer"},
                "approved_hours": {"type": "number", "format": "double"},
                "pending_entries": {"type": "integer"},
                "pending_hours": {"type": "number", "format": "double"},
            },
            "required": ["entries", "approved_hours", "pending_entries", "pending_hours"],
        }
        paged.setdefault("required", [])
        paged["required"] = sorted(set(paged["required"]) | {"results", "totals"})
        return paged


def _filters(serializer_class, request) -> dict:
    data = serializer_class(data=request.query_params)
    data.is_valid(raise_exception=True)
    return data.validated_data


def _audit_view(request, volunteer_id: int, region_code: str, detail: str) -> None:
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        object_type=VOLUNTEER,
        object_ids=[volunteer_id],
        region_code=region_code,
        request=request,
        detail=detail,
    )


class EntryListApi(APIView):
    permission_classes = [IsRecordsReader]
    # Declared so the OpenAPI schema documents the page envelope (next/previous/results/totals).
    pagination_class = EntryPagination

    @extend_schema(
        summary="服务记录列表",
        description=(
            "工作人员看到本辖区爱心妈妈的服务记录，爱心妈妈看到自己的。可按爱心妈妈、状态、来源、服务日期筛选；"
            "totals 是筛选出的全部记录的合计，服务小时只计已确认的记录。"
        ),
        parameters=[s.EntryFilterSerializer],
        responses=s.ServiceEntryOutputSerializer(many=True),
    )
    def get(self, request):
        entries = selectors.entry_list(user=request.user, **_filters(s.EntryFilterSerializer, request))
        paginator = EntryPagination()
        paginator.totals = selectors.entry_totals(entries=entries)
        page = paginator.paginate_queryset(entries, request, view=self)
        return paginator.get_paginated_response(s.ServiceEntryOutputSerializer(page, many=True).data)


class EntryDetailApi(APIView):
    permission_classes = [IsRecordsReader]

    @extend_schema(summary="一条服务记录", responses=s.ServiceEntryOutputSerializer)
    def get(self, request, pk: int):
        entry = selectors.entry_get(user=request.user, pk=pk)
        if entry is None:
            raise Http404
        return Response(s.ServiceEntryOutputSerializer(entry).data)


class VolunteerRecordApi(APIView):
    permission_classes = [IsRecordsReader]

    @extend_schema(
        summary="志愿服务记录",
        description=(
            "一位爱心妈妈的志愿服务记录，分个人基本信息、志愿服务情况、培训情况、表彰奖励情况、评价情况五部分"
            "（民政部令第67号）。身份证号码只显示脱敏后的；服务小时只计已确认的记录。工作人员只能查看本辖区的，"
            "爱心妈妈只能查看自己的。每次查看都记入审计日志。"
        ),
        responses=s.VolunteerRecordSerializer,
    )
    def get(self, request, pk: int):
        volunteer = selectors.record_volunteer_get(user=request.user, pk=pk)
        if volunteer is None:
            raise Http404
        parts = selectors.record_parts(volunteer=volunteer, today=timezone.localdate())
        _audit_view(request, volunteer.pk, volunteer.village_id, "service record")
        return Response(s.VolunteerRecordSerializer(parts).data)


class NominationListApi(generics.ListAPIView):
    """List the nominations for honours of the user's region and those her level decides (staff only)."""

    permission_classes = [IsRecordsStaff]
    serializer_class = s.NominationOutputSerializer

    @extend_schema(summary="表彰推荐列表", parameters=[s.NominationFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.nomination_list(user=self.request.user, **_filters(s.NominationFilterSerializer, self.request))


class NominationDetailApi(APIView):
    permission_classes = [IsRecordsStaff]

    @extend_schema(
        summary="一条表彰推荐",
        description="推荐时的条件、如今的条件（criteria_now）和各级审核意见。",
        responses=s.NominationDetailSerializer,
    )
    def get(self, request, pk: int):
        nomination = selectors.nomination_get(user=request.user, pk=pk)
        if nomination is None:
            raise Http404
        criteria = selectors.honour_criteria(volunteer=nomination.volunteer, today=timezone.localdate())
        return Response(s.NominationDetailSerializer(nomination, context={"criteria": criteria}).data)


class CertificateListApi(generics.ListAPIView):
    """List the certificates of the user's region (a volunteer: her own), newest first."""

    permission_classes = [IsRecordsReader]
    serializer_class = s.CertificateOutputSerializer

    @extend_schema(summary="志愿服务记录证明列表", parameters=[s.CertificateFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.certificate_list(
            user=self.request.user, **_filters(s.CertificateFilterSerializer, self.request)
        )


class CertificateDetailApi(APIView):
    permission_classes = [IsRecordsReader]

    @extend_schema(
        summary="一份志愿服务记录证明",
        description="编号、状态、服务时段与时长、出具单位；身份证号码只显示脱敏后的。每次查看都记入审计日志。",
        responses=s.CertificateOutputSerializer,
    )
    def get(self, request, pk: int):
        certificate = selectors.certificate_get(user=request.user, pk=pk)
        if certificate is None:
            raise Http404
        _audit_view(
            request, certificate.volunteer_id, certificate.volunteer.village_id, f"certificate {certificate.pk}"
        )
        return Response(s.CertificateOutputSerializer(certificate).data)
