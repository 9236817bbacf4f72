from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.accounts.api.fields import OutputModelSerializer
from backend.volunteers.models import (
    Application,
    Availability,
    CaringUnit,
    Decision,
    Declaration,
    Skill,
    Team,
    Volunteer,
)


class ApplicationSubmitSerializer(serializers.Serializer):
    """What an applicant sends (public): her answers plus the SMS code sent to her mobile."""

    programme = serializers.SlugField(required=False, help_text=_("项目标识；省略时为当前招募的项目"))
    name = serializers.CharField(max_length=50, allow_blank=True)
    gender = serializers.ChoiceField(choices=["F", "M"], allow_blank=True)
    id_number = serializers.CharField(max_length=30, allow_blank=True, help_text=_("居民身份证号码（18位）"))
    phone = serializers.CharField(max_length=20, allow_blank=True)
    code = serializers.CharField(max_length=10, allow_blank=True, help_text=_("发到该手机号的短信验证码"))
    village = serializers.CharField(max_length=12, allow_blank=True, help_text=_("居住村（社区）的12位区划代码"))
    workplace = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    caring_unit = serializers.IntegerField(required=False, allow_null=True, default=None)
    occupation = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    skills = serializers.ListField(child=serializers.ChoiceField(choices=Skill.choices), required=False, default=list)
    capacity = serializers.IntegerField(required=False, allow_null=True, default=1)
    availability = serializers.ListField(
        child=serializers.ChoiceField(choices=Availability.choices), required=False, default=list
    )
    joins_team = serializers.BooleanField(required=False, default=False)
    motivation = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    declarations = serializers.ListField(
        child=serializers.ChoiceField(choices=Declaration.choices), required=False, default=list
    )
    consent = serializers.BooleanField(required=False, default=False)


class ApplicationReceiptSerializer(OutputModelSerializer):
    class Meta:
        model = Application
        fields = ["reference", "status", "created_at"]


class PhoneCodeRequestSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=20, allow_blank=True)
    purpose = serializers.ChoiceField(choices=["apply", "status"], default="apply")


class PhoneCodeSentSerializer(serializers.Serializer):
    sent = serializers.BooleanField()
    expires_in = serializers.IntegerField(help_text=_("有效秒数"))


class ApplicationListSerializer(OutputModelSerializer):
    village_name = serializers.CharField(source="village.full_name", read_only=True)
    age = serializers.SerializerMethodField()
    flags = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "reference",
            "programme",
            "status",
            "name",
            "gender",
            "id_number_masked",
            "age",
            "phone",
            "village",
            "village_name",
            "caring_unit",
            "skills",
            "capacity",
            "availability",
            "joins_team",
            "flags",
            "created_at",
            "decided_at",
        ]

    def get_age(self, obj) -> int:
        from django.utils import timezone

        return obj.age_on(timezone.localdate())

    def get_flags(self, obj) -> list[str]:
        from backend.volunteers.selectors import application_flags

        return application_flags(application=obj)


class DecisionSerializer(OutputModelSerializer):
    class Meta:
        model = Decision
        fields = ["id", "action", "reason", "decided_by_name", "created_at"]


class ChecklistRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    required = serializers.BooleanField()
    done = serializers.BooleanField()
    note = serializers.CharField()
    checked_by = serializers.CharField()
    checked_at = serializers.DateTimeField(allow_null=True)


class ApplicationDetailSerializer(ApplicationListSerializer):
    decisions = DecisionSerializer(many=True, read_only=True)
    checklist = serializers.SerializerMethodField()
    duplicates = serializers.SerializerMethodField()

    class Meta(ApplicationListSerializer.Meta):
        fields = ApplicationListSerializer.Meta.fields + [
            "birth_date",
            "workplace",
            "occupation",
            "motivation",
            "declarations",
            "consent_at",
            "phone_verified_at",
            "staff_message",
            "applicant_reply",
            "checklist",
            "decisions",
            "duplicates",
        ]

    @extend_schema_field(ChecklistRowSerializer(many=True))
    def get_checklist(self, obj):
        from backend.volunteers.selectors import screening_checklist

        return ChecklistRowSerializer(screening_checklist(application=obj), many=True).data

    def get_duplicates(self, obj) -> list[str]:
        from backend.volunteers.selectors import application_duplicates

        return [f"{a.reference} ({a.status})" for a in application_duplicates(application=obj)[:10]]


class DecisionInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=Decision.Action.choices[:3])
    reason = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default="", help_text=_("不通过、补充信息时必填")
    )
    team = serializers.IntegerField(required=False, allow_null=True, default=None)
    checks = serializers.DictField(
        child=serializers.BooleanField(), required=False, default=dict, help_text=_("筛查项标识 → 是否完成")
    )


class CheckInputSerializer(serializers.Serializer):
    item = serializers.SlugField()
    done = serializers.BooleanField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class VolunteerSerializer(OutputModelSerializer):
    village_name = serializers.CharField(source="village.full_name", read_only=True)

    class Meta:
        model = Volunteer
        fields = [
            "id",
            "name",
            "gender",
            "birth_date",
            "id_number_masked",
            "phone",
            "programme",
            "application",
            "village",
            "village_name",
            "caring_unit",
            "team",
            "occupation",
            "skills",
            "capacity",
            "availability",
            "status",
            "status_reason",
            "status_note",
            "status_changed_at",
            "ended_on",
            "joined_at",
        ]


class VolunteerStatusInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Volunteer.Status.choices)
    reason = serializers.ChoiceField(choices=Volunteer.ExitReason.choices, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class CaringUnitSerializer(OutputModelSerializer):
    volunteer_count = serializers.SerializerMethodField()

    class Meta:
        model = CaringUnit
        fields = ["id", "name", "uscc", "region", "contact_name", "contact_phone", "created_at", "volunteer_count"]
        read_only_fields = ["created_at"]

    def get_volunteer_count(self, obj) -> int:
        return obj.volunteers.filter(status=Volunteer.Status.ACTIVE).count()


class CaringUnitInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, allow_blank=True)
    uscc = serializers.CharField(max_length=30, allow_blank=True, help_text=_("18位统一社会信用代码"))
    region = serializers.CharField(max_length=12)
    contact_name = serializers.CharField(max_length=50, allow_blank=True)
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class CaringUnitDetailSerializer(CaringUnitSerializer):
    volunteers = serializers.SerializerMethodField()

    class Meta(CaringUnitSerializer.Meta):
        fields = CaringUnitSerializer.Meta.fields + ["volunteers"]

    @extend_schema_field(VolunteerSerializer(many=True))
    def get_volunteers(self, obj):
        from backend.accounts.selectors import user_region_scope

        user = self.context["request"].user
        qs = obj.volunteers.filter(user_region_scope(user).q("village_id")).select_related("village")
        return VolunteerSerializer(qs, many=True).data


class TeamSerializer(OutputModelSerializer):
    member_count = serializers.IntegerField(source="members.count", read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "programme", "region", "member_count", "created_at"]
        read_only_fields = ["created_at"]
