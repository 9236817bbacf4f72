"""Pairing over HTTP: runs, proposals and pairings, all scoped to the user's region.

Objects outside the user's region answer 404. Volunteers may list their own pairings;
everything else needs federation staff (or a superuser).
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.models import User
from backend.accounts.selectors import scoped_queryset
from backend.audit.services import audit_children_shown
from backend.children.models import Child
from backend.programmes.selectors import programme_list_for
from pairing import selectors, services
from pairing.api import serializers as s
from pairing.models import Pairing, Proposal


def _audit_children(request, action: str, rows, detail: str) -> None:
    """Audit a response that showed the children of these proposals or pairings."""
    audit_children_shown(
        request=request, action=action, children=[(r.child_id, r.child.village_id) for r in rows], detail=detail
    )


class IsFederationStaff(BasePermission):
    """Federation staff and superusers; child directors and volunteers may not pair."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user.is_authenticated and (user.is_superuser or user.role == User.Role.STAFF))


class RunListCreateApi(generics.ListAPIView):
    """List pairing runs in your region, or start one (POST) for a programme and region."""

    permission_classes = [IsFederationStaff]
    serializer_class = s.RunOutputSerializer

    def get_queryset(self):
        return selectors.pairing_run_list(user=self.request.user)

    @extend_schema(request=s.RunInputSerializer, responses={202: s.RunOutputSerializer})
    def post(self, request):
        data = s.RunInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        programme = programme_list_for(user=request.user).filter(pk=data.validated_data["programme"]).first()
        if programme is None:
            raise serializers.ValidationError({"programme": [_("没有这个关爱项目")]})
        region = s.region_or_error(data.validated_data["region"])
        run = services.pairing_run_start(user=request.user, programme=programme, region=region)
        return Response(s.RunOutputSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class RunDetailApi(generics.RetrieveAPIView):
    """Show a run with its progress (percent) and figures."""

    permission_classes = [IsFederationStaff]
    serializer_class = s.RunOutputSerializer

    def get_queryset(self):
        return selectors.pairing_run_list(user=self.request.user)


class ProposalListApi(generics.ListAPIView):
    """List proposals in your region; filter by run and status."""

    permission_classes = [IsFederationStaff]
    serializer_class = s.ProposalOutputSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("run", int),
            OpenApiParameter("status", str, enum=Proposal.Status.values),
        ]
    )
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        _audit_children(request, "list", getattr(self, "shown", None) or [], "proposals")
        return response

    def paginate_queryset(self, queryset):
        self.shown = super().paginate_queryset(queryset)
        return self.shown

    def get_queryset(self):
        qs = selectors.proposal_list(user=self.request.user).order_by("id")
        run = self.request.query_params.get("run")
        if run:
            if not run.isdigit():
                raise serializers.ValidationError({"run": [_("应为数字")]})
            qs = qs.filter(run_id=int(run))
        wanted = self.request.query_params.get("status")
        if wanted:
            if wanted not in Proposal.Status.values:
                raise serializers.ValidationError({"status": [f"应为 {', '.join(Proposal.Status.values)}"]})
            qs = qs.filter(status=wanted)
        return qs


