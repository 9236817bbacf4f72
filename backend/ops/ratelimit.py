"""A small fixed-window rate limiter on the shared cache (Redis in production and tests).

Use it where a public endpoint can be abused (SMS codes, public forms)::

    from backend.ops.ratelimit import rate_limit_hit, RateLimited

    result = rate_limit_hit(scope="sms-code:phone", key=phone, limit=5, window=3600)
    if not result.allowed:
        raise RateLimited(retry_after=result.retry_after)

Each call counts one hit; the count lives in the cache under a key for the current
window, so every process that shares the cache shares the limit. Keys are hashed, so a
phone number or IP never appears in the cache in clear.
"""

import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from rest_framework import status

from backend.ops.errors import ServiceError


@dataclass(frozen=True)
class RateLimitResult:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the window resets


class RateLimited(ServiceError):
    """Too many attempts; the API answers 429 with the seconds to wait."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS

    def __init__(self, message=None, *, retry_after: int = 0, field: str | None = None):
        minutes = max(1, math.ceil(retry_after / 60)) if retry_after else 1
        message = message or _("操作过于频繁，请{minutes}分钟后再试")
        super().__init__(str(message).format(minutes=minutes), field=field, code="rate_limited")
        self.retry_after = retry_after


def _cache_key(scope: str, key: str, window: int, bucket: int) -> str:
    digest = hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()[:32]
    return f"rl:{scope}:{window}:{bucket}:{digest}"


def rate_limit_hit(*, scope: str, key: str, limit: int, window: int) -> RateLimitResult:
    """Count one hit for ``key`` in ``scope`` and say whether it is within ``limit`` per ``window`` seconds."""
    now = time.time()
    bucket = int(now // window)
    cache_key = _cache_key(scope, key, window, bucket)
    retry_after = max(1, int((bucket + 1) * window - now))
    # add() is atomic: only the first hit of a window creates the counter.
    if cache.add(cache_key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add() and incr()
            cache.set(cache_key, 1, timeout=window + 1)
            count = 1
    return RateLimitResult(allowed=count <= limit, count=count, limit=limit, retry_after=retry_after)


def rate_limit_peek(*, scope: str, key: str, limit: int, window: int) -> RateLimitResult:
    """Say whether ``key`` is still within its limit, without counting a hit."""
    now = time.time()
    bucket = int(now // window)
    count = cache.get(_cache_key(scope, key, window, bucket)) or 0
    retry_after = max(1, int((bucket + 1) * window - now))
    return RateLimitResult(allowed=count < limit, count=count, limit=limit, retry_after=retry_after)


def rate_limit_reset(*, scope: str, key: str, window: int) -> None:
    """Forget the hits of ``key`` in the current window (e.g. after a successful sign-in)."""
    bucket = int(time.time() // window)
    cache.delete(_cache_key(scope, key, window, bucket))


def _trusted_proxies(value) -> int | tuple:
    """Parse RATE_LIMIT_TRUSTED_PROXIES: a number of proxy hops, or the proxies' addresses/networks."""
    text = str(value if value is not None else "0").strip()
    if text.isdigit():
        return int(text)
    try:
        return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in text.split(",") if p.strip())
    except ValueError:
        raise ImproperlyConfigured(
            "RATE_LIMIT_TRUSTED_PROXIES must be a number of proxies (0 = none) or their addresses, "
            f"comma-separated (e.g. 10.0.0.0/8): {text!r}"
        ) from None


def _address(text: str):
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_ip(request) -> str:
    """Return the client's address: the one rule for rate limits, the audit log and every sign-in.

    X-Forwarded-For is believed only as far as our own proxies wrote it
    (RATE_LIMIT_TRUSTED_PROXIES). With 0 (the default: nothing in front) it is ignored
    and REMOTE_ADDR is the client. With a number N, the entry N from the right (what
    the outermost of our N proxies saw). With the proxies' addresses or networks, the
    first address from the right that is not one of them, walked only while each hop
    came from a trusted proxy, so a client that reaches the server directly is judged
    by its own address whatever header it sends.
    """
    from django.conf import settings

    trusted = _trusted_proxies(getattr(settings, "RATE_LIMIT_TRUSTED_PROXIES", 0))
    remote = request.META.get("REMOTE_ADDR", "")
    entries = [e.strip() for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if e.strip()]
    if isinstance(trusted, int):
        ip = entries[-trusted] if trusted and len(entries) >= trusted else remote
        return ip or "unknown"
    ip = remote
    for entry in reversed(entries):
        hop = _address(ip)
        if hop is None or not any(hop in net for net in trusted):
            break
        ip = entry
    return ip or "unknown"


def client_address(request) -> str | None:
    """Return ``client_ip`` as a valid IP address, or None (for the audit log and django-axes)."""
    address = _address(client_ip(request))
    return str(address) if address is not None else None
