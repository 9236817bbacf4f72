"""The staff sign-in form and what the workspace's forms share."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from backend.workspace.access import workspace_can_use


class StaffLoginForm(AuthenticationForm):
    """Sign in with a user name and password; only workspace users may pass."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码不正确"),
        "inactive": _("此账号已停用"),
        "not_staff": _("此账号不能登录工作台；爱心妈妈请从“我的结对”页面登录"),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not workspace_can_use(user):
            raise ValidationError(self.error_messages["not_staff"], code="not_staff")


def form_add_service_errors(form, exc) -> None:
    """Put a service's errors beside the form's fields (a field the form lacks: at the top)."""
    from django.core.exceptions import ValidationError as DjangoValidationError

    if isinstance(exc, DjangoValidationError) and hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
        return
    field = getattr(exc, "field", None)
    message = getattr(exc, "message", None) or " ".join(getattr(exc, "messages", [str(exc)]))
    form.add_error(field if field in form.fields else None, message)


class FilterForm:
    """Mixin for list filters: an unknown or out-of-region value is dropped, never an error page."""

    def filters(self) -> dict:
        if not self.is_valid():
            return {k: v for k, v in self.cleaned_data.items() if k not in self.errors and v not in (None, "")}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", [])}


class LongSelect(forms.Select):
    """A select whose options are written in Python instead of one template render each.

    Django renders every ``<option>`` through its own template; the 500 villages of a
    county made that most of the children list's time (docs/performance.md). Same HTML
    as ``forms.Select`` (optgroups, attributes, the selected option).
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = []
        for group, options, _index in widget["optgroups"]:
            html = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (("" if o["value"] is None else o["value"], flatatt(o["attrs"]), o["label"]) for o in options),
            )
            parts.append(format_html('<optgroup label="{}">{}</optgroup>', group, html) if group else html)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(widget["attrs"]), mark_safe("".join(parts)))