class UnmatchedListApi(generics.ListAPIView):
    """List the children runs in your region left without (enough) volunteers, and why; filter by run."""

    permission_classes = [IsFederationStaff]
    serializer_class = s.UnmatchedOutputSerializer

    @extend_schema(parameters=[OpenApiParameter("run", int)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        qs = selectors.run_unmatched_list(user=self.request.user).order_by("run_id", "-priority", "child_id")
        run = self.request.query_params.get("run")
        if run:
            if not run.isdigit():
                raise serializers.ValidationError({"run": [_("应为数字")]})
            qs = qs.filter(run_id=int(run))
        return qs


def _proposal_or_404(request, pk) -> Proposal:
    return get_object_or_404(selectors.proposal_list(user=request.user), pk=pk)


class ProposalApproveApi(APIView):
    """Approve a proposal (at your level, where the programme asks for several)."""

    permission_classes = [IsFederationStaff]

    @extend_schema(request=s.ApproveInputSerializer, responses={200: s.ProposalOutputSerializer})
    def post(self, request, pk):
        proposal = _proposal_or_404(request, pk)
        data = s.ApproveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = services.proposal_approve(proposal=proposal, user=request.user, **data.validated_data)
        return Response(s.ProposalOutputSerializer(_proposal_or_404(request, proposal.pk)).data)


class ProposalBulkApproveApi(APIView):
    """Approve many proposals at once; each one that breaks a rule is reported, not approved."""

    permission_classes = [IsFederationStaff]

    @extend_schema(
        operation_id="pairing_proposals_bulk_approve",
        request=s.BulkApproveInputSerializer,
        responses={200: s.BulkApproveOutputSerializer},
    )
    def post(self, request):
        data = s.BulkApproveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids = data.validated_data["ids"]
        proposals = list(selectors.proposal_list(user=request.user).filter(pk__in=ids).order_by("id"))
        found = {p.pk for p in proposals}
        result = services.proposals_approve_bulk(proposals=proposals, user=request.user)
        result["failed"] += [{"id": i, "error": _("未找到")} for i in ids if i not in found]
        return Response(s.BulkApproveOutputSerializer(result).data)


class ProposalRejectApi(APIView):
    """Reject a proposal with a reason."""

    permission_classes = [IsFederationStaff]

    @extend_schema(request=s.RejectInputSerializer, responses={200: s.ProposalOutputSerializer})
    def post(self, request, pk):
        proposal = _proposal_or_404(request, pk)
        data = s.RejectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.proposal_reject(proposal=proposal, user=request.user, reason=data.validated_data["reason"])
        return Response(s.ProposalOutputSerializer(_proposal_or_404(request, pk)).data)


class ProposalEditApi(APIView):
    """Give a proposal another volunteer or team."""

    permission_classes = [IsFederationStaff]

    @extend_schema(request=s.HelperChoiceSerializer, responses={200: s.ProposalOutputSerializer})
    def post(self, request, pk):
        proposal = _proposal_or_404(request, pk)
        data = s.HelperChoiceSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        services.proposal_edit(proposal=proposal, user=request.user, **data.validated_data)
        return Response(s.ProposalOutputSerializer(_proposal_or_404(request, pk)).data)


def _pairing_serializer_for(user):
    is_volunteer = user.is_authenticated and user.role == User.Role.VOLUNTEER and not user.is_superuser
    return s.VolunteerPairingSerializer if is_volunteer else s.PairingOutputSerializer


class PairingListCreateApi(generics.ListAPIView):
    """List pairings you may see (a volunteer: her current ones), or pair by hand (POST, staff)."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.PairingOutputSerializer

    def get_serializer_class(self):
        return _pairing_serializer_for(self.request.user)

    def paginate_queryset(self, queryset):
        self.shown = super().paginate_queryset(queryset)
        return self.shown

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=Pairing.Status.values)])
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        _audit_children(request, "list", getattr(self, "shown", None) or [], "pairings")
        return response

    def get_queryset(self):
        qs = selectors.pairing_list(user=self.request.user).order_by("-id")
        wanted = self.request.query_params.get("status")
        if wanted:
            if wanted not in Pairing.Status.values:
                raise serializers.ValidationError({"status": [f"应为 {', '.join(Pairing.Status.values)}"]})
            qs = qs.filter(status=wanted)
        return qs

    @extend_schema(request=s.PairingCreateInputSerializer, responses={201: s.PairingOutputSerializer})
    def post(self, request):
        if not IsFederationStaff().has_permission(request, self):
            raise PermissionDenied
        data = s.PairingCreateInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        programme = programme_list_for(user=request.user).filter(pk=values["programme"]).first()
        if programme is None:
            raise serializers.ValidationError({"programme": [_("没有这个关爱项目")]})
        child = scoped_queryset(request.user, Child).filter(pk=values["child"]).first()
        if child is None:
            raise serializers.ValidationError({"child": [_("没有这个儿童")]})
        pairing = services.pairing_create(
            programme=programme,
            child=child,
            user=request.user,
            volunteer=values.get("volunteer"),
            team=values.get("team"),
            override_note=values["override_note"],
        )
        return Response(s.PairingOutputSerializer(pairing).data, status=status.HTTP_201_CREATED)


def _pairing_or_404(request, pk) -> Pairing:
    pairing = selectors.pairing_list(user=request.user).filter(pk=pk).first()
    if pairing is None:
        raise Http404
    return pairing


class PairingDetailApi(APIView):
    """Show one pairing."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: s.PairingOutputSerializer})
    def get(self, request, pk):
        pairing = _pairing_or_404(request, pk)
        _audit_children(request, "view", [pairing], "pairing")
        return Response(_pairing_serializer_for(request.user)(pairing).data)


class PairingActionApi(APIView):
    """Pause, resume or end a pairing (staff)."""

    permission_classes = [IsFederationStaff]
    action = ""

    @extend_schema(request=s.EndInputSerializer, responses={200: s.PairingOutputSerializer})
    def post(self, request, pk):
        pairing = _pairing_or_404(request, pk)
        if self.action == "pause":
            pairing = services.pairing_pause(pairing=pairing, user=request.user)
        elif self.action == "resume":
            pairing = services.pairing_resume(pairing=pairing, user=request.user)
        else:
            data = s.EndInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            pairing = services.pairing_end(pairing=pairing, user=request.user, **data.validated_data)
        return Response(s.PairingOutputSerializer(pairing).data)
