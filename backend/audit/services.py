import ipaddress
import os
from collections.abc import Iterable

from backend.audit.models import AuditEvent
from backend.ops.ratelimit import client_ip


def _client_ip(request) -> str | None:
    """Return the client's address as the platform's own proxy saw it (never a forgeable header entry).

    The same rule as the rate limits (``ops.ratelimit.client_ip``): the first
    X-Forwarded-For entry is whatever the client sent, so the audit log must not trust it.
    """
    ip = client_ip(request)
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return None


def common_region_code(codes: Iterable[str]) -> str:
    """Return the code of the smallest region containing every code given ("" if none)."""
    codes = [c for c in codes if c]
    if not codes:
        return ""
    prefix = os.path.commonprefix(codes)
    for length in (12, 9, 6, 4, 2):
        if len(prefix) >= length:
            return prefix[:length]
    return ""


def audit_record(
    *,
    actor,
    action: str,
    object_type: str,
    object_ids: Iterable,
    region_code: str = "",
    request=None,
    detail: str = "",
) -> AuditEvent:
    """Record that ``actor`` did ``action`` to some records (a view, reveal, export...)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_name=getattr(user, "username", "") or "anonymous",
        action=action,
        object_type=object_type,
        object_ids=[str(i) for i in object_ids],
        region_code=region_code or "",
        ip_address=_client_ip(request) if request is not None else None,
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""),
        path=(request.get_full_path()[:300] if request is not None else ""),
        detail=detail[:300],
    )
