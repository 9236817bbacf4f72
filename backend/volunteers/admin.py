"""Staff side of recruitment in the admin: the review queue, decisions, volunteers, units, teams."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from backend.accounts.admin import RegionScopedAdmin
from backend.accounts.models import User
from backend.accounts.selectors import user_region_scope
from backend.ops.errors import ServiceError
from backend.regions.models import Region
from backend.volunteers import selectors, services
from backend.volunteers.models import (
    Application,
    CaringUnit,
    Decision,
    ScreeningItem,
    Skill,
    Team,
    Volunteer,
    VolunteerStatusChange,
)

FLAG_LABELS = {
    "duplicate": _("重复报名"),
    "age_outside_range": _("年龄不符"),
    "outside_area": _("不在招募范围"),
}


class SkillFilter(admin.SimpleListFilter):
    title = _("专业特长")
    parameter_name = "skill"

    def lookups(self, request, model_admin):
        return Skill.choices

    def queryset(self, request, queryset):
        return queryset.filter(skills__contains=[self.value()]) if self.value() else queryset


class CountyFilter(admin.SimpleListFilter):
    """Filter by county (and below) within the reviewer's region."""

    title = _("县（区）")
    parameter_name = "county"
    field = "village"

    def lookups(self, request, model_admin):
        scope = user_region_scope(request.user)
        counties = Region.objects.filter(scope.q("code"), level=Region.Level.COUNTY)
        if not counties.exists():
            # A town officer: offer her towns.
            counties = Region.objects.filter(scope.q("code"), level=Region.Level.TOWN)
        return [(r.code, r.name) for r in counties[:200]]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{f"{self.field}__pk__startswith": self.value()})
        return queryset


class FlaggedFilter(admin.SimpleListFilter):
    title = _("需关注")
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("duplicate", _("重复报名")), ("age", _("年龄不符")), ("any", _("任一提示"))]

    def queryset(self, request, queryset):
        if self.value() == "duplicate":
            return queryset.filter(has_duplicate=True)
        if self.value() == "age":
            return queryset.filter(selectors.application_age_outside_q())
        if self.value() == "any":
            return queryset.filter(selectors.application_flagged_q())
        return queryset


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    can_delete = False
    fields = ("created_at", "action", "reason", "decided_by_name")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True


