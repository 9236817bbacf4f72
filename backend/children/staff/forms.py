"""Forms of the children's and concerns' pages; the rules themselves are the services' (child_clean)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from backend.children.models import Child, Concern
from backend.children.staff.selectors import staff_villages
from backend.workspace.forms import FilterForm, LongSelect

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
BLANK = [("", "—")]


class ChildFilterForm(FilterForm, forms.Form):
    q = forms.CharField(label=_("姓名或身份证号"), required=False, max_length=30)
    region = forms.ChoiceField(label=_("村（社区）"), required=False, widget=LongSelect)
    category = forms.ChoiceField(label=_("儿童类别"), required=False, choices=BLANK + Child.Category.choices)
    risk_level = forms.ChoiceField(label=_("风险等级"), required=False, choices=BLANK + Child.RiskLevel.choices)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=BLANK + Child.Status.choices)
    open_concerns = forms.BooleanField(label=_("有未办结关注事项"), required=False)
    unpaired = forms.BooleanField(label=_("未结对"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = BLANK + [(v.code, v.full_name or v.name) for v in staff_villages(user=user)]


class ChildForm(forms.Form):
    """A child's file; on edit an empty ID number keeps the one on file (it is never shown in full)."""

    family_name = forms.CharField(label=_("姓"), max_length=20)
    given_name = forms.CharField(label=_("名"), max_length=30)
    id_number = forms.CharField(label=_("身份证号码"), max_length=18)
    gender = forms.ChoiceField(label=_("性别"), required=False, choices=BLANK + Child.Gender.choices)
    birth_date = forms.DateField(label=_("出生日期"), required=False, widget=DATE, help_text=_("可不填，按身份证号码"))
    village_id = forms.ChoiceField(label=_("村（社区）"), widget=LongSelect)
    address_detail = forms.CharField(label=_("详细住址"), required=False, max_length=200)
    school = forms.CharField(label=_("学校"), required=False, max_length=100)
    grade = forms.CharField(label=_("年级"), required=False, max_length=30)
    category = forms.ChoiceField(label=_("儿童类别"), choices=BLANK + Child.Category.choices)
    difficulty_subtype = forms.ChoiceField(
        label=_("困境类型"), required=False, choices=BLANK + Child.DifficultySubtype.choices
    )
    guardian_name = forms.CharField(label=_("监护人/照护人姓名"), max_length=50)
    guardian_relation = forms.ChoiceField(label=_("与儿童关系"), choices=BLANK + Child.GuardianRelation.choices)
    guardian_phone = forms.CharField(label=_("监护人电话"), required=False, max_length=20)
    parents_work_place = forms.CharField(label=_("父母务工地"), required=False, max_length=100)
    needs = forms.MultipleChoiceField(
        label=_("关爱需求"), required=False, choices=Child.Need.choices, widget=forms.CheckboxSelectMultiple
    )
    needs_note = forms.CharField(label=_("需求说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    risk_level = forms.ChoiceField(label=_("风险等级"), choices=Child.RiskLevel.choices, initial=Child.RiskLevel.LOW)
    volunteers_wanted = forms.IntegerField(label=_("需要爱心妈妈人数"), min_value=1, max_value=10, initial=1)
    consent_given_by = forms.CharField(
        label=_("同意人"), required=False, max_length=50, help_text=_("未满14周岁须填写监护人同意")
    )
    consent_relation = forms.CharField(label=_("同意人与儿童关系"), required=False, max_length=20)
    consent_given_on = forms.DateField(label=_("同意日期"), required=False, widget=DATE)

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village_id"].choices = BLANK + [(v.code, v.full_name or v.name) for v in staff_villages(user=user)]
        if editing:
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _("不修改请留空（档案中的号码不会显示）")

    @staticmethod
    def initial_for(child: Child) -> dict:
        from backend.children.validation import EDITABLE_FIELDS

        initial = {f: getattr(child, f) for f in EDITABLE_FIELDS}
        initial["id_number"] = ""
        return initial

    def values(self) -> dict:
        """The cleaned values as the services take them (an empty ID number on edit: unchanged)."""
        data = dict(self.cleaned_data)
        if not data.get("id_number"):
            data.pop("id_number", None)
        return data


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("查看完整身份证号码的理由"), max_length=200, help_text=_("将记入审计日志"))


class ChildExitForm(forms.Form):
    reason = forms.ChoiceField(label=_("退出原因"), choices=BLANK + Child.ExitReason.choices)
    exited_on = forms.DateField(label=_("退出日期"), required=False, widget=DATE)
    note = forms.CharField(label=_("退出说明"), required=False, max_length=200)


class ConcernFilterForm(FilterForm, forms.Form):
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("未办结")), *Concern.Status.choices, ("all", _("全部"))],
    )
    severity = forms.ChoiceField(label=_("严重程度"), required=False, choices=BLANK + Concern.Severity.choices)


class ConcernRaiseForm(forms.Form):
    severity = forms.ChoiceField(label=_("严重程度"), choices=BLANK + Concern.Severity.choices)
    category = forms.ChoiceField(label=_("类别"), choices=BLANK + Concern.Category.choices)
    description = forms.CharField(label=_("情况描述"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)


class ConcernAcknowledgeForm(forms.Form):
    note = forms.CharField(label=_("受理说明"), required=False, max_length=1000)


class ConcernReferForm(forms.Form):
    referred_to = forms.ChoiceField(label=_("转介至"), choices=BLANK + Concern.ReferTo.choices)
    note = forms.CharField(label=_("转介说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class ConcernFollowUpForm(forms.Form):
    note = forms.CharField(label=_("跟进情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class ConcernCloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("办结结果"), choices=BLANK + Concern.Outcome.choices)
    note = forms.CharField(label=_("办结说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
