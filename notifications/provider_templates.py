"""Approved templates at the domestic SMS providers (Aliyun, Tencent Cloud).

Mainland carriers deliver only pre-approved templates under an approved signature (签名):
the platform sends a template code and its variables, never free text. Each registered
``MessageTemplate`` gets, per provider, the approved code and its variables' names, entered
by staff in the admin (**短信服务商模板**) or in the ``SMS_PROVIDER_TEMPLATES`` setting;
no code is written in the source. Variable values are checked against the provider's rules
before anything is sent, so a bad value is a clear permanent error, not a carrier's refusal.
"""

import re
import string
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.utils.translation import gettext as _

from notifications.channels.base import DeliveryError
from notifications.templates import MessageTemplate

# Longest value of one variable when the template's row says nothing: Aliyun's rule for
# ordinary variables is 35 characters; Tencent's 12 for accounts without enterprise verification.
DEFAULT_MAX_LENGTH = {"aliyun": 35, "tencent": 12}
LINK_RE = re.compile(r"(https?://|www\.|\b[\w-]+\.(com|cn|net|org|gov|top|xyz|info)(\b|/))", re.IGNORECASE)
SIGNATURE_PREFIX_RE = re.compile(r"^【[^】]{1,20}】")
# Variables that are links by design (submitted as the link variable type); others may not hold one.
LINK_VARIABLES = {"url", "link"}


@dataclass(frozen=True)
class ApprovedTemplate:
    provider: str
    template: str
    code: str
    variables: tuple[str, ...]
    max_length: int
    allow_links: bool


def template_placeholders(text: str) -> tuple[str, ...]:
    """Return a template text's placeholder names, in the order they first appear."""
    names: list[str] = []
    for _literal, name, _spec, _conversion in string.Formatter().parse(text):
        if name and name not in names:
            names.append(name)
    return tuple(names)


def _names(value) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    return tuple(v.strip() for v in value or () if v.strip())


def approved_template(*, provider: str, template: MessageTemplate | str) -> ApprovedTemplate:
    """Return the approved code and variables of a template at a provider; raise a permanent DeliveryError."""
    from notifications.models import ProviderTemplate
    from notifications.templates import template_get

    name = template if isinstance(template, str) else template.name
    if not name:
        raise DeliveryError(
            _("国内短信只能发送已审核的模板，这条短信没有模板"),
            permanent=True,
            code="no-template",
        )
    try:
        registered = template_get(name) if isinstance(template, str) else template
    except KeyError:
        raise DeliveryError(
            _("未登记的消息模板 %(name)s") % {"name": name}, permanent=True, code="no-template"
        ) from None
    row = (
        ProviderTemplate.objects.filter(provider=provider, template=name, is_active=True)
        .values_list("code", "variables", "max_length", "allow_links")
        .first()
    )
    if row is not None:
        code, variables, max_length, allow_links = row[0], _names(row[1]), row[2], row[3]
    else:
        configured = (settings.SMS_PROVIDER_TEMPLATES.get(provider) or {}).get(name)
        if isinstance(configured, str):
            configured = {"code": configured}
        configured = configured or {}
        code = str(configured.get("code") or "")
        variables = _names(configured.get("variables"))
        max_length = configured.get("max_length")
        allow_links = bool(configured.get("allow_links", False))
    if not code:
        raise DeliveryError(
            _("模板 %(name)s 在%(provider)s没有已审核的模板代码：请在后台“短信服务商模板”中填写")
            % {"name": name, "provider": provider},
            permanent=True,
            code="template-code",
        )
    return ApprovedTemplate(
        provider=provider,
        template=name,
        code=code,
        variables=variables or template_placeholders(registered.text),
        max_length=int(max_length or DEFAULT_MAX_LENGTH.get(provider, 35)),
        allow_links=allow_links,
    )


@lru_cache(maxsize=64)
def _variable_checks(approved: ApprovedTemplate) -> tuple[tuple[str, bool, bool], ...]:
    # Once per template, not per message: (name, check its length, check it for links).
    return tuple(
        (name, name not in LINK_VARIABLES, not (approved.allow_links or name in LINK_VARIABLES))
        for name in approved.variables
    )


def template_values(approved: ApprovedTemplate, params: dict) -> tuple[tuple[str, str], ...]:
    """Return the variables' values in the provider's order, checked against its rules (DeliveryError)."""
    values = []
    max_length = approved.max_length
    for name, check_length, check_links in _variable_checks(approved):
        value = params.get(name)
        problem = None
        # whitespace runs become one space; nothing left (or no value) is a missing variable
        value = "" if value is None else " ".join(str(value).split())
        if not value:
            problem = _("缺少变量")
        elif check_length and len(value) > max_length:
            problem = _("超过%(n)d字") % {"n": max_length}
        elif check_links and LINK_RE.search(value):
            problem = _("含有链接，而模板不允许链接")
        elif "【" in value or "】" in value:
            problem = _("含有签名符号【】")
        if problem:
            raise DeliveryError(
                _("模板 %(template)s 的变量 %(name)s %(problem)s（%(provider)s）")
                % {"template": approved.template, "name": name, "problem": problem, "provider": approved.provider},
                permanent=True,
                code="template-param",
            )
        values.append((name, value))
    return tuple(values)


def approval_text(template: MessageTemplate, provider: str) -> str:
    """Return the text to submit for approval: no signature prefix, variables in the provider's syntax."""
    text = SIGNATURE_PREFIX_RE.sub("", template.text)
    names = template_placeholders(template.text)
    if provider == "tencent":
        return text.format(**{name: f"{{{i + 1}}}" for i, name in enumerate(names)})
    return text.format(**{name: f"${{{name}}}" for name in names})


def messages_checked(provider: str, messages) -> tuple[dict, list]:
    """Check a batch's templates and variables at once: (failures by message id, [(message, approved, values)]).

    Each template's approved code is looked up once per batch, not once per message.
    """
    failures: dict[int, DeliveryError] = {}
    ready = []
    approved: dict[str, ApprovedTemplate | DeliveryError] = {}
    for message in messages:
        if message.template not in approved:
            try:
                approved[message.template] = approved_template(provider=provider, template=message.template)
            except DeliveryError as exc:
                approved[message.template] = exc
        found = approved[message.template]
        try:
            if isinstance(found, DeliveryError):
                raise found
            ready.append((message, found, template_values(found, message.params)))
        except DeliveryError as exc:
            failures[message.message_id] = exc
    return failures, ready
