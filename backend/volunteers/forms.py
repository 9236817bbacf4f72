"""Forms of the public recruitment pages: they coerce types; the services apply the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from backend.regions.models import Region
from backend.volunteers.models import Availability, Declaration, Gender, Skill


class ApplicationForm(forms.Form):
    """The application form (报名表); every field is optional here so all rule errors show at once."""

    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    gender = forms.ChoiceField(label=_("性别"), choices=Gender.choices, required=False, widget=forms.RadioSelect)
    id_number = forms.CharField(label=_("居民身份证号"), max_length=30, required=False)
    phone = forms.CharField(label=_("手机号码"), max_length=20, required=False)
    code = forms.CharField(label=_("短信验证码"), max_length=10, required=False)
    county = forms.CharField(label=_("县（区）"), max_length=12, required=False, widget=forms.Select)
    town = forms.CharField(label=_("乡镇（街道）"), max_length=12, required=False, widget=forms.Select)
    village = forms.CharField(label=_("村（社区）"), max_length=12, required=False, widget=forms.Select)
    workplace = forms.CharField(label=_("工作单位"), max_length=100, required=False)
    caring_unit = forms.TypedChoiceField(label=_("所属爱心单位（如有）"), coerce=int, empty_value=None, required=False)
    occupation = forms.CharField(label=_("职业"), max_length=50, required=False)
    skills = forms.MultipleChoiceField(
        label=_("专业特长"), choices=Skill.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    capacity = forms.TypedChoiceField(
        label=_("可结对儿童数"),
        choices=[(n, str(n)) for n in range(1, 11)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    availability = forms.MultipleChoiceField(
        label=_("可服务时间"),
        choices=Availability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    joins_team = forms.TypedChoiceField(
        label=_("是否愿意加入关爱小分队"),
        choices=[("yes", _("愿意")), ("no", _("暂不"))],
        coerce=lambda v: v == "yes",
        required=False,
        widget=forms.RadioSelect,
    )
    motivation = forms.CharField(label=_("报名动机"), max_length=1000, required=False, widget=forms.Textarea)
    declarations = forms.MultipleChoiceField(
        label=_("声明"), choices=Declaration.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    consent = forms.BooleanField(label=_("我已阅读并同意《隐私政策》"), required=False)
    # Honeypot: hidden from people, filled in by bots.
    website = forms.CharField(required=False)

    def __init__(self, *args, programme, caring_units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        data = self.data
        village = data.get("village") or ""
        county = data.get("county") or (village[:6] if len(village) == 12 else "")
        town = data.get("town") or (village[:9] if len(village) == 12 else "")
        empty = [("", _("请选择"))]
        counties = Region.objects.filter(code__startswith=programme.region_id, level=Region.Level.COUNTY)
        self.fields["county"].widget.choices = empty + [(r.code, r.name) for r in counties]
        towns = Region.objects.filter(parent_id=county) if county else Region.objects.none()
        self.fields["town"].widget.choices = empty + [(r.code, r.name) for r in towns]
        # Only the villages of the chosen town; a town from another county gives none.
        villages = Region.objects.filter(parent_id=town) if town and town.startswith(county) else Region.objects.none()
        self.fields["village"].widget.choices = empty + [(r.code, r.name) for r in villages]
        self.fields["caring_unit"].choices = [("", _("无"))] + [(u.pk, u.name) for u in caring_units]
        self.selected = {"county": county, "town": town, "village": village}


class PhoneForm(forms.Form):
    phone = forms.CharField(label=_("手机号码"), max_length=20, required=False)
    code = forms.CharField(label=_("短信验证码"), max_length=10, required=False)
