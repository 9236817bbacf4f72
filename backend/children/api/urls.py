from django.urls import path

from backend.children.api import views

app_name = "children-api"

urlpatterns = [
    path("", views.ChildListCreateApi.as_view(), name="child-list"),
    path("<int:pk>/", views.ChildDetailApi.as_view(), name="child-detail"),
    path("<int:pk>/exit/", views.ChildExitApi.as_view(), name="child-exit"),
    path("<int:pk>/history/", views.ChildHistoryApi.as_view(), name="child-history"),
    path("<int:pk>/reveal-id/", views.ChildRevealIdApi.as_view(), name="child-reveal-id"),
    path("<int:pk>/concerns/", views.ChildConcernsApi.as_view(), name="child-concerns"),
    path("concerns/", views.ConcernListApi.as_view(), name="concern-list"),
    path("concerns/<int:pk>/acknowledge/", views.ConcernAcknowledgeApi.as_view(), name="concern-acknowledge"),
    path("concerns/<int:pk>/close/", views.ConcernCloseApi.as_view(), name="concern-close"),
    path("import/template.xlsx", views.ImportTemplateApi.as_view(), {"fmt": "xlsx"}, name="import-template-xlsx"),
    path("import/template.csv", views.ImportTemplateApi.as_view(), {"fmt": "csv"}, name="import-template-csv"),
    path("imports/", views.ImportJobCreateApi.as_view(), name="import-create"),
    path("imports/<int:pk>/", views.ImportJobDetailApi.as_view(), name="import-detail"),
    path("ledger.xlsx", views.LedgerExportApi.as_view(), name="ledger"),
]
