"""The workspace's forms of the service record: 补录, decisions, trainings, evaluations, nominations, certificates."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.records.models import Evaluation
from backend.regions.models import Region

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class SupplementForm(forms.Form):
    served_on = forms.DateField(label=_("服务日期"), widget=DATE)
    starts_at = forms.TimeField(label=_("开始时间"), widget=TIME)
    ends_at = forms.TimeField(label=_("结束时间"), widget=TIME)
    minutes = forms.IntegerField(
        label=_("实际服务时长（分钟）"), min_value=1, max_value=24 * 60, help_text=_("只计实际服务时间，不含路程")
    )
    content = forms.CharField(label=_("服务内容"), max_length=200)
    reason = forms.CharField(label=_("补录理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("审核结果"), choices=[("1", _("通过")), ("0", _("不通过"))], coerce=lambda v: v == "1"
    )
    minutes = forms.IntegerField(label=_("核定时长（分钟）"), required=False, min_value=1, max_value=24 * 60)
    note = forms.CharField(label=_("审核说明"), max_length=300, required=False)


class TrainingForm(forms.Form):
    topic = forms.CharField(label=_("培训主题"), max_length=100)
    held_on = forms.DateField(label=_("培训日期"), widget=DATE)
    hours = forms.DecimalField(label=_("培训学时"), min_value=0.5, max_value=99, decimal_places=1)
    organiser = forms.CharField(label=_("组织单位"), max_length=100)


class EvaluationForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int)
    grade = forms.ChoiceField(label=_("评价等次"), choices=Evaluation.Grade.choices)
    comment = forms.CharField(label=_("评语"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this = timezone.localdate().year
        self.fields["year"].choices = [(y, f"{y}年") for y in range(this, this - 5, -1)]


class NominationForm(forms.Form):
    title = forms.CharField(label=_("荣誉名称"), max_length=100, initial=_("优秀爱心妈妈"))
    year = forms.TypedChoiceField(label=_("年度"), coerce=int)
    awarding_region = forms.ChoiceField(label=_("授予单位"))
    statement = forms.CharField(label=_("推荐理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, volunteer, **kwargs):
        super().__init__(*args, **kwargs)
        this = timezone.localdate().year
        self.fields["year"].choices = [(y, f"{y}年") for y in range(this, this - 3, -1)]
        own = user.home_region_id if not user.is_superuser else volunteer.village_id[:9]
        codes = [own[:n] for n in (4, 6, 9) if n <= len(own)]
        self.fields["awarding_region"].choices = [
            (r.code, _("%(name)s妇联") % {"name": r.name})
            for r in Region.objects.filter(code__in=codes).order_by("code")
        ]

    def region(self) -> Region | None:
        return Region.objects.filter(code=self.cleaned_data["awarding_region"]).first()


class PeriodForm(forms.Form):
    period_start = forms.DateField(label=_("服务起始日期"), widget=DATE)
    period_end = forms.DateField(label=_("服务截止日期"), widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["period_start"].initial = today.replace(month=1, day=1) - datetime.timedelta(days=365)
        self.fields["period_end"].initial = today


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("撤销理由"), max_length=300)


class ExportForm(forms.Form):
    start = forms.DateField(label=_("起始日期"), required=False, widget=DATE)
    end = forms.DateField(label=_("截止日期"), required=False, widget=DATE)


class IssuerForm(forms.Form):
    """Her federation's issuing details, printed in the certificate's issuer block."""

    name = forms.CharField(label=_("出具单位"), max_length=100)
    responsible_person = forms.CharField(label=_("负责人"), max_length=50, required=False)
    handler = forms.CharField(label=_("经办人"), max_length=50, required=False)
    contact = forms.CharField(label=_("联系方式"), max_length=50, required=False)
    seal = forms.FileField(
        label=_("印章图片"), required=False, help_text=_("PNG或JPG，不超过5MB；不上传则证明上留盖章处")
    )
    remove_seal = forms.BooleanField(label=_("删除现有印章图片"), required=False)
