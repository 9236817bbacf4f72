from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from backend.accounts.api.fields import OutputModelSerializer
from backend.checkins.models import CheckIn, DueState


class CheckInChildSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="child.id")
    given_name = serializers.CharField(source="child.given_name")


class CheckInOutputSerializer(OutputModelSerializer):
    children = CheckInChildSerializer(source="child_links", many=True, read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    acknowledged = serializers.SerializerMethodField()

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "volunteer",
            "children",
            "kind",
            "kind_display",
            "occurred_on",
            "duration_minutes",
            "note",
            "photo",
            "worried",
            "source",
            "client_key",
            "acknowledged",
            "acknowledged_at",
            "created_at",
        ]

    def get_acknowledged(self, obj) -> bool:
        return obj.acknowledged_at is not None


class CheckInInputSerializer(serializers.Serializer):
    children = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=50, help_text=_("儿童编号")
    )
    kind = serializers.ChoiceField(choices=CheckIn.Kind.choices)
    occurred_on = serializers.DateField(required=False, help_text=_("默认今天"))
    duration_minutes = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    photo = serializers.FileField(required=False, allow_null=True)
    worried = serializers.BooleanField(required=False, default=False)
    client_key = serializers.CharField(
        required=False, allow_blank=True, max_length=64, help_text=_("离线补发用的幂等键")
    )
    volunteer = serializers.IntegerField(required=False, help_text=_("工作人员代录时必填"))


class DueOutputSerializer(OutputModelSerializer):
    child_id = serializers.IntegerField(source="pairing.child_id")
    given_name = serializers.CharField(source="pairing.child.given_name")
    what = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = DueState
        fields = ["id", "pairing", "child_id", "given_name", "what", "next_due_on", "last_contact_on", "overdue"]

    def get_what(self, obj) -> str:
        return (obj.rule or obj.event).name

    def get_overdue(self, obj) -> bool:
        return obj.next_due_on < self.context["today"]
