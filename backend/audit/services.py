import os
import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode

from backend.audit.models import AuditEvent
from backend.ops.ratelimit import client_address


def _client_ip(request) -> str | None:
    """Return the client's address by the platform's one rule (``ops.ratelimit.client_ip``), or None."""
    return client_address(request)


# Query parameters whose values are never stored (ID numbers, phones, codes, secrets).
SENSITIVE_PARAMS = frozenset(
    {"id_number", "phone", "mobile", "guardian_phone", "contact_phone", "code", "password", "token", "key"}
)
# An ID number or a mainland mobile number anywhere else in the text (a path, a detail).
_SENSITIVE_TEXT = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|(?:\+?86)?1[3-9][0-9]{9})(?![0-9])")
REDACTED = "[redacted]"


def audit_text_redact(text: str) -> str:
    """Return text with ID numbers and mobile numbers replaced by [redacted]."""
    return _SENSITIVE_TEXT.sub(REDACTED, text or "")


def audit_path(request) -> str:
    """Return the request's path and query for the audit log, without ID numbers or phones."""
    path = audit_text_redact(request.path)
    query = request.META.get("QUERY_STRING", "")
    if query:
        pairs = [
            (k, REDACTED if k.lower() in SENSITIVE_PARAMS and v else audit_text_redact(v))
            for k, v in parse_qsl(query, keep_blank_values=True)
        ]
        path += "?" + urlencode(pairs, safe="[]")
    return path[:300]


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
        path=(audit_path(request) if request is not None else ""),
        detail=audit_text_redact(detail)[:300],
    )


def audit_children_shown(*, request, action: str, children: Iterable[tuple[int, str]], detail: str = "") -> None:
    """Record a read that showed children's data: ``children`` is (child id, village code) pairs."""
    pairs = sorted(set(children))
    if not pairs:
        return
    audit_record(
        actor=request.user,
        action=action,
        object_type="children.child",
        object_ids=[pk for pk, _code in pairs],
        region_code=common_region_code(code for _pk, code in pairs),
        request=request,
        detail=detail,
    )
