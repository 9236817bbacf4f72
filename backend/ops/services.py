import os
import socket

from django.utils import timezone

from backend.ops.models import Heartbeat


def heartbeat_record(*, name: str) -> Heartbeat:
    """Record that a process called ``name`` is alive now."""
    beat, _ = Heartbeat.objects.update_or_create(
        name=name, defaults={"last_seen": timezone.now(), "detail": f"{socket.gethostname()}:{os.getpid()}"}
    )
    return beat
