"""Children's files over HTTP. Every read goes through the selectors and is audited.

A child the user may not see answers 404, never 403: the user must not learn that the
record exists. A user who may see the child but not do the action gets 403.
"""

import tempfile

from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.selectors import user_region_scope
from backend.audit.models import AuditEvent
from backend.audit.services import audit_record, common_region_code
from backend.children import selectors, services
from backend.children.api import serializers as s
from backend.children.imports import import_job_create
from backend.children.models import Child, Concern
from backend.children.spreadsheets import ledger_write, template_csv, template_xlsx
from backend.privacy.idnumbers import id_number_hash

CHILD = "children.child"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ChildCursorPagination(CursorPagination):
    """Keyset pagination on the primary key: a deep page costs what the first one does."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ConcernCursorPagination(ChildCursorPagination):
    ordering = "-id"


def _child_or_404(request, pk) -> Child:
    child = selectors.child_get_for(user=request.user, pk=pk)
    if child is None:
        raise Http404
    return child


def _require_file_keeper(request) -> None:
    if not selectors.is_file_keeper(request.user):
        raise PermissionDenied


def _require_region_staff(request) -> None:
    if not selectors.is_region_staff(request.user):
        raise PermissionDenied


def _audit(request, action, ids, codes, detail=""):
    audit_record(
        actor=request.user,
        action=action,
        object_type=CHILD,
        object_ids=ids,
        region_code=common_region_code(codes),
        request=request,
        detail=detail,
    )


LIST_FILTERS = [
    OpenApiParameter("category", str, enum=Child.Category.values),
    OpenApiParameter("difficulty_subtype", str, enum=Child.DifficultySubtype.values),
    OpenApiParameter("risk_level", str, enum=Child.RiskLevel.values),
    OpenApiParameter("status", str, enum=Child.Status.values),
    OpenApiParameter("gender", str, enum=Child.Gender.values),
    OpenApiParameter("region", str, description="区划代码前缀"),
    OpenApiParameter("id_number", str, description="按完整身份证号码精确查找"),
    OpenApiParameter("q", str, description="姓名包含"),
    OpenApiParameter("has_open_concerns", bool),
]


# Staff and child directors get the file's columns, a paired volunteer the few she may see.
CHILD_ROW_FOR_USER = PolymorphicProxySerializer(
    component_name="ChildRowForUser",
    serializers=[s.ChildListSerializer, s.VolunteerChildSerializer],
    resource_type_field_name=None,
    many=True,
)
# anyOf, not oneOf: the whole file also satisfies the volunteer's (smaller) shape.
# Both components are registered by other operations (PATCH below, the list above).
CHILD_FILE_FOR_USER = {
    "anyOf": [{"$ref": "#/components/schemas/ChildDetail"}, {"$ref": "#/components/schemas/VolunteerChild"}]
}


class ChildListCreateApi(APIView):
    """List the children the user may see (filters, keyset pages) or register one."""

    # Declared so the OpenAPI schema documents the page envelope (next/previous/results).
    pagination_class = ChildCursorPagination

    @extend_schema(parameters=LIST_FILTERS, responses=CHILD_ROW_FOR_USER)
    def get(self, request):
        user = request.user
        qs = selectors.child_list_with_details(user=user)
        params = request.query_params
        for field in ("category", "difficulty_subtype", "risk_level", "status", "gender"):
            if params.get(field):
                qs = qs.filter(**{field: params[field]})
        if params.get("region"):
            qs = qs.filter(village__pk__startswith=params["region"])
        if params.get("id_number"):
            qs = qs.filter(id_number_hash=id_number_hash(params["id_number"]))
        if params.get("q"):
            # Full name search: family name then given name.
            q = params["q"].strip()
            qs = qs.filter(
                Q(given_name__contains=q)
                | Q(family_name=q[:1], given_name__startswith=q[1:])
                | Q(family_name=q[:2], given_name__startswith=q[2:])
            )
        if params.get("has_open_concerns") in ("true", "1"):
            qs = qs.filter(open_concerns__gt=0)
        if selectors.is_file_keeper(user):
            # The list shows none of the encrypted columns: do not fetch and decrypt them.
            qs = qs.defer("id_number", "guardian_phone", "address_detail")
        paginator = ChildCursorPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        _audit(request, AuditEvent.Action.LIST, [c.pk for c in page], [c.village_id for c in page])
        if selectors.is_file_keeper(user):
            data = s.ChildListSerializer(page, many=True).data
        else:
            data = s.VolunteerChildSerializer(page, many=True).data
        return paginator.get_paginated_response(data)

    @extend_schema(request=s.ChildInputSerializer, responses={201: s.ChildDetailSerializer})
    def post(self, request):
        _require_file_keeper(request)
        serializer = s.ChildInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        child = services.child_create(created_by=request.user, values=serializer.validated_data)
        child = selectors.child_get_for(user=request.user, pk=child.pk)
        return Response(s.ChildDetailSerializer(child).data, status=status.HTTP_201_CREATED)


class ChildDetailApi(APIView):
    """Read (audited) or change one child's file."""

    @extend_schema(responses={200: CHILD_FILE_FOR_USER})
    def get(self, request, pk):
        child = _child_or_404(request, pk)
        _audit(request, AuditEvent.Action.VIEW, [child.pk], [child.village_id])
        if selectors.is_file_keeper(request.user):
            return Response(s.ChildDetailSerializer(child).data)
        programme = selectors.programme_of_pairing_with(user=request.user, child=child)
        return Response(s.VolunteerChildSerializer(child, context={"programme": programme}).data)

    @extend_schema(request=s.ChildInputSerializer(partial=True), responses=s.ChildDetailSerializer)
    def patch(self, request, pk):
        child = _child_or_404(request, pk)
        _require_file_keeper(request)
        serializer = s.ChildInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.child_update(child=child, changed_by=request.user, changes=serializer.validated_data)
        child = selectors.child_get_for(user=request.user, pk=child.pk)
        return Response(s.ChildDetailSerializer(child).data)


