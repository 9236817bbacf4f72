"""Recruitment API: public submission and phone codes; staff review, decisions, volunteers, units, teams."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.models import PhoneCode, User
from backend.accounts.services import phone_code_request, phone_code_verify
from backend.audit.models import AuditEvent
from backend.audit.services import audit_record
from backend.ops.errors import ServiceError
from backend.ops.ratelimit import RateLimited, client_ip, rate_limit_hit
from backend.programmes.models import Programme
from backend.regions.models import Region
from backend.volunteers import selectors, services
from backend.volunteers.api import serializers as s
from backend.volunteers.models import Application


class IsFederationStaff(BasePermission):
    """Federation staff (and superusers); child directors and volunteers do not review recruitment."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and (user.is_superuser or user.role == User.Role.STAFF))


SUBMIT_LIMIT = ("api:apply:ip", 20, 3600)

LIST_FILTERS = [
    OpenApiParameter("status", str, description="状态"),
    OpenApiParameter("region", str, description="区划代码前缀（县、镇、村）"),
    OpenApiParameter("caring_unit", int, description="爱心单位"),
    OpenApiParameter("skill", str, description="专业特长"),
]


def _int_or_none(value):
    return int(value) if value and str(value).isdigit() else None


class PhoneCodeView(APIView):
    """Send a one-time SMS code to a mobile number (public; rate-limited per number and IP)."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=s.PhoneCodeRequestSerializer, responses={202: s.PhoneCodeSentSerializer})
    def post(self, request):
        data = s.PhoneCodeRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        phone_code_request(ip=client_ip(request), **data.validated_data)
        return Response({"sent": True, "expires_in": 600}, status=status.HTTP_202_ACCEPTED)


class ApplicationListCreateView(generics.ListAPIView):
    """List the review queue (staff, scoped to their region) or submit an application (public)."""

    serializer_class = s.ApplicationListSerializer

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsFederationStaff()]

    def get_authenticators(self):
        # The public submission carries no session (and so needs no CSRF token).
        if getattr(self, "request", None) is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    @extend_schema(
        parameters=LIST_FILTERS + [OpenApiParameter("flagged", bool, description="只看需关注")],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        flagged = {"true": True, "1": True, "false": False, "0": False}.get(params.get("flagged", "").lower())
        return selectors.application_list(
            user=self.request.user,
            status=params.get("status") or None,
            region=params.get("region") or None,
            caring_unit=_int_or_none(params.get("caring_unit")),
            skill=params.get("skill") or None,
            flagged=flagged,
        ).order_by("-created_at", "-id")

    @extend_schema(request=s.ApplicationSubmitSerializer, responses={201: s.ApplicationReceiptSerializer})
    def post(self, request):
        result = rate_limit_hit(
            scope=SUBMIT_LIMIT[0], key=client_ip(request), limit=SUBMIT_LIMIT[1], window=SUBMIT_LIMIT[2]
        )
        if not result.allowed:
            raise RateLimited(retry_after=result.retry_after)
        data = s.ApplicationSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        programmes = Programme.objects.filter(is_active=True, recruitment_open=True)
        programme = programmes.filter(slug=v["programme"]).first() if v.get("programme") else programmes.first()
        if programme is None:
            raise ServiceError(_("该项目目前不在招募期"), field="programme")
        answers = {
            "programme": programme,
            "name": v["name"],
            "gender": v["gender"],
            "id_number": v["id_number"],
            "village_code": v["village"],
            "skills": v["skills"],
            "capacity": v["capacity"],
            "availability": v["availability"],
            "declarations": v["declarations"],
            "consent": v["consent"],
            "caring_unit_id": v["caring_unit"],
        }
        # Check the answers before spending the one-time code on them.
        services.application_validate(**answers)
        verified = phone_code_verify(phone=v["phone"], purpose=PhoneCode.Purpose.APPLY, code=v["code"])
        application = services.application_submit(
            **answers,
            phone=v["phone"],
            phone_verified_at=verified.used_at,
            workplace=v["workplace"],
            occupation=v["occupation"],
            joins_team=v["joins_team"],
            motivation=v["motivation"],
        )
        return Response(s.ApplicationReceiptSerializer(application).data, status=status.HTTP_201_CREATED)


def _application_or_404(request, pk) -> Application:
    application = selectors.application_get(user=request.user, pk=pk)
    if application is None:
        raise Http404
    return application


class ApplicationDetailView(APIView):
    """Show one application of the reviewer's region with its checklist, decisions and duplicates."""

    permission_classes = [IsFederationStaff]

    @extend_schema(responses=s.ApplicationDetailSerializer)
    def get(self, request, pk):
        application = _application_or_404(request, pk)
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            object_type="volunteers.application",
            object_ids=[application.pk],
            region_code=application.village_id,
            request=request,
        )
        return Response(s.ApplicationDetailSerializer(application).data)


