from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import User
from backend.accounts.selectors import region_code_of, scoped_queryset, user_region_scope

admin.site.site_header = _("爱心妈妈结对关爱平台")
admin.site.site_title = _("爱心妈妈结对关爱平台")
admin.site.index_title = _("管理后台")


class ScopedChoicesMixin:
    """Foreign-key and many-to-many choices of every admin form come from ``scoped_queryset``.

    A form never offers what the user may not see, and a posted id from elsewhere is
    "not one of the choices", the same answer as an id that does not exist. With
    ``programme_settings = True`` the programme choices are only the programmes at or
    below the user's own region (``programme_settings_list``): programme-level settings
    are written by the programme's own federation or one above it.
    """

    programme_settings = False

    def _scoped_choices(self, request, db_field, queryset):
        user = request.user
        if db_field.related_model._meta.label_lower == "programmes.programme":
            from backend.programmes.selectors import programme_list_for, programme_settings_list

            chosen = programme_settings_list(user=user) if self.programme_settings else programme_list_for(user=user)
            return queryset.filter(pk__in=chosen.values("pk"))
        return scoped_queryset(user, db_field.related_model, queryset)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = self._scoped_choices(request, db_field, field.queryset)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = self._scoped_choices(request, db_field, field.queryset)
        return field


class RegionScopedAdmin(ScopedChoicesMixin, admin.ModelAdmin):
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

    # The lookup from a row to the child (or children) it shows, e.g. "child", "pairing__child":
    # every list and page of such rows is audited with the children's ids (a read of children's data).
    audit_children: str | None = None

    def _audit_rows(self, request, pks: list, action: str) -> None:
        if not self.audit_children or not pks:
            return
        from backend.audit.services import audit_children_shown

        lookup = self.audit_children
        rows = (
            self.model._default_manager.filter(pk__in=pks)
            .exclude(**{f"{lookup}__isnull": True})
            .values_list(f"{lookup}__pk", f"{lookup}__village")
        )
        audit_children_shown(
            request=request, action=action, children=rows, detail=f"admin {self.model._meta.label_lower}"
        )

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        cl = getattr(response, "context_data", None) and response.context_data.get("cl")
        if cl is not None:
            self._audit_rows(request, [obj.pk for obj in cl.result_list], "list")
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        original = getattr(response, "context_data", None) and response.context_data.get("original")
        if original is not None and request.method == "GET":
            self._audit_rows(request, [original.pk], "view")
        return response

    def save_model(self, request, obj, form, change):
        # The form's choices are scoped; this holds even for a form that forgot a field.
        self.check_may_write(request, obj)
        super().save_model(request, obj, form, change)

    def check_may_write(self, request, obj) -> None:
        """Refuse (403) a row whose region (``region_field``) is outside the user's."""
        user = request.user
        if user.is_superuser:
            return
        scope = user_region_scope(user)
        code = region_code_of(obj, self.region_field)
        if code is not None and not scope.contains(code):
            raise PermissionDenied


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