class ChildExitApi(APIView):
    """Close a child's file (退出) with a reason."""

    @extend_schema(request=s.ChildExitInputSerializer, responses=s.ChildDetailSerializer)
    def post(self, request, pk):
        child = _child_or_404(request, pk)
        _require_file_keeper(request)
        serializer = s.ChildExitInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.child_exit(
            child=child,
            exited_by=request.user,
            reason=data["reason"],
            exited_on=data.get("exited_on"),
            note=data.get("note", ""),
        )
        child = selectors.child_get_for(user=request.user, pk=child.pk)
        return Response(s.ChildDetailSerializer(child).data)


class ChildHistoryApi(APIView):
    """The change history of a child's file."""

    @extend_schema(responses=s.ChildChangeSerializer(many=True))
    def get(self, request, pk):
        child = _child_or_404(request, pk)
        _require_file_keeper(request)
        _audit(request, AuditEvent.Action.VIEW, [child.pk], [child.village_id], detail="history")
        return Response(s.ChildChangeSerializer(selectors.child_history(child=child)[:500], many=True).data)


class ChildRevealIdApi(APIView):
    """Show a child's full ID number to county-level staff and above; every reveal is audited."""

    @extend_schema(request=None, responses=s.ChildRevealSerializer)
    def post(self, request, pk):
        child = _child_or_404(request, pk)
        if not selectors.can_reveal_id_number(request.user):
            raise PermissionDenied
        number = services.child_id_number_reveal(child=child, user=request.user, request=request)
        return Response({"id": child.pk, "id_number": number})


class ChildConcernsApi(APIView):
    """List a child's concerns or raise one (anyone who may see the child)."""

    @extend_schema(operation_id="children_child_concerns_list", responses=s.ConcernSerializer(many=True))
    def get(self, request, pk):
        child = _child_or_404(request, pk)
        qs = selectors.concern_list_for(user=request.user).filter(child=child)
        _audit(request, AuditEvent.Action.VIEW, [child.pk], [child.village_id], detail="concerns")
        return Response(s.ConcernSerializer(qs[:200], many=True).data)

    @extend_schema(request=s.ConcernInputSerializer, responses={201: s.ConcernSerializer})
    def post(self, request, pk):
        child = _child_or_404(request, pk)
        serializer = s.ConcernInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        concern = services.concern_raise(child=child, raised_by=request.user, **serializer.validated_data)
        return Response(s.ConcernSerializer(concern).data, status=status.HTTP_201_CREATED)


