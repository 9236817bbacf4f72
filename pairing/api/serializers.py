from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from backend.accounts.api.fields import OutputModelSerializer, ScopedPrimaryKeyRelatedField
from backend.children.models import Child
from backend.regions.models import Region
from backend.volunteers.models import Team, Volunteer
from pairing.models import Pairing, PairingRun, Proposal, RunUnmatched


class RunOutputSerializer(OutputModelSerializer):
    progress = serializers.IntegerField(read_only=True)
    region_name = serializers.CharField(source="region.full_name", read_only=True)
    programme_name = serializers.CharField(source="programme.name", read_only=True)

    class Meta:
        model = PairingRun
        fields = [
            "id",
            "programme",
            "programme_name",
            "region",
            "region_name",
            "status",
            "progress",
            "parts_total",
            "parts_done",
            "stats",
            "policy",
            "error",
            "created_at",
            "finished_at",
        ]


class RunInputSerializer(serializers.Serializer):
    programme = serializers.IntegerField()
    region = serializers.RegexField(
        r"^\d{2}(\d{2}(\d{2}(\d{3}(\d{3})?)?)?)?$",
        error_messages={"invalid": _("区划代码应为2、4、6、9或12位数字")},
    )


class _ChildBrief(OutputModelSerializer):
    """Only what a pairing list needs: no ID number, no address, no guardian."""

    village_name = serializers.CharField(source="village.full_name", read_only=True)

    class Meta:
        model = Child
        fields = ["id", "family_name", "given_name", "gender", "village", "village_name", "needs", "volunteers_wanted"]


class ProposalOutputSerializer(OutputModelSerializer):
    child = _ChildBrief(read_only=True)
    volunteer_name = serializers.CharField(source="volunteer.name", read_only=True, default=None, allow_null=True)
    volunteer_village = serializers.CharField(
        source="volunteer.village.full_name", read_only=True, default=None, allow_null=True
    )
    team_name = serializers.CharField(source="team.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Proposal
        fields = [
            "id",
            "run",
            "child",
            "volunteer",
            "volunteer_name",
            "volunteer_village",
            "team",
            "team_name",
            "score",
            "reasons",
            "status",
            "edited",
            "rejection_reason",
            "decided_at",
            "created_at",
        ]


class UnmatchedOutputSerializer(OutputModelSerializer):
    child = _ChildBrief(read_only=True)

    class Meta:
        model = RunUnmatched
        fields = ["id", "run", "child", "code", "missing", "reason", "priority"]


class PairingOutputSerializer(OutputModelSerializer):
    child = _ChildBrief(read_only=True)
    volunteer_name = serializers.CharField(source="volunteer.name", read_only=True, default=None, allow_null=True)
    team_name = serializers.CharField(source="team.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Pairing
        fields = [
            "id",
            "programme",
            "child",
            "volunteer",
            "volunteer_name",
            "team",
            "team_name",
            "status",
            "started_on",
            "ended_on",
            "end_reason",
            "end_note",
            "do_not_pair_again",
            "override_note",
            "proposal",
        ]


class VolunteerPairingSerializer(PairingOutputSerializer):
    """A volunteer's view of her current pairing: the same shape, with what she may not see blanked.

    Only what the children API shows her of the child (given name, gender, village
    name); no family name, village code or needs, and no end or override notes. Blank
    rather than absent, so one schema describes both views.
    """

    HIDDEN = {"end_note": "", "override_note": "", "end_reason": "", "do_not_pair_again": False}
    HIDDEN_CHILD = {"family_name": "", "village": "", "needs": [], "volunteers_wanted": 0}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data.update(self.HIDDEN)
        data["child"] = {**data["child"], **self.HIDDEN_CHILD}
        return data


class HelperChoiceSerializer(serializers.Serializer):
    volunteer = ScopedPrimaryKeyRelatedField(Volunteer, required=False, allow_null=True)
    team = ScopedPrimaryKeyRelatedField(Team, required=False, allow_null=True)

    def validate(self, attrs):
        if bool(attrs.get("volunteer")) == bool(attrs.get("team")):
            raise serializers.ValidationError({"volunteer": [_("请选择一位爱心妈妈或一个小分队（二选一）")]})
        return attrs


class PairingCreateInputSerializer(HelperChoiceSerializer):
    programme = serializers.IntegerField()
    child = serializers.IntegerField()
    override_note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class ApproveInputSerializer(serializers.Serializer):
    override_note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class BulkApproveInputSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=500)


class BulkApproveOutputSerializer(serializers.Serializer):
    approved = serializers.ListField(child=serializers.IntegerField())
    failed = serializers.ListField(child=serializers.DictField())


class RejectInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, error_messages={"blank": _("驳回必须填写理由")})


class EndInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Pairing.EndReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    do_not_pair_again = serializers.BooleanField(required=False, default=False)


def region_or_error(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise serializers.ValidationError({"region": [_("没有这个区划")]})
    return region
