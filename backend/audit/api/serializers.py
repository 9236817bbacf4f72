from backend.accounts.api.fields import OutputModelSerializer
from backend.audit.models import AuditEvent


class AuditEventSerializer(OutputModelSerializer):
    class Meta:
        model = AuditEvent
        fields = (
            "id",
            "created_at",
            "actor_name",
            "action",
            "object_type",
            "object_ids",
            "region_code",
            "ip_address",
            "user_agent",
            "path",
            "detail",
        )
        read_only_fields = fields
