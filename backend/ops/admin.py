from django.contrib import admin

from backend.ops.models import Heartbeat


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ("name", "last_seen", "detail")
    readonly_fields = ("name", "last_seen", "detail")
