from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from backend.accounts.admin import RegionScopedAdmin
from backend.ops.errors import ServiceError
from pairing import services
from pairing.models import Pairing, PairingRun, Proposal, RunUnmatched


@admin.register(PairingRun)
class PairingRunAdmin(RegionScopedAdmin):
    """Runs: staff start one by adding it (programme + region); the engine runs in the background."""

    region_field = "region_id"
    staff_roles = ("staff",)
    staff_can_add = True
    list_display = ("id", "programme", "region", "status", "progress_display", "stats_display", "created_at")
    list_filter = ("status",)
    autocomplete_fields = ("region",)
    fields = ("programme", "region")

    @admin.display(description=_("进度"))
    def progress_display(self, obj):
        return f"{obj.progress}%"

    @admin.display(description=_("覆盖"))
    def stats_display(self, obj):
        s = obj.stats or {}
        if not s:
            return "—"
        return f"{s.get('covered', 0)}/{s.get('beneficiaries', 0)} 名儿童，建议 {s.get('proposals', 0)} 条"

    def get_fields(self, request, obj=None):
        return ("programme", "region") if obj is None else ("programme", "region", "status", "stats", "error")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("programme", "region", "status", "stats", "error")

    def save_model(self, request, obj, form, change):
        if change:
            return
        try:
            run = services.pairing_run_start(user=request.user, programme=obj.programme, region=obj.region)
        except ServiceError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk = run.pk


@admin.register(Proposal)
class ProposalAdmin(RegionScopedAdmin):
    region_field = "child__village_id"
    audit_children = "child"
    staff_roles = ("staff",)
    list_display = ("id", "child", "volunteer", "team", "score", "reasons_display", "status", "run")
    list_filter = ("status",)
    list_select_related = ("child", "volunteer", "team", "run")
    search_fields = ("volunteer__name", "child__given_name")
    readonly_fields = [f.name for f in Proposal._meta.fields]
    actions = ["approve_selected"]

    @admin.display(description=_("理由"))
    def reasons_display(self, obj):
        return "；".join(obj.reasons)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser or self._is_scoped_staff(request)

    @admin.action(description=_("批准所选结对建议"))
    def approve_selected(self, request, queryset):
        result = services.proposals_approve_bulk(proposals=list(queryset.order_by("id")), user=request.user)
        self.message_user(request, _("已批准 %(n)d 条") % {"n": len(result["approved"])}, messages.SUCCESS)
        for failure in result["failed"]:
            self.message_user(request, f"#{failure['id']}: {failure['error']}", messages.WARNING)


@admin.register(Pairing)
class PairingAdmin(RegionScopedAdmin):
    region_field = "child__village_id"
    audit_children = "child"
    staff_roles = ("staff", "child_director")
    list_display = ("id", "child", "volunteer", "team", "status", "started_on", "ended_on", "end_reason")
    list_filter = ("status", "end_reason")
    list_select_related = ("child", "volunteer", "team")
    search_fields = ("volunteer__name",)
    readonly_fields = [f.name for f in Pairing._meta.fields]


@admin.register(RunUnmatched)
class RunUnmatchedAdmin(RegionScopedAdmin):
    """Children a run left without (enough) volunteers, highest priority first, with why."""

    region_field = "child__village_id"
    staff_roles = ("staff",)
    list_display = ("child", "reason", "missing", "priority", "run")
    list_select_related = ("child", "run")
    list_filter = ("code",)
    readonly_fields = [f.name for f in RunUnmatched._meta.fields]
