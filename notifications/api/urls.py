from django.urls import path

from notifications.api import views

urlpatterns = [
    path("messages/", views.MessageListApi.as_view(), name="notifications-message-list"),
    path("messages/<int:pk>/retry/", views.MessageRetryApi.as_view(), name="notifications-message-retry"),
    path("messages/<int:pk>/cancel/", views.MessageCancelApi.as_view(), name="notifications-message-cancel"),
]
