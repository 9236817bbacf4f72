"""Who may open the workspace's applications, volunteers and pairing pages: federation staff.

Child directors keep children's files and concerns; recruitment and pairing are the
federation's (as in the API and the admin), so their pages answer 403 to them.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.cache import add_never_cache_headers

from backend.children.selectors import is_region_staff


def region_staff_required(view):
    """Let federation staff with a home region (and superusers) in; personal data is never cached."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url="/staff/login/")
        if not is_region_staff(request.user):
            raise PermissionDenied
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return wrapped
