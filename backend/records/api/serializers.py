from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.accounts.api.fields import OutputModelSerializer
from backend.privacy.names import mask_name
from backend.records.certificate_pdf import ID_TYPE, verification_url, volunteer_number
from backend.records.models import Certificate, Evaluation, Nomination, NominationStep, ServiceEntry, TrainingRecord
from backend.volunteers.models import Volunteer


def _person(field: str, **kwargs) -> serializers.CharField:
    """A user shown by name (her display name, else her username); null when none."""
    return serializers.CharField(source=field, read_only=True, allow_null=True, default=None, **kwargs)


@extend_schema_field({"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$", "example": "09:00"})
class ClockTimeField(serializers.TimeField):
    """A time of day as the pages write it ("09:00"); JSON Schema's "time" format would want a UTC offset."""

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%H:%M")
        super().__init__(**kwargs)


class EntryFilterSerializer(serializers.Serializer):
    """The filters of the entry list (query parameters)."""

    volunteer = serializers.IntegerField(required=False, min_value=1, help_text=_("爱心妈妈编号"))
    status = serializers.ChoiceField(choices=ServiceEntry.Status.choices, required=False)
    source = serializers.ChoiceField(choices=ServiceEntry.Source.choices, required=False)
    start = serializers.DateField(required=False, help_text=_("服务日期不早于"))
    end = serializers.DateField(required=False, help_text=_("服务日期不晚于"))

    def validate(self, attrs):
        if attrs.get("start") and attrs.get("end") and attrs["start"] > attrs["end"]:
            raise serializers.ValidationError({"end": [_("截止日期不能早于起始日期")]})
        return attrs


class ServiceEntryOutputSerializer(OutputModelSerializer):
    """One entry of her record: when, how long, what, where it came from, whether it counts."""

    volunteer_name = serializers.CharField(source="volunteer.name", read_only=True)
    starts_at = ClockTimeField(read_only=True, allow_null=True, help_text=_("开始时间"))
    ends_at = ClockTimeField(read_only=True, allow_null=True, help_text=_("结束时间"))
    hours = serializers.FloatField(read_only=True)
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    entered_by_name = _person("entered_by")
    approved_by_name = _person("approved_by")

    class Meta:
        model = ServiceEntry
        fields = [
            "id",
            "volunteer",
            "volunteer_name",
            "served_on",
            "starts_at",
            "ends_at",
            "minutes",
            "hours",
            "content",
            "reason",
            "source",
            "source_display",
            "status",
            "status_display",
            "status_note",
            "entered_by_name",
            "approved_by_name",
            "approved_at",
            "created_at",
        ]


class EntryTotalsSerializer(serializers.Serializer):
    """The figures of the filtered entries; hours count approved entries only."""

    entries = serializers.IntegerField(help_text=_("记录条数"))
    approved_hours = serializers.FloatField(help_text=_("已确认服务小时（只有这些计入）"))
    pending_entries = serializers.IntegerField(help_text=_("待审核条数"))
    pending_hours = serializers.FloatField(help_text=_("待审核小时（不计入）"))


class NominationFilterSerializer(serializers.Serializer):
    volunteer = serializers.IntegerField(required=False, min_value=1, help_text=_("爱心妈妈编号"))
    status = serializers.ChoiceField(choices=Nomination.Status.choices, required=False)
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, help_text=_("年度"))


