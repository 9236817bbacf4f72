from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import User
from backend.accounts.selectors import user_region_scope

admin.site.site_header = _("爱心妈妈结对关爱平台")
admin.site.site_title = _("爱心妈妈结对关爱平台")
admin.site.index_title = _("管理后台")


class RegionScopedAdmin(admin.ModelAdmin):
    """Admin whose rows are limited to the signed-in user's region.

    Set ``region_field`` to the lookup of the row's region code (``"village_id"``,
    ``"region_id"``, ``"child__village_id"``). Federation staff and child directors use
    the admin by role, not by Django model permissions; ``staff_can_*`` say what they
    may do here. Superusers may do everything.
    """

    region_field: str = "region_id"
    staff_roles: tuple[str, ...] = (User.Role.STAFF, User.Role.CHILD_DIRECTOR)
    staff_can_add = False
    staff_can_change = False
    staff_can_delete = False

    def _is_scoped_staff(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and user.role in self.staff_roles

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.filter(user_region_scope(request.user).q(self.region_field))

    def has_module_permission(self, request):
        return request.user.is_superuser or self._is_scoped_staff(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or self._is_scoped_staff(request)

    def has_add_permission(self, request):
        return request.user.is_superuser or (self.staff_can_add and self._is_scoped_staff(request))

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser or (self.staff_can_change and self._is_scoped_staff(request))

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser or (self.staff_can_delete and self._is_scoped_staff(request))


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "display_name", "role", "home_region", "phone", "is_active", "last_login")
    list_filter = ("role", "is_active", "is_superuser")
    search_fields = ("username", "display_name", "phone")
    autocomplete_fields = ("home_region",)
    filter_horizontal = ("villages", "groups", "user_permissions")
    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("角色与辖区"), {"fields": ("role", "display_name", "home_region", "villages", "phone")}),
    )
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (
        (_("角色与辖区"), {"fields": ("role", "display_name", "home_region", "phone")}),
    )
