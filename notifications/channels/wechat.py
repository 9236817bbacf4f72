"""WeChat official account template messages to volunteers who bound their WeChat.

The access token comes from the ``stable_token`` API and is kept in the shared cache
(Redis), so every worker uses the same one; one worker refreshes it under a lock.
"""

import logging
import time

import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from notifications.channels.base import DeliveryError, OutgoingMessage, SendResult

logger = logging.getLogger(__name__)

TOKEN_KEY = "notifications:wechat:access_token"
LOCK_KEY = "notifications:wechat:token_lock"
# Errors that mean "the token we used is no longer valid": refresh and retry once.
TOKEN_INVALID = {40001, 40014, 42001}
# The user refused subscription messages (43101) or does not follow the account (43004).
BINDING_UNUSABLE = {43101, 43004}
TRANSIENT = {-1, 45009, 45011}
FIELD_LIMIT = 20


def field_cut(value: str, limit: int = FIELD_LIMIT) -> str:
    """Keep a template field within WeChat's limit, marking the cut with an ellipsis."""
    value = " ".join(str(value).split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _api(path: str) -> str:
    return settings.WECHAT_API_BASE_URL.rstrip("/") + path


def _timeout() -> float:
    return float(settings.WECHAT_TIMEOUT_SECONDS)


def _fetch_token(*, force_refresh: bool) -> str:
    if not settings.WECHAT_APP_ID or not settings.WECHAT_APP_SECRET:
        raise ImproperlyConfigured("WeChat delivery needs WECHAT_APP_ID and WECHAT_APP_SECRET")
    try:
        response = requests.post(
            _api("/cgi-bin/stable_token"),
            json={
                "grant_type": "client_credential",
                "appid": settings.WECHAT_APP_ID,
                "secret": settings.WECHAT_APP_SECRET,
                "force_refresh": force_refresh,
            },
            timeout=_timeout(),
        )
        payload = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise DeliveryError(f"微信接口无响应：{type(exc).__name__}", permanent=False) from exc
    token = payload.get("access_token")
    if not token:
        code = payload.get("errcode")
        raise DeliveryError(
            f"获取微信 access_token 失败：{code} {payload.get('errmsg', '')}",
            permanent=code in (40013, 40125, 40164),
            code=str(code),
        )
    # Refresh well before WeChat's expiry (7200 s), so no request carries a dying token.
    cache.set(TOKEN_KEY, token, timeout=max(60, int(payload.get("expires_in", 7200)) - 300))
    return token


def access_token(*, stale: str | None = None) -> str:
    """Return the shared access token; refresh it (one worker at a time) if missing or ``stale``."""
    token = cache.get(TOKEN_KEY)
    if token and token != stale:
        return token
    for _ in range(50):
        if cache.add(LOCK_KEY, "1", timeout=10):
            try:
                token = cache.get(TOKEN_KEY)
                if token and token != stale:
                    return token  # another worker refreshed it while we waited
                return _fetch_token(force_refresh=stale is not None)
            finally:
                cache.delete(LOCK_KEY)
        # Another worker holds the lock and is fetching: wait for its token.
        time.sleep(0.1)
        token = cache.get(TOKEN_KEY)
        if token and token != stale:
            return token
    raise DeliveryError("等待微信 access_token 超时", permanent=False)


def oauth_openid(code: str) -> str:
    """Exchange an OAuth code (snsapi_base) for the user's openid."""
    try:
        response = requests.get(
            _api("/sns/oauth2/access_token"),
            params={
                "appid": settings.WECHAT_APP_ID,
                "secret": settings.WECHAT_APP_SECRET,
                "code": code,
                "grant_type": "authorization_code",
            },
            timeout=_timeout(),
        )
        payload = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise DeliveryError(f"微信接口无响应：{type(exc).__name__}", permanent=False) from exc
    openid = payload.get("openid")
    if not openid:
        raise DeliveryError(
            f"微信授权失败：{payload.get('errcode')} {payload.get('errmsg', '')}",
            permanent=True,
            code=str(payload.get("errcode", "")),
        )
    return openid


def template_data(template_name: str, params: dict, text: str) -> dict:
    """Return the template message's ``data``: each field rendered and cut to 20 characters."""
    from notifications.templates import template_get

    fields: tuple[tuple[str, str], ...] = ()
    if template_name:
        try:
            fields = template_get(template_name).wechat_fields
        except KeyError:
            fields = ()
    if fields:
        return {name: {"value": field_cut(pattern.format(**params))} for name, pattern in fields}
    return {"thing1": {"value": field_cut(text)}}


class WeChatTemplateChannel:
    """Send a template message to the openid in ``message.to``."""

    name = "wechat"

    def send(self, message: OutgoingMessage) -> SendResult:
        if not settings.WECHAT_TEMPLATE_ID_REMINDER:
            raise ImproperlyConfigured("WeChat delivery needs WECHAT_TEMPLATE_ID_REMINDER")
        body = {
            "touser": message.to,
            "template_id": settings.WECHAT_TEMPLATE_ID_REMINDER,
            "url": settings.PUBLIC_BASE_URL + "/",
            "data": template_data(message.template, message.params, message.text),
        }
        token = access_token()
        for attempt in (1, 2):
            payload = self._post(token, body)
            code = payload.get("errcode", 0)
            if code == 0:
                return SendResult(provider_id=str(payload.get("msgid", "")), segments=1)
            if code in TOKEN_INVALID and attempt == 1:
                token = access_token(stale=token)
                continue
            text = f"微信 {code}: {payload.get('errmsg', '')}"[:400]
            if code in BINDING_UNUSABLE:
                raise DeliveryError(text, permanent=True, code=str(code), unusable=True)
            raise DeliveryError(text, permanent=code not in TRANSIENT and code not in TOKEN_INVALID, code=str(code))
        raise AssertionError("unreachable")

    def _post(self, token: str, body: dict) -> dict:
        try:
            response = requests.post(
                _api("/cgi-bin/message/template/send"), params={"access_token": token}, json=body, timeout=_timeout()
            )
            if response.status_code >= 500:
                raise DeliveryError(
                    f"微信 HTTP {response.status_code}", permanent=False, code=str(response.status_code)
                )
            return response.json()
        except (requests.RequestException, ValueError) as exc:
            raise DeliveryError(f"微信接口无响应：{type(exc).__name__}", permanent=False) from exc
