import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    label = "notifications"
    verbose_name = _("消息与提醒")

    def ready(self) -> None:
        # The twilio library logs every request (URL with phone numbers, headers) at INFO:
        # too chatty, and phone numbers do not belong in the logs.
        logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
