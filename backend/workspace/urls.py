"""The staff workspace under /staff/: its own pages, then each capability's pages from its own app.

The capability modules keep their own namespaces (``children_staff``, ``concerns_staff``,
``applications_staff``, ``volunteers_staff``, ``pairing_staff``, ``dashboard``), so this
module has no ``app_name`` of its own: the workspace's pages are the ``workspace`` namespace.
"""

from django.urls import include, path
from django.views.generic import RedirectView

from backend.workspace import views

workspace_patterns = (
    [
        path("", views.home, name="home"),
        path("login/", views.StaffLoginView.as_view(), name="login"),
        path("logout/", views.StaffLogoutView.as_view(), name="logout"),
    ],
    "workspace",
)

urlpatterns = [
    path("", include(workspace_patterns)),
    path("children/", include("backend.children.staff.urls")),
    path("concerns/", include("backend.children.staff.urls_concerns")),
    path("applications/", include("backend.volunteers.staff.urls_applications")),
    path("volunteers/", include("backend.volunteers.staff.urls_volunteers")),
    path("pairing/", include("pairing.staff.urls")),
    path("activities/", include("backend.activities.staff.urls")),
    path("records/", include("backend.records.staff.urls")),
    # The coverage dashboard: /staff/dashboard/ and its drill-down /staff/r/<code>/.
    path("", include("backend.dashboard.urls")),
    path(
        "dash/", RedirectView.as_view(pattern_name="dashboard:home", permanent=False, http_method_names=["get", "head"])
    ),
]
