from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from backend.ops.apidocs import ApiDocsView, ApiSchemaView
from backend.ops.views import healthz

api_patterns = [
    path("accounts/", include("backend.accounts.api.urls")),
    path("regions/", include("backend.regions.api.urls")),
    path("volunteers/", include("backend.volunteers.api.urls")),
    path("children/", include("backend.children.api.urls")),
    path("audit/", include("backend.audit.api.urls")),
    path("pairing/", include("pairing.api.urls")),
    path("checkins/", include("backend.checkins.api.urls")),
    path("dashboard/", include("backend.dashboard.api.urls")),
    path("notifications/", include("notifications.api.urls")),
    path("records/", include("backend.records.api.urls")),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include(api_patterns)),
    # Public pages for applicants and volunteers (WeUI, mobile first).
    path("apply/", include("backend.volunteers.urls")),
    # Her service record and certificates (志愿服务记录与证明), before the rest of /v/.
    path("v/record/", include("backend.records.urls_volunteer")),
    # Volunteers' own pages: sign in with phone + SMS code, her children, check-ins.
    path("v/", include("backend.checkins.urls")),
    # Her activities and 微心愿 wishes (issue 20).
    path("v/", include("backend.activities.urls_volunteer")),
    # Care activities and family education for guardians: public, phone first (issue 20).
    path("g/", include("backend.activities.urls_public")),
    # Public pages of certificates: verification from the QR code, each issuer's publicity notice.
    path("records/", include("backend.records.urls_public")),
    # The staff workspace (工作台): to-do, children, concerns, applications, pairing, dashboard.
    path("staff/", include("backend.workspace.urls")),
    # Provider callbacks (Twilio status and inbound SMS, WeChat binding).
    path("webhooks/", include("notifications.urls")),
    # For federation staff unless API_DOCS_PUBLIC=1 (the schema shows the API's shape, no data).
    path("api/schema/", ApiSchemaView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
]

# Uploaded files (check-in photos of children) are never served as public /media/ URLs,
# not even in development: they are personal data.