@admin.register(Application)
class ApplicationAdmin(RegionScopedAdmin):
    """The review queue (审核队列): applications of the reviewer's region and below."""

    region_field = "village_id"
    # Federation staff only, as in the API: child directors keep children's files, not applicants'.
    staff_roles = (User.Role.STAFF,)

    class Media:
        # The flags' look: a stylesheet, as CSP (style-src 'self') refuses style attributes.
        css = {"all": ["volunteers/admin/review.css"]}

    list_display = (
        "reference",
        "name",
        "id_number_masked",
        "age",
        "village_name",
        "caring_unit",
        "skills_display",
        "status",
        "flags_display",
        "created_at",
        "review_link",
    )
    list_filter = (
        "status",
        FlaggedFilter,
        CountyFilter,
        SkillFilter,
        ("caring_unit", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("reference", "name", "=phone")
    list_select_related = ("village", "programme", "caring_unit")
    ordering = ("status", "-created_at")
    inlines = [DecisionInline]
    exclude = ("id_number",)
    readonly_fields = (
        "reference",
        "programme",
        "status",
        "name",
        "gender",
        "id_number_masked",
        "birth_date",
        "phone",
        "phone_verified_at",
        "village",
        "workplace",
        "caring_unit",
        "occupation",
        "skills_display",
        "capacity",
        "availability",
        "joins_team",
        "motivation",
        "declarations",
        "consent_at",
        "staff_message",
        "applicant_reply",
        "decided_at",
        "created_at",
        "flags_display",
        "review_link",
    )
    fields = readonly_fields

    def get_queryset(self, request):
        return selectors.application_annotate_duplicates(super().get_queryset(request))

    def get_urls(self):
        return [
            path(
                "<int:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="volunteers_application_review",
            ),
        ] + super().get_urls()

    @admin.display(description=_("年龄"))
    def age(self, obj):
        from django.utils import timezone

        return obj.age_on(timezone.localdate())

    @admin.display(description=_("居住村（社区）"), ordering="village_id")
    def village_name(self, obj):
        return obj.village.full_name or obj.village.name

    @admin.display(description=_("专业特长"))
    def skills_display(self, obj):
        labels = dict(Skill.choices)
        return "、".join(str(labels.get(s, s)) for s in obj.skills)

    @admin.display(description=_("提示"))
    def flags_display(self, obj):
        flags = selectors.application_flags(application=obj)
        if not flags:
            return "—"
        return format_html_join(
            " ",
            '<span class="flag">{}</span>',
            ((FLAG_LABELS[f],) for f in flags),
        )

    @admin.display(description=_("审核"))
    def review_link(self, obj):
        if not obj.pk:
            return ""
        label = _("审核") if obj.is_open else _("查看")
        url = reverse("admin:volunteers_application_review", args=[obj.pk])
        return format_html('<a class="button review-link" href="{}">{}</a>', url, label)

    def review_view(self, request, object_id):
        """Tick the screening checklist and take a decision."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        application = selectors.application_get(user=request.user, pk=object_id)
        if application is None:
            raise Http404
        services.screening_items_ensure(programme=application.programme)
        teams = selectors.team_list(user=request.user).filter(programme=application.programme)
        error = None
        if request.method == "POST" and application.is_open:
            try:
                for row in selectors.screening_checklist(application=application):
                    done = f"check_{row['code']}" in request.POST
                    if done != row["done"]:
                        services.screening_check_set(
                            application=application, item_code=row["code"], done=done, by=request.user
                        )
                action = request.POST.get("action", "")
                team_id = request.POST.get("team") or None
                team = teams.filter(pk=team_id).first() if team_id and str(team_id).isdigit() else None
                if action:
                    services.application_decide(
                        application=application,
                        by=request.user,
                        action=action,
                        reason=request.POST.get("reason", ""),
                        team=team,
                    )
                    self.message_user(request, _("已记录审核决定：%(ref)s") % {"ref": application.reference})
                    return redirect("admin:volunteers_application_changelist")
                self.message_user(request, _("筛查清单已保存"))
                return redirect("admin:volunteers_application_review", object_id=application.pk)
            except ServiceError as exc:
                error = exc
                messages.error(request, exc.message)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("审核报名 %(ref)s") % {"ref": application.reference},
            "application": application,
            "flags": [FLAG_LABELS[f] for f in selectors.application_flags(application=application)],
            "duplicates": selectors.application_duplicates(application=application)[:10],
            "checklist": selectors.screening_checklist(application=application),
            "teams": teams,
            "actions": Decision.Action.choices[:3],
            "decisions": application.decisions.all(),
            "error": error,
            "posted": request.POST if request.method == "POST" else {},
            "skills": self.skills_display(application),
        }
        return TemplateResponse(request, "volunteers/admin/review.html", context)


class VolunteerStatusChangeInline(admin.TabularInline):
    model = VolunteerStatusChange
    extra = 0
    can_delete = False
    fields = ("created_at", "from_status", "to_status", "reason", "note", "changed_by_name")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True


class VolunteerStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("新状态"), choices=Volunteer.Status.choices)
    reason = forms.ChoiceField(
        label=_("原因"), choices=[("", "—")] + list(Volunteer.ExitReason.choices), required=False
    )
    note = forms.CharField(label=_("说明"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(Volunteer)
class VolunteerAdmin(RegionScopedAdmin):
    region_field = "village_id"
    staff_roles = (User.Role.STAFF,)
    list_display = ("name", "id_number_masked", "village", "caring_unit", "team", "capacity", "status", "joined_at")
    list_filter = ("status", CountyFilter, SkillFilter, "team", ("caring_unit", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "=phone")
    list_select_related = ("village", "caring_unit", "team")
    inlines = [VolunteerStatusChangeInline]
    exclude = ("id_number", "user")
    readonly_fields = (
        "name",
        "gender",
        "birth_date",
        "id_number_masked",
        "phone",
        "programme",
        "application",
        "village",
        "caring_unit",
        "team",
        "occupation",
        "skills",
        "capacity",
        "availability",
        "status",
        "status_reason",
        "status_note",
        "status_changed_at",
        "ended_on",
        "joined_at",
        "status_link",
    )
    fields = readonly_fields

    def get_urls(self):
        return [
            path(
                "<int:object_id>/status/",
                self.admin_site.admin_view(self.status_view),
                name="volunteers_volunteer_status",
            ),
        ] + super().get_urls()

    @admin.display(description=_("暂停或退出"))
    def status_link(self, obj):
        if not obj.pk or obj.status == Volunteer.Status.ENDED:
            return "—"
        url = reverse("admin:volunteers_volunteer_status", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("变更状态"))

    def status_view(self, request, object_id):
        """Suspend, end or reinstate a volunteer with a reason."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        volunteer = selectors.volunteer_get(user=request.user, pk=object_id)
        if volunteer is None:
            raise Http404
        form = VolunteerStatusForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.volunteer_status_change(volunteer=volunteer, by=request.user, **form.cleaned_data)
                self.message_user(request, _("状态已变更"))
                return redirect("admin:volunteers_volunteer_change", object_id=volunteer.pk)
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("变更爱心妈妈状态：%(name)s") % {"name": volunteer.name},
            "volunteer": volunteer,
            "form": form,
        }
        return TemplateResponse(request, "volunteers/admin/volunteer_status.html", context)


class CaringUnitForm(forms.ModelForm):
    class Meta:
        model = CaringUnit
        fields = ("name", "uscc", "region", "contact_name", "contact_phone")

    def clean_uscc(self):
        try:
            return services.uscc_normalise(self.cleaned_data.get("uscc", ""))
        except ServiceError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean_contact_phone(self):
        value = self.cleaned_data.get("contact_phone", "")
        if not value:
            return value
        from backend.accounts.services import phone_normalise

        try:
            return phone_normalise(value)
        except ServiceError as exc:
            raise forms.ValidationError(exc.message) from None


class UnitVolunteerInline(admin.TabularInline):
    model = Volunteer
    fk_name = "caring_unit"
    extra = 0
    can_delete = False
    fields = ("name", "village", "status", "capacity")
    readonly_fields = fields
    verbose_name_plural = _("本单位的爱心妈妈")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True

    def get_queryset(self, request):
        return super().get_queryset(request).filter(user_region_scope(request.user).q("village_id"))


@admin.register(CaringUnit)
class CaringUnitAdmin(RegionScopedAdmin):
    region_field = "region_id"
    staff_can_add = True
    staff_can_change = True
    form = CaringUnitForm
    list_display = ("name", "uscc", "region", "contact_name", "volunteer_count")
    search_fields = ("name", "uscc")
    autocomplete_fields = ("region",)
    inlines = [UnitVolunteerInline]

    @admin.display(description=_("爱心妈妈人数"))
    def volunteer_count(self, obj):
        return obj.volunteers.filter(status=Volunteer.Status.ACTIVE).count()

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser and not user_region_scope(request.user).contains(obj.region_id):
            raise PermissionDenied
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class TeamMemberInline(UnitVolunteerInline):
    fk_name = "team"
    verbose_name_plural = _("小分队成员")


@admin.register(Team)
class TeamAdmin(RegionScopedAdmin):
    region_field = "region_id"
    staff_can_add = True
    staff_can_change = True
    list_display = ("name", "region", "programme", "member_count")
    search_fields = ("name",)
    autocomplete_fields = ("region",)
    inlines = [TeamMemberInline]

    @admin.display(description=_("成员数"))
    def member_count(self, obj):
        return obj.members.count()

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser and not user_region_scope(request.user).contains(obj.region_id):
            raise PermissionDenied
        super().save_model(request, obj, form, change)


@admin.register(ScreeningItem)
class ScreeningItemAdmin(RegionScopedAdmin):
    """The screening checklist of each programme, kept by the programme's own federation."""

    region_field = "programme__region_id"
    staff_can_add = True
    staff_can_change = True
    programme_settings = True
    list_display = ("programme", "order", "label", "code", "required")
    list_filter = ("programme",)
