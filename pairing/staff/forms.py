"""Forms of the workspace's pairing pages; every choice comes from a scoping selector."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backend.accounts.selectors import user_regions
from backend.programmes.selectors import programme_list_for
from backend.regions.selectors import region_filter_choices
from backend.volunteers import selectors as volunteer_selectors
from backend.volunteers.models import Volunteer
from backend.volunteers.staff.forms import ANY, ApplicationFilterForm
from backend.workspace.forms import LongSelect
from pairing import selectors
from pairing.models import Pairing, Proposal


def volunteer_label(volunteer: Volunteer) -> str:
    return f"{volunteer.name}（{volunteer.village.name}）"


class RunStartForm(forms.Form):
    """Start a run for a programme over the user's region (or a region under it)."""

    programme = forms.TypedChoiceField(label=_("关爱项目"), coerce=int)
    region = forms.ChoiceField(label=_("计算范围"), widget=LongSelect)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.programmes = programme_list_for(user=user).filter(is_active=True).order_by("pk")
        self.fields["programme"].choices = [(p.pk, p.name) for p in self.programmes]
        own = [] if user.is_superuser else [(user.home_region_id, user.home_region.name)]
        self.fields["region"].choices = own + region_filter_choices(user=user)
        self.user = user

    def clean_programme(self):
        return self.programmes.get(pk=self.cleaned_data["programme"])

    def clean_region(self):
        region = user_regions(self.user).filter(code=self.cleaned_data["region"]).first()
        if region is None:
            raise forms.ValidationError(_("请选择本辖区内的区划"))
        return region


class ProposalFilterForm(forms.Form):
    run = forms.TypedChoiceField(label=_("结对计算"), required=False, coerce=int, empty_value=None)
    region = forms.ChoiceField(label=_("村（社区）"), required=False, widget=LongSelect)
    status = forms.ChoiceField(label=_("状态"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        runs = selectors.pairing_run_list(user=user).order_by("-created_at")[:30]
        self.fields["run"].choices = ANY + [
            (r.pk, f"{r.region.name} {timezone.localtime(r.created_at):%m月%d日 %H:%M}") for r in runs
        ]
        self.fields["region"].choices = ANY + region_filter_choices(user=user)
        self.fields["status"].choices = ANY + list(Proposal.Status.choices)

    filters = ApplicationFilterForm.filters


class ApproveForm(forms.Form):
    override_note = forms.CharField(
        label=_("越过检查的说明（仅在超出容量、距离或“不再结对”时需要）"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("驳回理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class ProposalEditForm(forms.Form):
    """Give a proposal another volunteer: those of the user's region in the proposal's programme."""

    volunteer = forms.TypedChoiceField(label=_("改为爱心妈妈"), coerce=int, widget=LongSelect)

    def __init__(self, *args, user, proposal: Proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.volunteers = (
            volunteer_selectors.volunteer_list(user=user, status=Volunteer.Status.ACTIVE)
            .filter(programme_id=proposal.run.programme_id)
            .exclude(pk=proposal.volunteer_id or 0)
            .order_by("village_id", "name")
        )
        self.fields["volunteer"].choices = [("", _("请选择"))] + [(v.pk, volunteer_label(v)) for v in self.volunteers]

    def clean_volunteer(self):
        return self.volunteers.get(pk=self.cleaned_data["volunteer"])


class PairingFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False)
    region = forms.ChoiceField(label=_("村（社区）"), required=False, widget=LongSelect)
    search = forms.CharField(label=_("爱心妈妈、儿童名或小分队"), required=False, max_length=50)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = ANY + list(Pairing.Status.choices)
        self.fields["region"].choices = ANY + region_filter_choices(user=user)

    filters = ApplicationFilterForm.filters


class PairingEndForm(forms.Form):
    reason = forms.ChoiceField(label=_("结束原因"))
    note = forms.CharField(label=_("说明"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    do_not_pair_again = forms.BooleanField(label=_("今后不再自动建议这一对"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", _("请选择"))] + list(Pairing.EndReason.choices)


class PairingNewForm(forms.Form):
    """Pair by hand: a child who still needs a volunteer, one of her region's volunteers or teams."""

    programme = forms.TypedChoiceField(label=_("关爱项目"), coerce=int)
    child = forms.TypedChoiceField(label=_("儿童"), coerce=int, widget=LongSelect)
    volunteer = forms.TypedChoiceField(
        label=_("爱心妈妈"), coerce=int, required=False, empty_value=None, widget=LongSelect
    )
    team = forms.TypedChoiceField(label=_("或关爱小分队"), coerce=int, required=False, empty_value=None)
    override_note = ApproveForm.base_fields["override_note"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.programmes = programme_list_for(user=user).filter(is_active=True).order_by("pk")
        self.children = selectors.children_to_pair_for(user=user).select_related("village")
        self.volunteers = volunteer_selectors.volunteer_annotate_load(
            volunteer_selectors.volunteer_list(user=user, status=Volunteer.Status.ACTIVE)
        ).order_by("village_id", "name")
        self.teams = volunteer_selectors.team_list(user=user)
        self.fields["programme"].choices = [(p.pk, p.name) for p in self.programmes]
        self.fields["child"].choices = [("", _("请选择"))] + [
            (
                c.pk,
                gettext("%(name)s（%(village)s，%(age)s岁）")
                % {"name": c.full_name, "village": c.village.name, "age": c.age_on(today)},
            )
            for c in self.children
        ]
        self.fields["volunteer"].choices = [("", "—")] + [
            (v.pk, f"{volunteer_label(v)} · {v.load}/{v.capacity}") for v in self.volunteers
        ]
        self.fields["team"].choices = [("", "—")] + [(t.pk, t.name) for t in self.teams]

    def clean(self):
        data = super().clean()
        if bool(data.get("volunteer")) == bool(data.get("team")):
            self.add_error("volunteer", _("请选择一位爱心妈妈或一个小分队（二选一）"))
            return data
        data["programme"] = self.programmes.filter(pk=data.get("programme")).first()
        data["child"] = self.children.filter(pk=data.get("child")).first()
        data["volunteer"] = self.volunteers.filter(pk=data["volunteer"]).first() if data.get("volunteer") else None
        data["team"] = self.teams.filter(pk=data["team"]).first() if data.get("team") else None
        return data
