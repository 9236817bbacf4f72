"""Forms of the workspace's applications and volunteers pages; every choice comes from a scoping selector."""

from django import forms
from django.utils.translation import gettext_lazy as _

from backend.regions.selectors import region_filter_choices
from backend.volunteers import selectors
from backend.volunteers.messages import STAFF_MESSAGES
from backend.volunteers.models import Application, Decision, Volunteer
from backend.workspace.forms import LongSelect

ANY = [("", _("全部"))]


def _label(choice_label) -> str:
    return str(choice_label)  # in the active language (locale/en for English)


def chinese_choices(choices) -> list[tuple[str, str]]:
    """Return model choices with each label in the active language."""
    return [(value, _label(label)) for value, label in choices]


class ApplicationFilterForm(forms.Form):
    """The application list's filters, kept in the query string."""

    status = forms.ChoiceField(label=_("状态"), required=False)
    region = forms.ChoiceField(label=_("村（社区）"), required=False, widget=LongSelect)
    caring_unit = forms.TypedChoiceField(label=_("爱心单位"), required=False, coerce=int, empty_value=None)
    submitted_from = forms.DateField(
        label=_("提交日期从"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    submitted_to = forms.DateField(label=_("至"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    search = forms.CharField(label=_("姓名或报名编号"), required=False, max_length=50)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = ANY + chinese_choices(Application.Status.choices)
        self.fields["region"].choices = ANY + region_filter_choices(user=user)
        self.fields["caring_unit"].choices = ANY + [
            (u.pk, u.name) for u in selectors.caring_unit_list(user=user).order_by("name")
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("submitted_from"), data.get("submitted_to")
        if start and end and start > end:
            self.add_error("submitted_to", _("结束日期不能早于开始日期"))
        return data

    def filters(self) -> dict:
        """Return the selector's keyword arguments (only valid, non-empty filters)."""
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class DecisionForm(forms.Form):
    """The review page: the checklist's ticks and one decision."""

    action = forms.ChoiceField(label=_("审核决定"), required=False, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("理由或给申请人的说明（不通过、要求补充时必填，以短信发送）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    team = forms.TypedChoiceField(label=_("加入关爱小分队（可选）"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, user, application: Application, checklist: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.checklist = checklist
        self.fields["action"].choices = chinese_choices(
            [(v, lbl) for v, lbl in Decision.Action.choices if v != Decision.Action.WITHDRAW]
        )
        self.teams = selectors.team_list(user=user).filter(programme_id=application.programme_id)
        self.fields["team"].choices = [("", _("不加入"))] + [(t.pk, t.name) for t in self.teams]
        for row in checklist:
            self.fields[f"check_{row['code']}"] = forms.BooleanField(
                label=_label(row["label"]), required=False, initial=row["done"]
            )

    def checks(self) -> dict[str, bool]:
        """Return the checklist items whose tick changed."""
        return {
            row["code"]: self.cleaned_data[f"check_{row['code']}"]
            for row in self.checklist
            if self.cleaned_data[f"check_{row['code']}"] != row["done"]
        }

    def check_fields(self):
        return [(self[f"check_{row['code']}"], row) for row in self.checklist]

    def team_object(self):
        pk = self.cleaned_data.get("team")
        return self.teams.filter(pk=pk).first() if pk else None


class SelectionForm(forms.Form):
    """Rows ticked on a list for a bulk action; ``confirmed`` once the confirm page was seen."""

    ids = forms.TypedMultipleChoiceField(coerce=int, required=False)
    confirmed = forms.BooleanField(required=False)

    def __init__(self, *args, allowed_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(pk, pk) for pk in allowed_ids]

    def clean_ids(self):
        ids = self.cleaned_data["ids"]
        if not ids:
            raise forms.ValidationError(_("请至少勾选一行"))
        return ids


class VolunteerFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False)
    region = forms.ChoiceField(label=_("村（社区）"), required=False, widget=LongSelect)
    caring_unit = forms.TypedChoiceField(label=_("爱心单位"), required=False, coerce=int, empty_value=None)
    team = forms.TypedChoiceField(label=_("关爱小分队"), required=False, coerce=int, empty_value=None)
    search = forms.CharField(label=_("姓名"), required=False, max_length=50)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = ANY + chinese_choices(Volunteer.Status.choices)
        self.fields["region"].choices = ANY + region_filter_choices(user=user)
        self.fields["caring_unit"].choices = ANY + [
            (u.pk, u.name) for u in selectors.caring_unit_list(user=user).order_by("name")
        ]
        self.fields["team"].choices = ANY + [(t.pk, t.name) for t in selectors.team_list(user=user)]

    filters = ApplicationFilterForm.filters


class VolunteerStatusForm(forms.Form):
    """Suspend, end (exit) or reinstate a volunteer."""

    status = forms.ChoiceField(label=_("新状态"))
    reason = forms.ChoiceField(label=_("原因"), required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, volunteer: Volunteer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (v, lbl) for v, lbl in chinese_choices(Volunteer.Status.choices) if v != volunteer.status
        ]
        self.fields["reason"].choices = [("", _("请选择"))] + chinese_choices(Volunteer.ExitReason.choices)

    def clean(self):
        data = super().clean()
        if data.get("status") and data["status"] != Volunteer.Status.ACTIVE and not data.get("reason"):
            self.add_error("reason", _("暂停或退出须选择原因"))
        return data


class VolunteerMessageForm(forms.Form):
    template = forms.ChoiceField(label=_("消息"), widget=forms.RadioSelect)

    def __init__(self, *args, volunteer: Volunteer, user, **kwargs):
        from backend.volunteers.services import office_name

        super().__init__(*args, **kwargs)
        office = office_name(user)
        self.fields["template"].choices = [
            (name, f"{t.description}：{t.render({'name': volunteer.name, 'office': office})}")
            for name, t in STAFF_MESSAGES.items()
        ]
