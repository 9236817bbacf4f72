"""The interface every delivery channel implements."""

import datetime
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class OutgoingMessage:
    """What a channel needs to send one message."""

    message_id: int
    to: str  # phone number (E.164), openid or robot id, depending on the channel
    text: str
    template: str = ""
    params: dict = field(default_factory=dict)
    # When this attempt started: reconciliation looks for provider records since then.
    attempt_started_at: datetime.datetime | None = None
    # What this attempt is called at the provider (Aliyun OutId, Tencent SessionContext), so
    # reconciliation can tell this attempt's message from others to the same number.
    attempt_tag: str = ""


@dataclass(frozen=True)
class SendResult:
    provider_id: str
    segments: int = 1


class DeliveryError(Exception):
    """A send that failed; ``permanent`` says whether trying again could help."""

    def __init__(self, message: str, *, permanent: bool, code: str = "", opt_out: bool = False, unusable: bool = False):
        super().__init__(message)
        self.permanent = permanent
        self.code = code
        # The provider says the number opted out (Twilio 21610).
        self.opt_out = opt_out
        # The provider says the recipient cannot receive on this channel (WeChat 43101/43004).
        self.unusable = unusable


class DeliveryDeferred(Exception):
    """Not now, try at ``until`` (a throttle window is full); not an attempt that failed."""

    def __init__(self, until: datetime.datetime, reason: str = ""):
        super().__init__(reason or f"deferred until {until.isoformat()}")
        self.until = until
        self.reason = reason


class Channel(Protocol):
    name: str

    def send(self, message: OutgoingMessage) -> SendResult:
        """Send one message or raise DeliveryError."""
        ...


class BatchChannel(Channel, Protocol):
    batch_size: int

    def send_batch(self, messages: list[OutgoingMessage]) -> list["SendResult | DeliveryError | DeliveryDeferred"]:
        """Send several messages (one HTTP session, batch calls where the provider has them); one outcome each.

        DeliveryDeferred: not sent in this batch, back to pending until its time (not an attempt)."""
        ...


class ReconcilingChannel(Channel, Protocol):
    def reconcile(self, message: OutgoingMessage) -> SendResult | None:
        """Return what the provider accepted for this message since its attempt started, or None."""
        ...
