"""The workspace's own pages: sign in and out, and the to-do home (待办)."""

from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from backend.workspace.access import staff_page
from backend.workspace.forms import StaffLoginForm
from backend.workspace.selectors import todo_home


@method_decorator(never_cache, name="dispatch")
class StaffLoginView(auth_views.LoginView):
    """Sign in to the workspace (not the admin)."""

    template_name = "workspace/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = False
    next_page = "workspace:home"


class StaffLogoutView(auth_views.LogoutView):
    """Sign out (POST only) and come back to the sign-in page."""

    next_page = "workspace:login"


@staff_page
@require_GET
def home(request):
    """Show what needs the signed-in officer, oldest first."""
    return render(request, "workspace/home.html", {"sections": todo_home(user=request.user)})
