"""Forms of the activities' workspace pages; the rules are the services'."""

from __future__ import annotations

import recurrence
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.selectors import scoped_queryset, user_region_scope
from backend.activities.models import Activity, Article, Audience, Wish
from backend.regions.models import Region

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
BLANK = [("", "—")]


def organiser_regions(user):
    """Regions she may organise for: her own and those under it down to towns (a director: her villages)."""
    scope = user_region_scope(user)
    qs = Region.objects.filter(scope.q("code"))
    if user.is_child_director:
        return qs.order_by("code")
    return qs.filter(level__lte=Region.Level.TOWN).order_by("code")


class ActivityForm(forms.Form):
    region = forms.ChoiceField(label=_("组织区划"))
    kind = forms.ChoiceField(label=_("活动类型"), choices=Activity.Kind.choices)
    title = forms.CharField(label=_("活动名称"), max_length=100)
    place = forms.CharField(label=_("地点"), max_length=200)
    description = forms.CharField(label=_("活动介绍"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DATETIME, help_text=_("系列讲座填第一场的结束时间"))
    repeat_weeks = forms.IntegerField(
        label=_("每周重复（场数）"),
        required=False,
        min_value=1,
        max_value=52,
        help_text=_("系列讲座：共几场，每周同一时间；单次活动不填"),
    )
    capacity_children = forms.IntegerField(label=_("儿童名额"), min_value=0, max_value=5000, initial=0)
    capacity_guardians = forms.IntegerField(label=_("监护人名额"), min_value=0, max_value=5000, initial=0)
    capacity_volunteers = forms.IntegerField(label=_("爱心妈妈名额"), min_value=0, max_value=5000, initial=0)
    signup_opens_at = forms.DateTimeField(label=_("报名开始"), widget=DATETIME)
    signup_closes_at = forms.DateTimeField(label=_("报名截止"), widget=DATETIME)
    offer_hours = forms.IntegerField(label=_("递补名额保留小时数"), min_value=1, max_value=168, initial=24)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, r.full_name or r.name) for r in organiser_regions(user)]

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        weeks = data.pop("repeat_weeks", None)
        data["recurrence"] = (
            recurrence.Recurrence(rrules=[recurrence.Rule(recurrence.WEEKLY, count=weeks)])
            if weeks and weeks > 1
            else None
        )
        data.pop("region")
        return data


class StaffSignupForm(forms.Form):
    """Staff sign someone up: a child of the region (with consent for camps), a volunteer, a guardian."""

    audience = forms.ChoiceField(label=_("报名对象"), choices=Audience.choices)
    child = forms.ChoiceField(label=_("儿童"), required=False)
    volunteer = forms.ChoiceField(label=_("爱心妈妈"), required=False)
    person_name = forms.CharField(label=_("监护人姓名"), required=False, max_length=50)
    phone = forms.CharField(label=_("监护人手机号"), required=False, max_length=20)
    consent_by = forms.CharField(label=_("同意的监护人"), required=False, max_length=50, help_text=_("营地活动必填"))
    consent_relation = forms.CharField(label=_("与儿童关系"), required=False, max_length=20)

    def __init__(self, *args, user, activity: Activity, **kwargs):
        super().__init__(*args, **kwargs)
        from backend.children.models import Child
        from backend.volunteers.models import Volunteer

        self.children = (
            scoped_queryset(user, Child)
            .filter(village__pk__startswith=activity.region_id, status=Child.Status.ACTIVE)
            .order_by("village_id", "given_name", "id")[:500]
        )
        self.volunteers = (
            scoped_queryset(user, Volunteer)
            .filter(village__pk__startswith=activity.region_id, status=Volunteer.Status.ACTIVE)
            .order_by("name", "id")[:500]
        )
        today = timezone.localdate()
        self.fields["audience"].choices = [(a, Audience(a).label) for a in activity.audiences]
        self.fields["child"].choices = BLANK + [(c.pk, f"{c.full_name}（{c.age_on(today)}岁）") for c in self.children]
        self.fields["volunteer"].choices = BLANK + [(v.pk, v.name) for v in self.volunteers]

    def chosen(self, name):
        value = self.cleaned_data.get(name)
        rows = self.children if name == "child" else self.volunteers
        return next((r for r in rows if str(r.pk) == str(value)), None) if value else None


class ScanForm(forms.Form):
    token = forms.CharField(
        label=_("报名确认码"), max_length=200, help_text=_("扫描报名确认页上的二维码，或粘贴其中的文字")
    )


class WishForm(forms.Form):
    child = forms.ChoiceField(label=_("儿童"))
    item = forms.CharField(label=_("心愿"), max_length=100, help_text=_("如：一套课外书、一双运动鞋"))
    estimated_value = forms.DecimalField(label=_("估计价值（元）"), min_value=0, max_digits=8, decimal_places=2)
    publish = forms.BooleanField(label=_("登记后立即发布"), required=False, initial=True)

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.children = list(children)
        self.fields["child"].choices = BLANK + [(c.pk, c.full_name) for c in self.children]

    def child_obj(self):
        return next((c for c in self.children if str(c.pk) == self.cleaned_data.get("child")), None)


class WishClaimForm(forms.Form):
    volunteer = forms.ChoiceField(label=_("认领的爱心妈妈"), required=False)
    unit = forms.ChoiceField(label=_("或认领的爱心单位"), required=False)

    def __init__(self, *args, volunteers, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.volunteers, self.units = list(volunteers), list(units)
        self.fields["volunteer"].choices = BLANK + [(v.pk, v.name) for v in self.volunteers]
        self.fields["unit"].choices = BLANK + [(u.pk, u.name) for u in self.units]

    def values(self) -> dict:
        pick = lambda rows, key: next((r for r in rows if str(r.pk) == self.cleaned_data.get(key)), None)  # noqa: E731
        return {"volunteer": pick(self.volunteers, "volunteer"), "unit": pick(self.units, "unit")}


class WishFulfilForm(forms.Form):
    fulfilled_on = forms.DateField(label=_("实现日期"), widget=DATE)
    photo = forms.FileField(label=_("照片（可选）"), required=False, help_text=_("JPG、PNG或WebP，不超过5MB"))


class WishThankForm(forms.Form):
    note = forms.CharField(label=_("致谢的话"), required=False, max_length=200)


class WishFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部"))] + Wish.Status.choices)


class ConsultationForm(forms.Form):
    held_on = forms.DateField(label=_("咨询日期"), widget=DATE)
    topic = forms.CharField(label=_("咨询主题"), max_length=100, help_text=_("如：隔代教养、亲子沟通、学习习惯"))
    advice = forms.CharField(label=_("给出的建议"), widget=forms.Textarea(attrs={"rows": 4}))
    follow_up_on = forms.DateField(label=_("跟进日期"), required=False, widget=DATE)


class ArticleForm(forms.Form):
    region = forms.ChoiceField(label=_("发布区划"))
    title = forms.CharField(label=_("标题"), max_length=100)
    audience = forms.ChoiceField(label=_("读者"), choices=Article.ArticleAudience.choices)
    body = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, r.full_name or r.name) for r in organiser_regions(user)]
