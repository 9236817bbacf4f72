from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from backend.accounts.admin import RegionScopedAdmin
from backend.programmes.models import Programme


@admin.register(Programme)
class ProgrammeAdmin(RegionScopedAdmin):
    region_field = "region_id"
    list_display = ("name", "region", "is_active", "recruitment_open", "min_age", "max_age")
    list_filter = ("is_active", "recruitment_open")
    search_fields = ("name", "slug")
    autocomplete_fields = ("region",)
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (None, {"fields": ("name", "slug", "region", "description", "is_active", "recruitment_open")}),
        (_("选任条件"), {"fields": ("min_age", "max_age", "required_declarations", "selection_notes")}),
        (
            _("结对关爱工作程序"),
            {
                "fields": (
                    "approval_levels",
                    "pairing_mode",
                    "pairing_max_distance",
                    "pairing_skill_bonus",
                    "pairing_keep_bonus",
                    "pairing_load_spread",
                    "volunteer_sees_guardian_phone",
                    "volunteer_sees_address",
                )
            },
        ),
        (
            _("志愿者不足时的优先级"),
            {
                "fields": (
                    "pairing_priority_in_difficulty",
                    "pairing_priority_risk_medium",
                    "pairing_priority_risk_high",
                    "pairing_priority_per_concern",
                    "pairing_priority_per_month_waited",
                    "pairing_priority_no_adult",
                )  # pairing.priority.PRIORITY_WEIGHTS
            },
        ),
        (_("提醒"), {"fields": ("quiet_hours_start", "quiet_hours_end")}),
        (_("退出机制"), {"fields": ("exit_rules",)}),
    )
