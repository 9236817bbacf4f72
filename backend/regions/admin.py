from django.contrib import admin

from backend.accounts.admin import RegionScopedAdmin
from backend.regions.models import Region


@admin.register(Region)
class RegionAdmin(RegionScopedAdmin):
    region_field = "code"
    list_display = ("code", "name", "level", "full_name")
    list_filter = ("level",)
    search_fields = ("code", "name", "full_name")
    readonly_fields = ("code", "name", "full_name", "level", "parent")
    show_full_result_count = False
