import re

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from backend.accounts.admin import RegionScopedAdmin
from backend.ops.errors import ServiceError
from notifications.models import LocalDelivery, Message, ProviderTemplate, SmsOptOut, WeChatBinding, WeComRobot
from notifications.services import message_cancel, message_retry


@admin.register(Message)
class MessageAdmin(RegionScopedAdmin):
    """The outbox: superusers see every row; federation staff the rows of their region and below."""

    region_field = "region_id"
    staff_roles = ("staff",)
    list_display = (
        "id",
        "channel",
        "recipient",
        "template",
        "status",
        "provider",
        "attempts",
        "segments",
        "last_error",
        "created_at",
        "sent_at",
    )
    list_filter = ("status", "channel", "provider", "template", "urgent", ("created_at", admin.DateFieldListFilter))
    date_hierarchy = "created_at"
    search_fields = ("recipient", "provider_id", "idempotency_key")
    readonly_fields = [f.name for f in Message._meta.fields]
    actions = ["retry_selected", "cancel_selected"]
    list_select_related = ("region",)

    def _apply(self, request, queryset, service, done_text):
        done = 0
        for message in queryset:
            try:
                service(message=message, by=request.user)
                done += 1
            except ServiceError as exc:
                self.message_user(request, f"#{message.pk}: {exc.message}", level=messages.WARNING)
        if done:
            self.message_user(request, done_text % {"n": done})

    @admin.action(description=_("重新发送所选消息"))
    def retry_selected(self, request, queryset):
        self._apply(request, queryset, message_retry, _("已重新排队 %(n)d 条消息"))

    @admin.action(description=_("取消所选消息"))
    def cancel_selected(self, request, queryset):
        self._apply(request, queryset, message_cancel, _("已取消 %(n)d 条消息"))

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LocalDelivery)
class LocalDeliveryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "to", "text")
    search_fields = ("to",)
    readonly_fields = ("message", "to", "text", "created_at")


@admin.register(SmsOptOut)
class SmsOptOutAdmin(admin.ModelAdmin):
    list_display = ("phone", "opted_out", "source", "keyword", "changed_at")
    list_filter = ("opted_out", "source")
    search_fields = ("phone",)


@admin.register(WeChatBinding)
class WeChatBindingAdmin(admin.ModelAdmin):
    list_display = ("user", "usable", "prefer_wechat", "unusable_reason", "bound_at")
    list_filter = ("usable", "prefer_wechat")
    search_fields = ("user__username", "user__display_name")
    readonly_fields = ("openid", "bound_at", "updated_at")


class WeComRobotForm(forms.ModelForm):
    # The key is write-only: the form never shows the stored one.
    key = forms.CharField(
        label=_("机器人密钥"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("留空则保持原密钥"),
    )

    class Meta:
        model = WeComRobot
        fields = ("region", "name", "key", "is_active")

    def clean_key(self):
        key = self.cleaned_data.get("key", "").strip()
        if not key and not self.instance.pk:
            raise forms.ValidationError(_("请填写机器人密钥"))
        return key or self.instance.key


@admin.register(WeComRobot)
class WeComRobotAdmin(RegionScopedAdmin):
    form = WeComRobotForm
    region_field = "region_id"
    staff_roles = ("staff",)
    list_display = ("name", "region", "masked_key", "is_active")
    autocomplete_fields = ("region",)


def _template_choices():
    from notifications.templates import template_all

    return [
        (t.name, f"{t.name}（{t.description or t.name}）") for t in template_all() if not t.name.endswith("_digest")
    ]


class ProviderTemplateForm(forms.ModelForm):
    template = forms.ChoiceField(label=_("平台模板"), choices=_template_choices)

    class Meta:
        model = ProviderTemplate
        fields = ("provider", "template", "code", "variables", "max_length", "allow_links", "is_active")

    def clean_code(self):
        code = self.cleaned_data.get("code", "").strip()
        provider = self.cleaned_data.get("provider") or self.data.get("provider")
        if provider == ProviderTemplate.Provider.ALIYUN and not re.fullmatch(r"SMS_\d{4,}", code):
            raise forms.ValidationError(_("阿里云模板代码形如 SMS_123456789"))
        if provider == ProviderTemplate.Provider.TENCENT and not re.fullmatch(r"\d{4,}", code):
            raise forms.ValidationError(_("腾讯云模板ID是数字，如 1234567"))
        return code

    def clean(self):
        from notifications.provider_templates import template_placeholders
        from notifications.templates import template_get

        cleaned = super().clean()
        name, variables = cleaned.get("template"), cleaned.get("variables", "")
        if name:
            known = set(template_placeholders(template_get(name).text))
            names = [v.strip() for v in variables.split(",") if v.strip()]
            unknown = [v for v in names if v not in known]
            if unknown:
                self.add_error(
                    "variables",
                    _("模板 %(name)s 没有这些变量：%(unknown)s（可用：%(known)s）")
                    % {"name": name, "unknown": "、".join(unknown), "known": "、".join(sorted(known)) or "无"},
                )
        return cleaned


@admin.register(ProviderTemplate)
class ProviderTemplateAdmin(admin.ModelAdmin):
    """Approved template codes per provider: deployment-wide, so superusers only."""

    form = ProviderTemplateForm
    list_display = ("template", "provider", "code", "variables", "allow_links", "is_active", "updated_at")
    list_filter = ("provider", "is_active")
    search_fields = ("template", "code")
    readonly_fields = ("approval_text",)

    @admin.display(description=_("送审文本"))
    def approval_text(self, obj):
        from notifications.provider_templates import approval_text
        from notifications.templates import template_get

        if not obj or not obj.template:
            return "-"
        try:
            return approval_text(template_get(obj.template), obj.provider)
        except KeyError:
            return "-"

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission
