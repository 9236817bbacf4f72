"""Admin pages for children's files: scoped like the API, read-only, every read audited.

Files are written through the API (services record the history and check every rule),
so these pages only show them. An out-of-region child answers 404, as in the API.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from backend.accounts.admin import RegionScopedAdmin
from backend.audit.models import AuditEvent
from backend.audit.services import audit_record, common_region_code
from backend.children.models import Child, ChildChange, Concern, ImportJob


class NotFoundForOthersMixin:
    """Answer 404 (not a redirect to the index) for an object outside the user's region."""

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404

    def _check_exists(self, request, object_id) -> None:
        # Django checks the permission before the object: look it up first, so an
        # out-of-region record is "not found" rather than "forbidden".
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404

    def delete_view(self, request, object_id, extra_context=None):
        self._check_exists(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._check_exists(request, object_id)
        return super().history_view(request, object_id, extra_context)


class ChildChangeInline(admin.TabularInline):
    model = ChildChange
    extra = 0
    fields = ("changed_at", "changed_by", "field", "old_value", "new_value", "source")
    readonly_fields = fields
    can_delete = False
    max_num = 0
    ordering = ("-changed_at",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ConcernInline(admin.TabularInline):
    model = Concern
    extra = 0
    fields = ("created_at", "severity", "category", "status", "description", "closing_note")
    readonly_fields = fields
    can_delete = False
    max_num = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Child)
class ChildAdmin(NotFoundForOthersMixin, RegionScopedAdmin):
    region_field = "village_id"
    list_display = (
        "id",
        "full_name",
        "gender",
        "birth_date",
        "id_number_masked",
        "village",
        "category",
        "difficulty_subtype",
        "risk_level",
        "status",
    )
    list_filter = ("status", "category", "difficulty_subtype", "risk_level")
    list_select_related = ("village",)
    search_fields = ("family_name", "given_name")
    show_full_result_count = False
    # Never the encrypted columns themselves: the ID stays masked, phone and address
    # are shown only on the change page.
    fieldsets = (
        (_("基本信息"), {"fields": ("family_name", "given_name", "gender", "birth_date", "id_number_masked")}),
        (_("住址与学校"), {"fields": ("village", "address_detail", "school", "grade")}),
        (
            _("类别与需求"),
            {
                "fields": (
                    "category",
                    "difficulty_subtype",
                    "needs",
                    "needs_note",
                    "risk_level",
                    "volunteers_wanted",
                )
            },
        ),
        (
            _("监护与同意"),
            {
                "fields": (
                    "guardian_name",
                    "guardian_relation",
                    "guardian_phone",
                    "parents_work_place",
                    "consent_given_by",
                    "consent_relation",
                    "consent_given_on",
                )
            },
        ),
        (_("状态"), {"fields": ("status", "exit_reason", "exit_note", "exited_on", "created_by", "created_at")}),
    )
    readonly_fields = [
        "family_name",
        "given_name",
        "gender",
        "birth_date",
        "id_number_masked",
        "village",
        "address_detail",
        "school",
        "grade",
        "category",
        "difficulty_subtype",
        "needs",
        "needs_note",
        "risk_level",
        "volunteers_wanted",
        "guardian_name",
        "guardian_relation",
        "guardian_phone",
        "parents_work_place",
        "consent_given_by",
        "consent_relation",
        "consent_given_on",
        "status",
        "exit_reason",
        "exit_note",
        "exited_on",
        "created_by",
        "created_at",
    ]
    inlines = (ChildChangeInline, ConcernInline)

    @admin.display(description=_("姓名"))
    def full_name(self, obj):
        return obj.full_name

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = getattr(response, "context_data", {}).get("original") if hasattr(response, "context_data") else None
        if obj is not None:
            audit_record(
                actor=request.user,
                action=AuditEvent.Action.VIEW,
                object_type="children.child",
                object_ids=[obj.pk],
                region_code=obj.village_id,
                request=request,
                detail="admin",
            )
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        cl = getattr(response, "context_data", {}).get("cl") if hasattr(response, "context_data") else None
        if cl is not None:
            rows = list(cl.result_list)
            audit_record(
                actor=request.user,
                action=AuditEvent.Action.LIST,
                object_type="children.child",
                object_ids=[c.pk for c in rows],
                region_code=common_region_code(c.village_id for c in rows),
                request=request,
                detail="admin",
            )
        return response


@admin.register(Concern)
class ConcernAdmin(NotFoundForOthersMixin, RegionScopedAdmin):
    region_field = "child__village_id"
    audit_children = "child"
    list_display = ("id", "child", "severity", "category", "status", "raised_by", "created_at")
    list_filter = ("status", "severity", "category")
    list_select_related = ("child", "raised_by")
    readonly_fields = [f.name for f in Concern._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportJob)
class ImportJobAdmin(NotFoundForOthersMixin, admin.ModelAdmin):
    list_display = ("id", "file_name", "created_by", "status", "progress", "total_rows", "created_count", "error_count")
    list_filter = ("status",)
    exclude = ("content",)
    readonly_fields = [f.name for f in ImportJob._meta.fields if f.name != "content"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(created_by=request.user)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and request.user.role == "staff"

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) or request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
