"""The interface every delivery channel implements."""

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class OutgoingMessage:
    """What a channel needs to send one message."""

    message_id: int
    to: str  # phone number (E.164), openid or robot key, depending on the channel
    text: str
    template: str = ""
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SendResult:
    provider_id: str
    segments: int = 1


class DeliveryError(Exception):
    """A send that failed; ``permanent`` says whether trying again could help."""

    def __init__(self, message: str, *, permanent: bool, code: str = ""):
        super().__init__(message)
        self.permanent = permanent
        self.code = code


class Channel(Protocol):
    name: str

    def send(self, message: OutgoingMessage) -> SendResult:
        """Send one message or raise DeliveryError."""
        ...
