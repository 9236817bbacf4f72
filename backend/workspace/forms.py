"""The staff sign-in form."""

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
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
