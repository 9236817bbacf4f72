"""One-time codes in the outbox: encrypted at rest, masked in the body, gone once sent.

A row's ``params`` and ``body`` are what an admin reading the outbox sees. For a
template with ``secret_params`` (the phone codes), the stored body shows ``******`` and
the real values sit encrypted (the field encryption of ID numbers) under ``_sealed``;
the send task opens them just before handing the text to the channel, and the row
forgets them when its delivery ends (sent, failed or cancelled).
"""

from backend.privacy.crypto import decrypt_text, encrypt_text
from notifications.templates import template_get

SEALED = "_sealed"
MASK = "******"


def _secret_names(template: str) -> tuple[str, ...]:
    if not template:
        return ()
    try:
        return template_get(template).secret_params
    except KeyError:
        return ()


def message_secrets_seal(*, template: str, params: dict, text: str) -> tuple[dict, str]:
    """Return (params, body) to store: secret values encrypted, the body rendered with them masked."""
    names = [n for n in _secret_names(template) if n in params]
    if not names:
        return params, text
    stored = {**params, **{n: MASK for n in names}}
    stored[SEALED] = {n: encrypt_text(str(params[n])) for n in names}
    return stored, template_get(template).render({k: v for k, v in stored.items() if k != SEALED})


def message_secrets_open(message) -> tuple[dict, str]:
    """Return (params, text) to send: the sealed values decrypted and the text rendered with them."""
    sealed = (message.params or {}).get(SEALED)
    if not sealed:
        return {k: v for k, v in (message.params or {}).items() if k != SEALED}, message.body
    params = {k: v for k, v in message.params.items() if k != SEALED}
    params.update({n: decrypt_text(token) for n, token in sealed.items()})
    return params, template_get(message.template).render(params)


def message_secrets_cleared(params: dict) -> dict:
    """Return params without the sealed values (called when a delivery ends)."""
    return {k: v for k, v in (params or {}).items() if k != SEALED}
