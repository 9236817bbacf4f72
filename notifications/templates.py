"""Message templates: every text the platform sends is one of these.

Each app declares its templates in ``<app>/messages.py`` by calling ``register``; this
module imports those modules once, so a test can render every template and check that
none carries a child's full name, ID number, address or situation.
"""

import importlib
from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class MessageTemplate:
    name: str
    text: str  # str.format() placeholders, e.g. "您的验证码是{code}，10分钟内有效。"
    description: str = ""
    # Example parameters, used by the privacy test and the admin preview.
    example: dict | None = None
    # Urgent texts (sign-in codes) are sent in quiet hours and are not rate limited.
    urgent: bool = False
    # For WeChat template messages: field name -> str.format() text, each cut to 20 characters.
    wechat_fields: tuple[tuple[str, str], ...] = ()
    # Parameters that are secrets (one-time codes): stored encrypted, masked in the body,
    # and cleared once the message is delivered or given up (notifications/services/secrets.py).
    secret_params: tuple[str, ...] = ()

    def render(self, params: dict) -> str:
        return self.text.format(**params)


_REGISTRY: dict[str, MessageTemplate] = {}
_discovered = False


def register(template: MessageTemplate) -> MessageTemplate:
    """Add a template to the registry (called at import time of ``<app>/messages.py``)."""
    existing = _REGISTRY.get(template.name)
    if existing is not None and existing != template:
        raise ValueError(f"two different message templates are called {template.name!r}")
    _REGISTRY[template.name] = template
    return template


def _discover() -> None:
    global _discovered
    if _discovered:
        return
    for config in apps.get_app_configs():
        try:
            importlib.import_module(f"{config.name}.messages")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.messages":
                raise
    _discovered = True


def template_get(name: str) -> MessageTemplate:
    """Return the registered template called ``name``."""
    _discover()
    return _REGISTRY[name]


def template_all() -> list[MessageTemplate]:
    """Return every registered template."""
    _discover()
    return sorted(_REGISTRY.values(), key=lambda t: t.name)
