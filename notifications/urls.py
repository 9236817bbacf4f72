from django.urls import path

from notifications import webhooks

app_name = "webhooks"

urlpatterns = [
    path("twilio/status/", webhooks.twilio_status, name="twilio-status"),
    path("twilio/inbound/", webhooks.twilio_inbound, name="twilio-inbound"),
    path("aliyun/sms-report/", webhooks.aliyun_sms_report, name="aliyun-sms-report"),
    path("tencent/sms-status/", webhooks.tencent_sms_status, name="tencent-sms-status"),
    path("wechat/bind/", webhooks.wechat_bind, name="wechat-bind"),
    path("wechat/callback/", webhooks.wechat_callback, name="wechat-callback"),
]
