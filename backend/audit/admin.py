from django.contrib import admin

from backend.accounts.admin import RegionScopedAdmin
from backend.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(RegionScopedAdmin):
    """Read-only for everyone, superusers included: the log cannot be edited."""

    region_field = "region_code"
    staff_roles = ("staff",)
    list_display = ("created_at", "actor_name", "action", "object_type", "region_code", "ip_address", "detail")
    list_filter = ("action", "object_type")
    search_fields = ("actor_name", "region_code", "detail")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