class ConcernListApi(APIView):
    """The concerns about children in the user's region (open ones by default)."""

    pagination_class = ConcernCursorPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=[*Concern.Status.values, "all"], description="默认：待处理和已受理")
        ],
        responses=s.ConcernSerializer(many=True),
    )
    def get(self, request):
        _require_file_keeper(request)
        qs = selectors.concern_list_for(user=request.user)
        wanted = request.query_params.get("status", "")
        if wanted in Concern.Status.values:
            qs = qs.filter(status=wanted)
        elif wanted != "all":
            qs = qs.filter(status__in=selectors.OPEN_CONCERN_STATUSES)
        paginator = ConcernCursorPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        # The list names children and what was seen: a read of their files.
        _audit(
            request,
            AuditEvent.Action.LIST,
            sorted({c.child_id for c in page}),
            [c.child.village_id for c in page],
            detail="concerns",
        )
        return paginator.get_paginated_response(s.ConcernSerializer(page, many=True).data)


def _concern_or_404(request, pk) -> Concern:
    concern = selectors.concern_list_for(user=request.user).filter(pk=pk).first() if str(pk).isdigit() else None
    if concern is None:
        raise Http404
    return concern


class ConcernAcknowledgeApi(APIView):
    """Acknowledge a concern (受理)."""

    @extend_schema(request=None, responses=s.ConcernSerializer)
    def post(self, request, pk):
        concern = _concern_or_404(request, pk)
        _require_file_keeper(request)
        concern = services.concern_acknowledge(concern=concern, user=request.user)
        return Response(s.ConcernSerializer(concern).data)


class ConcernCloseApi(APIView):
    """Close a concern with a note on what was done (e.g. 转介社工站)."""

    @extend_schema(request=s.ConcernCloseInputSerializer, responses=s.ConcernSerializer)
    def post(self, request, pk):
        concern = _concern_or_404(request, pk)
        _require_file_keeper(request)
        serializer = s.ConcernCloseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        concern = services.concern_close(concern=concern, user=request.user, note=serializer.validated_data["note"])
        return Response(s.ConcernSerializer(concern).data)


class ImportTemplateApi(APIView):
    """Download the import template (.xlsx or .csv) with Chinese column headings."""

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY, (200, "text/csv"): OpenApiTypes.BINARY})
    def get(self, request, fmt):
        _require_region_staff(request)
        if fmt == "csv":
            response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(template_xlsx(), content_type=XLSX)
        response["Content-Disposition"] = f"attachment; filename=children-template.{fmt}"
        return response


class ImportJobCreateApi(APIView):
    """Upload a filled template; it is checked and imported in the background."""

    @extend_schema(request={"multipart/form-data": s.ImportUploadSerializer}, responses={202: s.ImportJobSerializer})
    def post(self, request):
        _require_region_staff(request)
        serializer = s.ImportUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        job = import_job_create(
            created_by=request.user,
            file_name=upload.name,
            content=upload.read(),
            import_valid_rows=serializer.validated_data["import_valid_rows"],
        )
        return Response(s.ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ImportJobDetailApi(APIView):
    """Poll an import job: status, progress percentage, per-row errors."""

    @extend_schema(responses=s.ImportJobSerializer)
    def get(self, request, pk):
        _require_region_staff(request)
        job = selectors.import_job_list_for(user=request.user).filter(pk=pk).first()
        if job is None:
            raise Http404
        return Response(s.ImportJobSerializer(job).data)


class LedgerExportApi(APIView):
    """Download the ledger (信息台账) of the user's region, or of a region inside it, as Excel; audited."""

    @extend_schema(
        parameters=[OpenApiParameter("region", str, description="区划代码：本人区划内的下级区划（默认本人区划）")],
        responses={(200, XLSX): OpenApiTypes.BINARY},
    )
    def get(self, request):
        _require_region_staff(request)
        region = (request.query_params.get("region") or "").strip()
        if region and not (region.isdigit() and user_region_scope(request.user).contains(region)):
            raise Http404
        handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # closed by FileResponse
        ids = ledger_write(user=request.user, path=handle.name, region_code=region or None)
        region = region or ("" if request.user.is_superuser else request.user.home_region_id)
        _audit(request, AuditEvent.Action.EXPORT, ids, [region], detail=f"ledger: {len(ids)} children")
        handle.seek(0)
        name = f"ledger-{region or 'all'}-{timezone.localdate():%Y%m%d}.xlsx"
        return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX)
