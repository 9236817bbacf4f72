from django.contrib import admin
from django.http import Http404

from backend.accounts.admin import RegionScopedAdmin
from backend.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(RegionScopedAdmin):
    """Read-only for everyone, superusers included: the log cannot be edited."""

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # An event outside the user's region answers 404, like every scoped page.
        raise Http404

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
