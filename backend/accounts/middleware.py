"""Volunteers' sessions: they end at once when she stops being an active volunteer."""

from django.contrib.auth import logout


class VolunteerSessionMiddleware:
    """Sign out a volunteer who is suspended or exited; keep her device's "last seen" (and expiry) fresh.

    Suspending or ending a volunteer also deletes her sessions (``device_sessions_end``);
    this check makes sure no request of hers is served in between.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_volunteer:
            from backend.accounts.services import device_session_touch
            from backend.volunteers.selectors import volunteer_out_of_service

            if volunteer_out_of_service(user=user):
                logout(request)
            else:
                device_session_touch(request=request, user=user)
        return self.get_response(request)
