from django.urls import path

from pairing.api import views

app_name = "pairing-api"

urlpatterns = [
    path("runs/", views.RunListCreateApi.as_view(), name="run-list"),
    path("runs/<int:pk>/", views.RunDetailApi.as_view(), name="run-detail"),
    path("proposals/", views.ProposalListApi.as_view(), name="proposal-list"),
    path("unmatched/", views.UnmatchedListApi.as_view(), name="unmatched-list"),
    path("proposals/approve/", views.ProposalBulkApproveApi.as_view(), name="proposal-bulk-approve"),
    path("proposals/<int:pk>/approve/", views.ProposalApproveApi.as_view(), name="proposal-approve"),
    path("proposals/<int:pk>/reject/", views.ProposalRejectApi.as_view(), name="proposal-reject"),
    path("proposals/<int:pk>/edit/", views.ProposalEditApi.as_view(), name="proposal-edit"),
    path("pairings/", views.PairingListCreateApi.as_view(), name="pairing-list"),
    path("pairings/<int:pk>/", views.PairingDetailApi.as_view(), name="pairing-detail"),
    path("pairings/<int:pk>/pause/", views.PairingActionApi.as_view(action="pause"), name="pairing-pause"),
    path("pairings/<int:pk>/resume/", views.PairingActionApi.as_view(action="resume"), name="pairing-resume"),
    path("pairings/<int:pk>/end/", views.PairingActionApi.as_view(action="end"), name="pairing-end"),
]
