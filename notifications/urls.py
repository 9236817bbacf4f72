from django.urls import path

from notifications import webhooks

app_name = "webhooks"

urlpatterns = [
    path("twilio/status/", webhooks.twilio_status, name="twilio-status"),
    path("twilio/inbound/", webhooks.twilio_inbound, name="twilio-inbound"),
    path("wechat/bind/", webhooks.wechat_bind, name="wechat-bind"),
    path("wechat/callback/", webhooks.wechat_callback, name="wechat-callback"),
]
