"""Data maintenance of activities and articles (superusers; staff read their region's).

Sign-ups, attendance and wishes show children: they are kept in the workspace, where every
read is audited, not here.
"""

from django.contrib import admin

from backend.accounts.admin import RegionScopedAdmin
from backend.activities.models import Activity, Article, Session


class SessionInline(admin.TabularInline):
    model = Session
    fields = ["number", "starts_at", "ends_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Activity)
class ActivityAdmin(RegionScopedAdmin):
    region_field = "region_id"
    list_display = ["title", "kind", "region", "starts_at", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "place"]
    exclude = ["recurrence"]
    inlines = [SessionInline]


@admin.register(Article)
class ArticleAdmin(RegionScopedAdmin):
    region_field = "region_id"
    list_display = ["title", "audience", "region", "published", "created_at"]
    list_filter = ["audience", "published"]
    search_fields = ["title"]
