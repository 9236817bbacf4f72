"""Staff's side of check-ins: log on a volunteer's behalf, thank her, watch what is due and overdue."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from backend.accounts.admin import RegionScopedAdmin
from backend.accounts.selectors import user_region_scope
from backend.checkins.models import CalendarEvent, CheckIn, CheckInChild, ContactRule, DueState, Escalation
from backend.checkins.services import checkin_acknowledge, checkin_create
from backend.children.models import Child
from backend.ops.errors import ServiceError
from backend.volunteers.models import Volunteer


class CheckInChildInline(admin.TabularInline):
    model = CheckInChild
    fields = ["child", "pairing", "occurred_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class StaffCheckInForm(forms.ModelForm):
    """Staff log a check-in on a volunteer's behalf (recorded as 工作人员代录)."""

    pick_children = forms.ModelMultipleChoiceField(
        label=_("儿童"), queryset=Child.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = CheckIn
        fields = ["volunteer", "kind", "occurred_on", "duration_minutes", "note", "worried"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.created = None
        scope = user_region_scope(request.user) if request else None
        if scope is not None:
            self.fields["volunteer"].queryset = Volunteer.objects.filter(
                scope.q("village_id"), status=Volunteer.Status.ACTIVE
            )
            self.fields["pick_children"].queryset = Child.objects.filter(
                scope.q("village_id"), status=Child.Status.ACTIVE, pairings__status="active"
            ).distinct()

    def clean(self):
        # The admin's add view runs in one transaction: the service records the check-in here so
        # that its errors (a child she is not paired with, a future date) show on the form.
        data = super().clean()
        if self.errors or self.request is None:
            return data
        try:
            self.created = checkin_create(
                volunteer=data["volunteer"],
                children=list(data["pick_children"]),
                kind=data["kind"],
                occurred_on=data["occurred_on"],
                duration_minutes=data.get("duration_minutes"),
                note=data.get("note", ""),
                worried=data.get("worried", False),
                source=CheckIn.Source.STAFF,
                logged_by=self.request.user,
            )
        except ServiceError as exc:
            field = {"children": "pick_children"}.get(exc.field, exc.field)
            self.add_error(field if field in self.fields else None, exc.message)
        return data


@admin.register(CheckIn)
class CheckInAdmin(RegionScopedAdmin):
    region_field = "child_links__child__village_id"
    audit_children = "child_links__child"
    staff_can_add = True
    list_display = ["occurred_on", "volunteer", "kind", "source", "worried", "acknowledged_at"]
    list_filter = ["kind", "source", "worried", ("acknowledged_at", admin.EmptyFieldListFilter)]
    search_fields = ["volunteer__name"]
    date_hierarchy = "occurred_on"
    readonly_fields = ["source", "logged_by", "client_key", "acknowledged_by", "acknowledged_at", "created_at"]
    inlines = [CheckInChildInline]
    actions = ["acknowledge"]
    list_select_related = ["volunteer"]

    def get_queryset(self, request):
        return super().get_queryset(request).distinct()

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            form = StaffCheckInForm

            class Bound(form):
                def __init__(self, *args, **kw):
                    super().__init__(*args, request=request, **kw)

            return Bound
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (
                    None,
                    {
                        "fields": [
                            "volunteer",
                            "pick_children",
                            "kind",
                            "occurred_on",
                            "duration_minutes",
                            "note",
                            "worried",
                        ]
                    },
                )
            ]
        return super().get_fieldsets(request, obj)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        created = form.created
        obj.pk = created.pk
        obj.__dict__.update({k: v for k, v in created.__dict__.items() if not k.startswith("_")})

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    @admin.action(description=_("致谢所选记录（通知爱心妈妈）"))
    def acknowledge(self, request, queryset):
        done = 0
        for checkin in queryset:
            checkin_acknowledge(checkin=checkin, user=request.user)
            done += 1
        self.message_user(request, _("已致谢 %(n)s 条记录") % {"n": done}, messages.SUCCESS)


class ProgrammeRulesAdmin(RegionScopedAdmin):
    region_field = "programme__region_id"
    staff_can_add = True
    staff_can_change = True
    programme_settings = True

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        from backend.checkins.tasks import due_full_refresh_task

        # Intervals and categories changed: every pairing's due dates are recomputed.
        due_full_refresh_task.delay_on_commit()


@admin.register(ContactRule)
class ContactRuleAdmin(ProgrammeRulesAdmin):
    list_display = [
        "name",
        "programme",
        "every_days",
        "lead_days",
        "escalate_staff_days",
        "escalate_county_days",
        "is_active",
    ]
    list_filter = ["programme", "is_active"]


@admin.register(CalendarEvent)
class CalendarEventAdmin(ProgrammeRulesAdmin):
    list_display = ["name", "programme", "kind", "month", "day", "lead_days", "grace_days", "is_active"]
    list_filter = ["programme", "kind", "is_active"]


class OverdueFilter(admin.SimpleListFilter):
    title = _("是否逾期")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("已逾期"))]

    def queryset(self, request, queryset):
        from backend.checkins.services import today_local

        if self.value() == "yes":
            return queryset.filter(next_due_on__lt=today_local(), satisfied_on__isnull=True)
        return queryset


@admin.register(DueState)
class DueStateAdmin(RegionScopedAdmin):
    region_field = "pairing__child__village_id"
    audit_children = "pairing__child"
    list_display = ["pairing", "what", "next_due_on", "last_contact_on", "satisfied_on", "escalation"]
    list_filter = [OverdueFilter, "escalation"]
    list_select_related = ["pairing", "rule", "event"]
    readonly_fields = [f.name for f in DueState._meta.fields]


@admin.register(Escalation)
class EscalationAdmin(RegionScopedAdmin):
    region_field = "pairing__child__village_id"
    audit_children = "pairing__child"
    list_display = ["pairing", "level", "region", "due_on", "overdue_days", "created_on", "resolved_on"]
    list_filter = ["level", ("resolved_on", admin.EmptyFieldListFilter)]
    readonly_fields = [f.name for f in Escalation._meta.fields]
