from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckinsConfig(AppConfig):
    name = "backend.checkins"
    label = "checkins"
    verbose_name = _("关爱记录与提醒")

    def ready(self) -> None:
        from backend.checkins.services import checkin_sms_reply
        from notifications.inbound import inbound_handler_register

        inbound_handler_register(checkin_sms_reply)