class NominationStepSerializer(OutputModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    decided_by_name = _person("decided_by")

    class Meta:
        model = NominationStep
        fields = ["region", "region_name", "approved", "note", "decided_by_name", "created_at"]


class NominationOutputSerializer(OutputModelSerializer):
    """A nomination for an honour with the criteria as they stood when she was nominated."""

    volunteer_name = serializers.CharField(source="volunteer.name", read_only=True)
    awarding_region_name = serializers.CharField(source="awarding_region.name", read_only=True)
    current_region_name = serializers.CharField(source="current_region.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    approved_hours = serializers.FloatField(read_only=True)
    nominated_by_name = _person("nominated_by")
    steps = NominationStepSerializer(many=True, read_only=True)

    class Meta:
        model = Nomination
        fields = [
            "id",
            "volunteer",
            "volunteer_name",
            "title",
            "year",
            "statement",
            "awarding_region",
            "awarding_region_name",
            "current_region",
            "current_region_name",
            "status",
            "status_display",
            "approved_hours",
            "children_cared",
            "months_without_lapse",
            "nominated_by_name",
            "created_at",
            "awarded_on",
            "steps",
        ]


class CriteriaSerializer(serializers.Serializer):
    """What staff weigh beside a nomination, as of today."""

    approved_hours = serializers.FloatField(help_text=_("已确认服务小时"))
    year_hours = serializers.FloatField(help_text=_("今年已确认服务小时"))
    children_cared = serializers.IntegerField(help_text=_("关爱儿童数"))
    months_without_lapse = serializers.IntegerField(help_text=_("连续未中断关爱月数"))


class NominationDetailSerializer(NominationOutputSerializer):
    criteria_now = serializers.SerializerMethodField()

    class Meta(NominationOutputSerializer.Meta):
        fields = NominationOutputSerializer.Meta.fields + ["criteria_now"]

    @extend_schema_field(CriteriaSerializer)
    def get_criteria_now(self, obj):
        return CriteriaSerializer(self.context["criteria"]).data


class CertificateFilterSerializer(serializers.Serializer):
    volunteer = serializers.IntegerField(required=False, min_value=1, help_text=_("爱心妈妈编号"))
    status = serializers.ChoiceField(choices=Certificate.Status.choices, required=False)


class CertificateOutputSerializer(OutputModelSerializer):
    """A certificate as the workspace lists it: never the full ID number; the masked name as publicised."""

    volunteer_name = serializers.CharField(source="volunteer.name", read_only=True)
    masked_name = serializers.SerializerMethodField()
    id_number_masked = serializers.CharField(source="volunteer.id_number_masked", read_only=True)
    issuer_name = serializers.CharField(source="issuer.name", read_only=True, allow_null=True, default=None)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    hours = serializers.FloatField(read_only=True)
    in_publicity = serializers.SerializerMethodField()
    final = serializers.SerializerMethodField()
    verification_url = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id",
            "number",
            "status",
            "status_display",
            "in_publicity",
            "final",
            "volunteer",
            "volunteer_name",
            "masked_name",
            "id_number_masked",
            "period_start",
            "period_end",
            "minutes",
            "hours",
            "content",
            "issuer_name",
            "responsible_person",
            "handler",
            "contact",
            "issued_on",
            "publicity_ends_on",
            "requested_note",
            "decision_note",
            "revoked_at",
            "verification_url",
            "created_at",
        ]

    def get_masked_name(self, obj) -> str:
        return mask_name(obj.volunteer.name)

    def get_in_publicity(self, obj) -> bool:
        return obj.in_publicity(timezone.localdate())

    def get_final(self, obj) -> bool:
        return obj.is_final(timezone.localdate())

    def get_verification_url(self, obj) -> str | None:
        return verification_url(obj) if obj.number else None


class BasicInfoSerializer(OutputModelSerializer):
    """个人基本信息: who she is, the ID number masked."""

    gender_display = serializers.CharField(source="get_gender_display", read_only=True)
    id_type = serializers.SerializerMethodField()
    volunteer_number = serializers.SerializerMethodField()
    village_name = serializers.CharField(source="village.full_name", read_only=True)
    programme_name = serializers.CharField(source="programme.name", read_only=True)
    caring_unit_name = serializers.CharField(source="caring_unit.name", read_only=True, allow_null=True, default=None)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Volunteer
        fields = [
            "id",
            "name",
            "gender",
            "gender_display",
            "id_type",
            "id_number_masked",
            "volunteer_number",
            "village",
            "village_name",
            "programme",
            "programme_name",
            "caring_unit",
            "caring_unit_name",
            "status",
            "status_display",
            "joined_at",
        ]

    def get_id_type(self, obj) -> str:
        return ID_TYPE

    def get_volunteer_number(self, obj) -> str:
        return volunteer_number(obj)


class ServiceFiguresSerializer(serializers.Serializer):
    """志愿服务情况: approved hours (the only ones that count), what waits, the care behind them."""

    approved_hours = serializers.FloatField(help_text=_("已确认服务小时"))
    year_hours = serializers.FloatField(help_text=_("今年已确认服务小时"))
    pending_entries = serializers.IntegerField(help_text=_("待审核条数"))
    pending_hours = serializers.FloatField(help_text=_("待审核小时（不计入）"))
    children_cared = serializers.IntegerField(help_text=_("关爱儿童数"))
    months_without_lapse = serializers.IntegerField(help_text=_("连续未中断关爱月数"))


class TrainingSerializer(OutputModelSerializer):
    hours = serializers.FloatField(read_only=True)

    class Meta:
        model = TrainingRecord
        fields = ["id", "topic", "held_on", "hours", "organiser", "pre_service"]


class HonourSerializer(OutputModelSerializer):
    awarding_region_name = serializers.CharField(source="awarding_region.name", read_only=True)

    class Meta:
        model = Nomination
        fields = ["id", "title", "year", "awarding_region", "awarding_region_name", "awarded_on"]


class EvaluationSerializer(OutputModelSerializer):
    grade_display = serializers.CharField(source="get_grade_display", read_only=True)

    class Meta:
        model = Evaluation
        fields = ["id", "year", "grade", "grade_display", "comment"]


class VolunteerRecordSerializer(serializers.Serializer):
    """Her service record in the five parts of 民政部令第67号."""

    basic_info = BasicInfoSerializer(help_text=_("个人基本信息"))
    service = ServiceFiguresSerializer(help_text=_("志愿服务情况"))
    trainings = TrainingSerializer(many=True, help_text=_("培训情况"))
    honours = HonourSerializer(many=True, help_text=_("表彰奖励情况"))
    evaluations = EvaluationSerializer(many=True, help_text=_("评价情况"))
