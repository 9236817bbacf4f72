"""Text messages volunteers send us: stop words first, then the registered handlers.

A handler is ``callable(*, from_number: str, body: str) -> str | None``: None means "not
mine", "" means "handled, no reply", any other text is the reply. Later apps (check-ins
by short replies such as "1") add theirs with ``inbound_handler_register`` in their
AppConfig.ready(), or list dotted paths in the NOTIFICATIONS_INBOUND_SMS_HANDLERS setting.
"""

from collections.abc import Callable

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from notifications.models import SmsOptOut
from notifications.services import sms_opt_in, sms_opt_out

# Twilio's own stop and start words, plus the Chinese ones (退订, TD) Twilio does not know.
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE", "退订", "TD"}
START_WORDS = {"START", "YES", "UNSTOP"}
# Twilio answers its English keywords itself; we answer the Chinese ones.
CHINESE_STOP_WORDS = {"退订", "TD"}

InboundHandler = Callable[..., str | None]
_handlers: list[InboundHandler] = []


def inbound_handler_register(handler: InboundHandler) -> InboundHandler:
    """Add a handler for inbound texts that are not stop or start words."""
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def inbound_handlers() -> list[InboundHandler]:
    return [import_string(path) for path in settings.NOTIFICATIONS_INBOUND_SMS_HANDLERS] + list(_handlers)


def _keyword(body: str) -> str:
    return "".join(ch for ch in (body or "").strip().upper() if ch.isalnum())


def inbound_sms_handle(*, from_number: str, body: str, provider_id: str = "") -> str | None:
    """Handle one inbound text; return the reply to send, or None for no reply."""
    keyword = _keyword(body)
    if keyword in STOP_WORDS:
        sms_opt_out(phone=from_number, source=SmsOptOut.Source.KEYWORD, keyword=keyword)
        if keyword in CHINESE_STOP_WORDS:
            return _("【爱心妈妈】您已退订本平台短信。回复START可恢复。")
        return None
    if keyword in START_WORDS:
        if sms_opt_in(phone=from_number, keyword=keyword) is not None:
            return _("【爱心妈妈】您已恢复接收本平台短信。回复TD退订。")
        return None
    for handler in inbound_handlers():
        reply = handler(from_number=from_number, body=body)
        if reply is not None:
            return reply or None
    from notifications.templates import template_get

    return template_get("notifications.inbound_help").render({})
