from django.utils.translation import gettext as _
from rest_framework import serializers

from backend.accounts.api.fields import OutputModelSerializer
from notifications.models import Message


def mask_recipient(message: Message) -> str:
    """Show enough of a phone number or openid to recognise it, not the whole."""
    value = message.recipient
    if message.channel == Message.Channel.WECOM:
        return value
    if len(value) <= 7:
        return "*" * len(value)
    return value[:-8] + "****" + value[-4:]


class MessageOutputSerializer(OutputModelSerializer):
    recipient = serializers.SerializerMethodField()
    # Plain strings, not enums: keeps the schema's enum names free of collisions with other apps.
    status = serializers.CharField(read_only=True)
    channel = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display")
    channel_display = serializers.CharField(source="get_channel_display")

    class Meta:
        model = Message
        fields = [
            "id",
            "channel",
            "channel_display",
            "recipient",
            "template",
            "body",
            "status",
            "status_display",
            "attempts",
            "next_attempt_at",
            "provider_id",
            "provider_status",
            "error_code",
            "segments",
            "last_error",
            "region",
            "programme",
            "created_at",
            "sent_at",
            "delivered_at",
        ]

    def get_recipient(self, obj: Message) -> str:
        return mask_recipient(obj)


class MessageFilterSerializer(serializers.Serializer):
    status = serializers.CharField(
        required=False, help_text="pending, queued, sending, sent, delivered, failed, cancelled"
    )
    channel = serializers.CharField(required=False, help_text="sms, wechat, wecom")
    template = serializers.CharField(required=False, max_length=50)
    recipient = serializers.CharField(required=False, max_length=100)
    created_from = serializers.DateField(required=False)
    created_to = serializers.DateField(required=False)

    def validate_status(self, value: str) -> str:
        if value not in Message.Status.values:
            raise serializers.ValidationError(_("状态不存在"))
        return value

    def validate_channel(self, value: str) -> str:
        if value not in Message.Channel.values:
            raise serializers.ValidationError(_("渠道不存在"))
        return value
