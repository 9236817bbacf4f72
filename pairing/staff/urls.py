"""Pairing in the workspace: runs, proposals, pairings."""

from django.urls import path

from pairing.staff import views

app_name = "pairing_staff"

urlpatterns = [
    path("", views.run_list, name="home"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("proposals/", views.proposal_list, name="proposals"),
    path("proposals/export/", views.proposal_export, name="proposals_export"),
    path("proposals/bulk-approve/", views.proposal_bulk_approve, name="proposals_bulk_approve"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/approve/", views.proposal_approve, name="proposal_approve"),
    path("proposals/<int:pk>/reject/", views.proposal_reject, name="proposal_reject"),
    path("proposals/<int:pk>/edit/", views.proposal_edit, name="proposal_edit"),
    path("pairings/", views.pairing_list, name="pairings"),
    path("pairings/export/", views.pairing_export, name="pairings_export"),
    path("pairings/new/", views.pairing_new, name="pairing_new"),
    path("pairings/<int:pk>/", views.pairing_detail, name="pairing"),
    path("pairings/<int:pk>/pause/", views.pairing_pause, name="pairing_pause"),
    path("pairings/<int:pk>/resume/", views.pairing_resume, name="pairing_resume"),
    path("pairings/<int:pk>/end/", views.pairing_end, name="pairing_end"),
]
