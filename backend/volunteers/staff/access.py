"""Who may open the workspace's applications, volunteers and pairing pages: federation staff.

Child directors keep children's files and concerns; recruitment and pairing are the
federation's (as in the API and the admin), so these pages answer 403 to them.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied

from backend.workspace.access import staff_page, workspace_is_federation


def region_staff_required(view):
    """Wear ``staff_page`` (sign-in, no-store) and let only federation staff and superusers in."""

    @staff_page
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not workspace_is_federation(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