class ApplicationDecisionView(APIView):
    """Take a decision on an application: approve, reject (reason required) or ask for more information."""

    permission_classes = [IsFederationStaff]

    @extend_schema(request=s.DecisionInputSerializer, responses={201: s.ApplicationDetailSerializer})
    def post(self, request, pk):
        application = _application_or_404(request, pk)
        data = s.DecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team = None
        if data.validated_data["team"]:
            team = selectors.team_list(user=request.user).filter(pk=data.validated_data["team"]).first()
            if team is None:
                raise ServiceError(_("小分队不存在或不在您的辖区"), field="team")
        services.application_decide(
            application=application,
            by=request.user,
            action=data.validated_data["action"],
            reason=data.validated_data["reason"],
            team=team,
            checks=data.validated_data["checks"],
        )
        application = _application_or_404(request, pk)
        return Response(s.ApplicationDetailSerializer(application).data, status=status.HTTP_201_CREATED)


class ApplicationCheckView(APIView):
    """Tick or untick one item of the screening checklist."""

    permission_classes = [IsFederationStaff]

    @extend_schema(request=s.CheckInputSerializer, responses=s.ChecklistRowSerializer(many=True))
    def post(self, request, pk):
        application = _application_or_404(request, pk)
        data = s.CheckInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not application.is_open:
            raise ServiceError(_("该报名已处理"), field="item")
        services.screening_items_ensure(programme=application.programme)
        services.screening_check_set(
            application=application,
            item_code=data.validated_data["item"],
            done=data.validated_data["done"],
            note=data.validated_data["note"],
            by=request.user,
        )
        return Response(
            s.ChecklistRowSerializer(selectors.screening_checklist(application=application), many=True).data
        )


class VolunteerListView(generics.ListAPIView):
    """List the volunteers living in the user's region and below."""

    permission_classes = [IsFederationStaff]
    serializer_class = s.VolunteerSerializer

    @extend_schema(parameters=LIST_FILTERS + [OpenApiParameter("team", int, description="小分队")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        return selectors.volunteer_list(
            user=self.request.user,
            status=params.get("status") or None,
            region=params.get("region") or None,
            caring_unit=_int_or_none(params.get("caring_unit")),
            skill=params.get("skill") or None,
            team=_int_or_none(params.get("team")),
        ).order_by("village_id", "name", "id")


class VolunteerDetailView(APIView):
    permission_classes = [IsFederationStaff]

    @extend_schema(responses=s.VolunteerSerializer)
    def get(self, request, pk):
        volunteer = selectors.volunteer_get(user=request.user, pk=pk)
        if volunteer is None:
            raise Http404
        return Response(s.VolunteerSerializer(volunteer).data)


class VolunteerStatusView(APIView):
    """Suspend, end (退出) or reinstate a volunteer, with a reason."""

    permission_classes = [IsFederationStaff]

    @extend_schema(request=s.VolunteerStatusInputSerializer, responses=s.VolunteerSerializer)
    def post(self, request, pk):
        volunteer = selectors.volunteer_get(user=request.user, pk=pk)
        if volunteer is None:
            raise Http404
        data = s.VolunteerStatusInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        volunteer = services.volunteer_status_change(volunteer=volunteer, by=request.user, **data.validated_data)
        return Response(s.VolunteerSerializer(volunteer).data)


class CaringUnitListCreateView(generics.ListAPIView):
    """List the caring units of the user's region, or register one."""

    permission_classes = [IsFederationStaff]
    serializer_class = s.CaringUnitSerializer

    def get_queryset(self):
        return selectors.caring_unit_list(user=self.request.user).order_by("name", "id")

    @extend_schema(request=s.CaringUnitInputSerializer, responses={201: s.CaringUnitSerializer})
    def post(self, request):
        data = s.CaringUnitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        region = Region.objects.filter(code=v["region"]).first()
        if region is None:
            raise ServiceError(_("区划不存在"), field="region")
        unit = services.caring_unit_register(
            name=v["name"],
            uscc=v["uscc"],
            region=region,
            contact_name=v["contact_name"],
            contact_phone=v["contact_phone"],
            by=request.user,
        )
        return Response(s.CaringUnitSerializer(unit).data, status=status.HTTP_201_CREATED)


class CaringUnitDetailView(APIView):
    """Show a caring unit and its volunteers."""

    permission_classes = [IsFederationStaff]

    @extend_schema(responses=s.CaringUnitDetailSerializer)
    def get(self, request, pk):
        unit = selectors.caring_unit_get(user=request.user, pk=pk)
        if unit is None:
            raise Http404
        return Response(s.CaringUnitDetailSerializer(unit, context={"request": request}).data)


class TeamListView(generics.ListAPIView):
    """List the volunteer teams (关爱小分队) of the user's region."""

    permission_classes = [IsFederationStaff]
    serializer_class = s.TeamSerializer

    def get_queryset(self):
        return selectors.team_list(user=self.request.user).order_by("region_id", "name", "id")
