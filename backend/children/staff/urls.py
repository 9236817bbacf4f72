"""Children's files (一人一档) in the workspace: list, file, create, edit, reveal, print, export, exit."""

from django.urls import path

from backend.children.staff import views

app_name = "children_staff"

urlpatterns = [
    path("", views.child_list, name="list"),
    path("export.xlsx", views.child_export, name="export"),
    path("new/", views.child_create, name="create"),
    path("<int:pk>/", views.child_file, name="file"),
    path("<int:pk>/edit/", views.child_edit, name="edit"),
    path("<int:pk>/print/", views.child_print, name="print"),
    path("<int:pk>/reveal/", views.child_reveal, name="reveal"),
    path("<int:pk>/exit/", views.child_exit, name="exit"),
    path("<int:pk>/concerns/new/", views.concern_raise, name="concern-raise"),
]
