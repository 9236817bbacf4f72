"""WeCom (企业微信) group robot webhooks: markdown digests to a region's volunteer group.

A robot accepts 20 messages a minute; the throttle is a counter per robot and minute in
the shared cache, so all workers respect it together. The key is a secret: it is stored
encrypted and never written to logs or errors.
"""

import datetime

import requests
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from notifications.channels.base import DeliveryDeferred, DeliveryError, OutgoingMessage, SendResult

PER_MINUTE = 20
TRANSIENT = {-1, 45009, 45033}


def robot_throttle(robot_id: int, *, now: datetime.datetime | None = None) -> None:
    """Count one message for a robot this minute; raise DeliveryDeferred past the limit."""
    now = now or timezone.now()
    window = int(now.timestamp()) // 60
    key = f"notifications:wecom:{robot_id}:{window}"
    cache.add(key, 0, timeout=120)
    if cache.incr(key) > settings.WECOM_ROBOT_PER_MINUTE:
        until = datetime.datetime.fromtimestamp((window + 1) * 60, tz=datetime.UTC)
        raise DeliveryDeferred(until, reason="企业微信机器人每分钟最多20条")


class WeComRobotChannel:
    """Post markdown to the robot whose id is in ``message.to`` ("robot:<id>")."""

    name = "wecom"

    def send(self, message: OutgoingMessage) -> SendResult:
        from notifications.models import WeComRobot

        robot_id = int(message.to.removeprefix("robot:"))
        robot = WeComRobot.objects.filter(pk=robot_id, is_active=True).first()
        if robot is None:
            raise DeliveryError("企业微信机器人不存在或已停用", permanent=True)
        robot_throttle(robot.pk)
        url = settings.WECOM_WEBHOOK_BASE_URL.rstrip("/") + "/cgi-bin/webhook/send"
        try:
            response = requests.post(
                url,
                params={"key": robot.key},
                json={"msgtype": "markdown", "markdown": {"content": message.text}},
                timeout=float(settings.WECHAT_TIMEOUT_SECONDS),
            )
            if response.status_code >= 500:
                raise DeliveryError(f"企业微信 HTTP {response.status_code}", permanent=False)
            payload = response.json()
        except (requests.RequestException, ValueError) as exc:
            # str(exc) would carry the URL with the key in it.
            raise DeliveryError(f"企业微信无响应：{type(exc).__name__}", permanent=False) from None
        code = payload.get("errcode", 0)
        if code == 0:
            return SendResult(provider_id=f"wecom-{robot.pk}", segments=1)
        text = f"企业微信 {code}: {str(payload.get('errmsg', ''))[:100]}".replace(robot.key, "****")
        raise DeliveryError(text, permanent=code not in TRANSIENT, code=str(code))
