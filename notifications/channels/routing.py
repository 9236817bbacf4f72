"""Which SMS channel carries a message to a number: ``SMS_CHANNEL`` names one, or a rule.

A rule is comma-separated ``key:channel`` pairs, tried in order: ``mainland`` (+86 numbers),
a calling-code prefix such as ``+852``, and ``other`` for everything else, e.g.
``mainland:aliyun,other:twilio``. Mainland carriers accept only approved templates through a
domestic provider; numbers abroad (and Hong Kong, Macao, Taiwan) go the other way.
"""

from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SMS_CHANNELS = ("local", "twilio", "aliyun", "tencent")
# Channels that send many rows in one task: SendBatchSms / multi-number SendSms, and Twilio's
# one request a message on one HTTP session (a task and its claim per batch, not per message).
BATCH_CHANNELS = ("aliyun", "tencent", "twilio")
EXAMPLE = "mainland:aliyun,other:twilio"


@lru_cache(maxsize=8)
def _parse(rule: str) -> tuple[tuple[str, str], ...]:
    entries = []
    for part in rule.split(","):
        key, sep, name = part.strip().partition(":")
        key, name = key.strip(), name.strip()
        if not sep or not key or name not in SMS_CHANNELS:
            raise ImproperlyConfigured(
                f"SMS_CHANNEL={rule!r}: {part.strip()!r} is not key:channel with a channel among {SMS_CHANNELS}"
            )
        if key not in ("mainland", "other") and not (key.startswith("+") and key[1:].isdigit()):
            raise ImproperlyConfigured(
                f"SMS_CHANNEL={rule!r}: {key!r} must be mainland, other or a calling code such as +852"
            )
        entries.append((key, name))
    return tuple(entries)


def sms_route(recipient: str, rule: str | None = None) -> str:
    """Return the name of the channel that carries an SMS to ``recipient`` (E.164)."""
    rule = (settings.SMS_CHANNEL if rule is None else rule).strip()
    if ":" not in rule:
        if rule not in SMS_CHANNELS:
            raise ImproperlyConfigured(f"SMS_CHANNEL={rule!r}: use one of {SMS_CHANNELS} or a rule such as {EXAMPLE}")
        return rule
    for key, name in _parse(rule):
        if key == "other":
            return name
        if key == "mainland" and recipient.startswith("+86"):
            return name
        if key.startswith("+") and recipient.startswith(key):
            return name
    raise ImproperlyConfigured(f"SMS_CHANNEL={rule!r} names no channel for {recipient[:4]}…: add other:<channel>")


def sms_channel_names(rule: str | None = None) -> tuple[str, ...]:
    """Return every channel the SMS_CHANNEL setting may choose."""
    rule = (settings.SMS_CHANNEL if rule is None else rule).strip()
    if ":" not in rule:
        return (rule,)
    return tuple(dict.fromkeys(name for _key, name in _parse(rule)))


def sms_route_sql(rule: str | None = None) -> tuple[str, list[str]]:
    """Return a SQL expression on an outbox row's ``channel`` and ``recipient`` naming the channel ``sms_route`` picks.

    With its parameters; '' for rows that are not SMS (and for numbers the rule names no
    channel for: the single send then fails with the rule's error). The dispatcher and the
    batch tasks select a provider's due rows with it in the database, never row by row.
    """
    rule = (settings.SMS_CHANNEL if rule is None else rule).strip()
    if ":" not in rule:
        return "CASE WHEN channel = 'sms' THEN %s ELSE '' END", [sms_route("", rule)]
    whens, params = [], []
    for key, name in _parse(rule):
        if key == "other":
            whens.append("WHEN channel = 'sms' THEN %s")
            params.append(name)
            break
        whens.append("WHEN channel = 'sms' AND starts_with(recipient, %s) THEN %s")
        params += ["+86" if key == "mainland" else key, name]
    return "CASE " + " ".join(whens) + " ELSE '' END", params


def sms_route_filter_sql(provider: str, rule: str | None = None) -> tuple[str, list[str]]:
    """Return a SQL condition on an outbox row's ``channel`` and ``recipient``: ``sms_route`` picks ``provider``.

    With its parameters. The same rows as ``(sms_route_sql) = provider``, written as plain
    conditions the planner can estimate: compared with a ``CASE`` it guesses that one row in
    two hundred matches, and a batch's claim then reads and sorts every due row instead of
    the first hundred of the partial index of pending rows.
    """
    rule = (settings.SMS_CHANNEL if rule is None else rule).strip()
    if ":" not in rule:
        return ("channel = 'sms'", []) if sms_route("", rule) == provider else ("false", [])
    taken, params, branches = [], [], []  # taken: the prefixes of earlier entries
    for key, name in _parse(rule):
        prefix = None if key == "other" else ("+86" if key == "mainland" else key)
        if name == provider:
            conditions = ["NOT starts_with(recipient, %s)"] * len(taken)
            if prefix is not None:
                conditions.append("starts_with(recipient, %s)")
            branches.append(" AND ".join(conditions) or "true")
            params += [*taken, *([prefix] if prefix is not None else [])]
        if prefix is None:
            break
        taken.append(prefix)
    if not branches:
        return "false", []
    return "channel = 'sms' AND (" + " OR ".join(f"({b})" for b in branches) + ")", params
