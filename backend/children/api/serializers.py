from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.accounts.api.fields import OutputModelSerializer
from backend.children.models import Child, ChildChange, Concern, ImportJob


class ChildListSerializer(OutputModelSerializer):
    """One row of the staff list: masked ID, no guardian phone or address."""

    name = serializers.CharField(source="full_name", read_only=True)
    age = serializers.SerializerMethodField()
    village_name = serializers.CharField(source="village.full_name", read_only=True)
    open_concerns = serializers.IntegerField(read_only=True, default=0)
    # Read-only choice fields lose allow_blank; declared so the schema's enum includes "".
    difficulty_subtype = serializers.ChoiceField(
        choices=Child._meta.get_field("difficulty_subtype").choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Child
        fields = (
            "id",
            "name",
            "gender",
            "age",
            "birth_date",
            "id_number_masked",
            "village",
            "village_name",
            "school",
            "grade",
            "category",
            "difficulty_subtype",
            "needs",
            "risk_level",
            "volunteers_wanted",
            "status",
            "open_concerns",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField())
    def get_age(self, obj) -> int:
        return obj.age_on(timezone.localdate())


class ChildDetailSerializer(ChildListSerializer):
    """The whole file for staff and child directors; the ID number stays masked."""

    exit_reason = serializers.ChoiceField(
        choices=Child._meta.get_field("exit_reason").choices, allow_blank=True, read_only=True
    )

    class Meta(ChildListSerializer.Meta):
        fields = ChildListSerializer.Meta.fields + (
            "family_name",
            "given_name",
            "address_detail",
            "guardian_name",
            "guardian_relation",
            "guardian_phone",
            "parents_work_place",
            "needs_note",
            "consent_given_by",
            "consent_relation",
            "consent_given_on",
            "exit_reason",
            "exit_note",
            "exited_on",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class VolunteerChildSerializer(OutputModelSerializer):
    """What a paired volunteer may see: given name, age, gender, school, village, needs.

    Guardian phone and address detail only if the programme allows it
    (``programme.volunteer_sees_guardian_phone`` / ``volunteer_sees_address``, passed
    as ``context["programme"]``). Never the ID number or the family name.
    """

    age = serializers.SerializerMethodField()
    village_name = serializers.CharField(source="village.full_name", read_only=True)
    guardian_phone = serializers.SerializerMethodField()
    address_detail = serializers.SerializerMethodField()

    class Meta:
        model = Child
        fields = (
            "id",
            "given_name",
            "age",
            "gender",
            "school",
            "grade",
            "village_name",
            "needs",
            "needs_note",
            "guardian_phone",
            "address_detail",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField())
    def get_age(self, obj) -> int:
        return obj.age_on(timezone.localdate())

    def _programme_allows(self, flag: str) -> bool:
        programme = self.context.get("programme")
        return bool(programme is not None and getattr(programme, flag, False))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_guardian_phone(self, obj):
        return obj.guardian_phone if self._programme_allows("volunteer_sees_guardian_phone") else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_address_detail(self, obj):
        return obj.address_detail if self._programme_allows("volunteer_sees_address") else None


class ChildInputSerializer(serializers.Serializer):
    family_name = serializers.CharField(label=_("姓"), max_length=20)
    given_name = serializers.CharField(label=_("名"), max_length=30)
    gender = serializers.ChoiceField(label=_("性别"), choices=Child.Gender.choices, required=False, allow_blank=True)
    birth_date = serializers.DateField(label=_("出生日期"), required=False, allow_null=True)
    id_number = serializers.CharField(label=_("身份证号码"), max_length=30)
    village = serializers.CharField(label=_("村（社区）区划代码"), max_length=12, source="village_id")
    address_detail = serializers.CharField(label=_("详细住址"), required=False, allow_blank=True, max_length=200)
    school = serializers.CharField(label=_("学校"), required=False, allow_blank=True, max_length=100)
    grade = serializers.CharField(label=_("年级"), required=False, allow_blank=True, max_length=30)
    category = serializers.ChoiceField(label=_("儿童类别"), choices=Child.Category.choices)
    difficulty_subtype = serializers.ChoiceField(
        label=_("困境类型"), choices=Child.DifficultySubtype.choices, required=False, allow_blank=True
    )
    guardian_name = serializers.CharField(label=_("监护人姓名"), max_length=50)
    guardian_relation = serializers.ChoiceField(label=_("与儿童关系"), choices=Child.GuardianRelation.choices)
    guardian_phone = serializers.CharField(label=_("监护人电话"), required=False, allow_blank=True, max_length=30)
    parents_work_place = serializers.CharField(label=_("父母务工地"), required=False, allow_blank=True, max_length=100)
    needs = serializers.ListField(
        label=_("关爱需求"), child=serializers.ChoiceField(choices=Child.Need.choices), required=False
    )
    needs_note = serializers.CharField(label=_("需求说明"), required=False, allow_blank=True, max_length=2000)
    risk_level = serializers.ChoiceField(label=_("风险等级"), choices=Child.RiskLevel.choices, required=False)
    volunteers_wanted = serializers.IntegerField(label=_("需要爱心妈妈人数"), min_value=1, max_value=10, required=False)
    consent_given_by = serializers.CharField(label=_("同意人"), required=False, allow_blank=True, max_length=50)
    consent_relation = serializers.CharField(
        label=_("同意人与儿童关系"), required=False, allow_blank=True, max_length=20
    )
    consent_given_on = serializers.DateField(label=_("同意日期"), required=False, allow_null=True)


class ChildExitInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(label=_("退出原因"), choices=Child.ExitReason.choices)
    exited_on = serializers.DateField(label=_("退出日期"), required=False)
    note = serializers.CharField(label=_("说明"), required=False, allow_blank=True, max_length=200)


class ChildRevealSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    id_number = serializers.CharField()


class ChildChangeSerializer(OutputModelSerializer):
    changed_by = serializers.CharField(source="changed_by.username", default="", read_only=True)

    class Meta:
        model = ChildChange
        fields = ("id", "changed_at", "changed_by", "field", "old_value", "new_value", "source")
        read_only_fields = fields


class ConcernSerializer(OutputModelSerializer):
    child_name = serializers.CharField(source="child.full_name", read_only=True)
    village = serializers.CharField(source="child.village_id", read_only=True)
    raised_by = serializers.CharField(source="raised_by.username", default="", read_only=True)
    acknowledged_by = serializers.CharField(source="acknowledged_by.username", default="", read_only=True)
    closed_by = serializers.CharField(source="closed_by.username", default="", read_only=True)

    class Meta:
        model = Concern
        fields = (
            "id",
            "child",
            "child_name",
            "village",
            "severity",
            "category",
            "description",
            "status",
            "raised_by",
            "created_at",
            "acknowledged_by",
            "acknowledged_at",
            "closed_by",
            "closed_at",
            "closing_note",
        )
        read_only_fields = fields


class ConcernInputSerializer(serializers.Serializer):
    severity = serializers.ChoiceField(label=_("严重程度"), choices=Concern.Severity.choices)
    category = serializers.ChoiceField(label=_("类别"), choices=Concern.Category.choices)
    description = serializers.CharField(label=_("情况描述"), max_length=4000)


class ConcernCloseInputSerializer(serializers.Serializer):
    note = serializers.CharField(label=_("办结说明"), max_length=4000)


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(label=_("文件（.xlsx 或 .csv）"))
    import_valid_rows = serializers.BooleanField(label=_("仅导入无误的行"), required=False, default=False)


class ImportJobSerializer(OutputModelSerializer):
    class Meta:
        model = ImportJob
        fields = (
            "id",
            "file_name",
            "file_format",
            "import_valid_rows",
            "status",
            "progress",
            "total_rows",
            "created_count",
            "updated_count",
            "unchanged_count",
            "error_count",
            "errors",
            "message",
            "created_at",
            "finished_at",
        )
        read_only_fields = fields
