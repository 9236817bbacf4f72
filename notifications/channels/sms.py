"""SMS through Twilio, with the real ``twilio`` library.

The client's HTTP layer is a ``TwilioHttpClient`` that rewrites https://api.twilio.com to
``TWILIO_API_BASE_URL``, so tests and demos can point it at Prism (Twilio's own OpenAPI
spec) or a local fake; in production the setting is left at Twilio's address.
"""

import datetime
import logging
import time
from functools import lru_cache

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from notifications.channels.base import DeliveryDeferred, DeliveryError, OutgoingMessage, SendResult
from notifications.channels.segments import sms_segments

logger = logging.getLogger(__name__)

TWILIO_ORIGIN = "https://api.twilio.com"
# Twilio error codes that mean "this number must not get SMS from us": 21610 = replied STOP.
OPT_OUT_CODES = {21610}
# Codes worth retrying: 20429 = too many requests; 30001/30008 queue overflow / unknown error.
TRANSIENT_CODES = {20429, 20500, 20503, 30001, 30008}


class RebasedTwilioHttpClient(TwilioHttpClient):
    """A TwilioHttpClient that sends to ``base_url`` instead of https://api.twilio.com."""

    def __init__(self, *, base_url: str, timeout: float):
        super().__init__(timeout=timeout)
        self.base_url = base_url.rstrip("/")

    def request(self, method, url, params=None, data=None, headers=None, auth=None, timeout=None, **kwargs):
        if url.startswith(TWILIO_ORIGIN) and self.base_url != TWILIO_ORIGIN:
            url = self.base_url + url[len(TWILIO_ORIGIN) :]
        return super().request(
            method, url, params=params, data=data, headers=headers, auth=auth, timeout=timeout, **kwargs
        )


@lru_cache(maxsize=4)
def _client(account_sid: str, auth_token: str, base_url: str, timeout: float) -> Client:
    # One client (and its connection pool) per worker process.
    return Client(account_sid, auth_token, http_client=RebasedTwilioHttpClient(base_url=base_url, timeout=timeout))


def twilio_client() -> Client:
    """Return the Twilio client configured by the TWILIO_* settings."""
    if not settings.TWILIO_ACCOUNT_SID or not settings.TWILIO_AUTH_TOKEN:
        raise ImproperlyConfigured("SMS_CHANNEL=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
    return _client(
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        settings.TWILIO_API_BASE_URL,
        float(settings.TWILIO_TIMEOUT_SECONDS),
    )


def status_callback_url() -> str:
    return f"{settings.PUBLIC_BASE_URL}/webhooks/twilio/status/"


class TwilioSmsChannel:
    """Send text messages with Twilio's Messages API (a Messaging Service or a from-number)."""

    name = "twilio"
    batch_size = 100

    def send_batch(self, messages: list[OutgoingMessage]) -> list[SendResult | DeliveryError | DeliveryDeferred]:
        """Send a batch one message a request (Twilio has no batch call) on the client's one HTTP session.

        A batch sends for at most a tenth of ``OUTBOX_SENDING_STUCK_SECONDS`` or of the task's
        soft time limit, whichever is less (then one more request's timeout at worst): the
        messages it did not reach are deferred to now, not an attempt, and the next batch takes
        them. So a slow Twilio never keeps claimed rows in sending until recovery would take
        them for stuck, and a task's few batches in a row end well before its time limit, which
        would cut a batch off with its accepted messages unwritten.
        """
        budget = min(settings.OUTBOX_SENDING_STUCK_SECONDS, settings.CELERY_TASK_SOFT_TIME_LIMIT) / 10
        deadline = time.monotonic() + budget
        outcomes: list[SendResult | DeliveryError | DeliveryDeferred] = []
        for message in messages:
            if time.monotonic() > deadline:
                outcomes.append(DeliveryDeferred(timezone.now(), reason=_("本批发送时间已到，由下一批发送")))
                continue
            try:
                outcomes.append(self.send(message))
            except DeliveryError as exc:
                outcomes.append(exc)
        return outcomes

    def send(self, message: OutgoingMessage) -> SendResult:
        sender: dict = {}
        if settings.TWILIO_MESSAGING_SERVICE_SID:
            sender["messaging_service_sid"] = settings.TWILIO_MESSAGING_SERVICE_SID
        elif settings.TWILIO_FROM_NUMBER:
            sender["from_"] = settings.TWILIO_FROM_NUMBER
        else:
            raise ImproperlyConfigured("SMS_CHANNEL=twilio needs TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER")
        try:
            created = twilio_client().messages.create(
                to=message.to, body=message.text, status_callback=status_callback_url(), **sender
            )
        except TwilioRestException as exc:
            raise _delivery_error(exc) from exc
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise DeliveryError(f"Twilio 无响应：{type(exc).__name__}", permanent=False) from exc
        except TwilioException as exc:
            raise DeliveryError(f"Twilio: {exc}", permanent=False) from exc
        segments = _int_or_none(created.num_segments) or sms_segments(message.text)
        return SendResult(provider_id=created.sid or "", segments=segments)

    def reconcile(self, message: OutgoingMessage) -> SendResult | None:
        """Look for this text in Twilio's list of messages to the number since the attempt started."""
        since = message.attempt_started_at or datetime.datetime.now(datetime.UTC)
        # Twilio filters DateSent by whole days (GMT); compare creation times ourselves.
        try:
            found = twilio_client().messages.list(to=message.to, date_sent_after=since, limit=50)
        except (TwilioException, requests.RequestException) as exc:
            raise DeliveryError(f"Twilio 对账失败：{exc}", permanent=False) from exc
        threshold = since - datetime.timedelta(minutes=2)
        for item in found:
            created = item.date_created or item.date_sent
            # A trial account prefixes the body, so compare the end.
            same_text = bool(item.body) and (item.body == message.text or item.body.endswith(message.text))
            if same_text and (created is None or created >= threshold):
                return SendResult(
                    provider_id=item.sid or "", segments=_int_or_none(item.num_segments) or sms_segments(message.text)
                )
        return None


def _int_or_none(value) -> int | None:
    try:
        return int(value) or None
    except (TypeError, ValueError):
        return None


def _delivery_error(exc: TwilioRestException) -> DeliveryError:
    code = exc.code or 0
    text = f"Twilio {exc.status} / {code}: {exc.msg}"[:400]
    if code in OPT_OUT_CODES:
        return DeliveryError(text, permanent=True, code=str(code), opt_out=True)
    transient = exc.status in (408, 429) or exc.status >= 500 or code in TRANSIENT_CODES
    return DeliveryError(text, permanent=not transient, code=str(code or exc.status))
