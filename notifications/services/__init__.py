"""Writes of the delivery app: put messages in the outbox, send them, and keep the outbox healthy.

A message is a row created in the caller's transaction; only after that commits is a
task enqueued (and the dispatcher on beat picks up anything due that was not). A send
task claims its row with a conditional UPDATE, so duplicates and redeliveries are no-ops.
"""

from notifications.services.batch import message_batch_deliver, sms_batch_send, sms_batches_send
from notifications.services.create import (
    ID_NUMBER_RE,
    message_create,
    message_to_user,
    phone_normalise,
    quiet_hours_until,
    sms_send,
    sms_send_template,
    template_render,
    text_guard,
    wecom_digest_send,
)
from notifications.services.dispatch import outbox_dispatch, outbox_recover
from notifications.services.send import message_cancel, message_deliver, message_retry
from notifications.services.subscribers import (
    WECHAT_BIND_SALT,
    delivery_preference_set,
    sms_opt_in,
    sms_opt_out,
    sms_receipt_record,
    twilio_status_record,
    webhook_first_seen,
    wechat_bind_link,
    wechat_bind_user,
    wechat_binding_save,
)

__all__ = [
    "ID_NUMBER_RE",
    "WECHAT_BIND_SALT",
    "delivery_preference_set",
    "message_batch_deliver",
    "message_cancel",
    "message_create",
    "message_deliver",
    "message_retry",
    "message_to_user",
    "outbox_dispatch",
    "outbox_recover",
    "phone_normalise",
    "quiet_hours_until",
    "sms_opt_in",
    "sms_opt_out",
    "sms_receipt_record",
    "sms_send",
    "sms_batch_send",
    "sms_batches_send",
    "sms_send_template",
    "template_render",
    "text_guard",
    "twilio_status_record",
    "webhook_first_seen",
    "wechat_bind_link",
    "wechat_bind_user",
    "wechat_binding_save",
    "wecom_digest_send",
]
