"""SMS through Aliyun (阿里云短信, dysmsapi 2017-05-25) with the official SDK.

``SendSms`` for one number, ``SendBatchSms`` for up to 100 numbers of one template (each with
its own variables) in one request; ``QuerySendDetails`` reconciles a row stuck in sending by
the ``OutId`` the attempt carried. The SDK signs every request (ACS3-HMAC-SHA256) and keeps
one HTTP session per host and process. ``ALIYUN_SMS_ENDPOINT`` is Aliyun's host in
production and a local stand-in in tests and demos.
"""

import datetime
import json
from functools import lru_cache
from zoneinfo import ZoneInfo

import requests
from alibabacloud_dysmsapi20170525 import models as dysms
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_tea_openapi import utils_models as openapi
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
from darabonba.exceptions import UnretryableException
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from notifications.channels.base import DeliveryError, OutgoingMessage, SendResult
from notifications.channels.segments import sms_segments
from notifications.provider_templates import messages_checked

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Try again later: flow control (per number and template), the account's day/month limits, Aliyun's own faults.
THROTTLE_CODES = {"isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL", "isv.MONTH_LIMIT_CONTROL", "Throttling"}
TRANSIENT_PREFIXES = ("isp.", "Throttling", "ServiceUnavailable", "InternalError")
# She refused: the number unsubscribed (replied TD) or is on the blacklist.
OPT_OUT_CODES = {"isv.CUSTOMER_REFUSED", "isv.MOBILE_IN_BLACK", "isv.BLACKLIST"}
# The number itself is wrong: this message fails, the rest of a batch may go.
NUMBER_CODES = {"isv.MOBILE_NUMBER_ILLEGAL", "isv.DOMESTIC_NUMBER_NOT_SUPPORTED"} | OPT_OUT_CODES
# The template or signature is not approved (or not ours): staff must fix the configuration.
TEMPLATE_CODES = {
    "isv.SMS_TEMPLATE_ILLEGAL",
    "isv.SMS_SIGNATURE_ILLEGAL",
    "isv.SMS_SIGN_ILLEGAL",
    "isv.SIGN_STATE_ILLEGAL",
    "isv.SMS_SIGNATURE_SCENE_ILLEGAL",
    "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.TEMPLATE_PARAMS_ILLEGAL",
    "isv.PARAM_LENGTH_LIMIT",
    "isv.PARAM_NOT_SUPPORT_URL",
    "isv.BLACK_KEY_CONTROL_LIMIT",
}


def _endpoint() -> tuple[str, str]:
    value = settings.ALIYUN_SMS_ENDPOINT.rstrip("/")
    protocol, sep, host = value.partition("://")
    return (protocol, host) if sep else ("https", value)


@lru_cache(maxsize=4)
def _client(key_id: str, secret: str, protocol: str, host: str, timeout_ms: int) -> Client:
    # One client per worker process; the SDK keeps one HTTP session per host under it.
    config = openapi.Config(
        access_key_id=key_id,
        access_key_secret=secret,
        endpoint=host,
        protocol=protocol,
        read_timeout=timeout_ms,
        connect_timeout=timeout_ms,
    )
    return Client(config)


def aliyun_client() -> Client:
    """Return the Aliyun SMS client configured by the ALIYUN_SMS_* settings."""
    if not settings.ALIYUN_SMS_ACCESS_KEY_ID or not settings.ALIYUN_SMS_ACCESS_KEY_SECRET:
        raise ImproperlyConfigured("SMS through aliyun needs ALIYUN_SMS_ACCESS_KEY_ID and ALIYUN_SMS_ACCESS_KEY_SECRET")
    protocol, host = _endpoint()
    return _client(
        settings.ALIYUN_SMS_ACCESS_KEY_ID,
        settings.ALIYUN_SMS_ACCESS_KEY_SECRET,
        protocol,
        host,
        int(float(settings.SMS_PROVIDER_TIMEOUT_SECONDS) * 1000),
    )


def _sign_name() -> str:
    if not settings.ALIYUN_SMS_SIGN_NAME:
        raise ImproperlyConfigured("SMS through aliyun needs ALIYUN_SMS_SIGN_NAME (the approved signature, 签名)")
    return settings.ALIYUN_SMS_SIGN_NAME


def aliyun_error(code: str, text: str) -> DeliveryError:
    """Map an Aliyun error code to the outbox's kinds of failure."""
    text = f"阿里云短信 {code}: {text}"[:400]
    if code in OPT_OUT_CODES:
        return DeliveryError(text, permanent=True, code=code[:20], opt_out=True)
    if code in THROTTLE_CODES or code.startswith(TRANSIENT_PREFIXES):
        return DeliveryError(text, permanent=False, code=code[:20])
    if code in TEMPLATE_CODES:
        return DeliveryError(
            f"服务商未通过该模板或签名，请工作人员检查“短信服务商模板”和 ALIYUN_SMS_SIGN_NAME：{text}"[:400],
            permanent=True,
            code=code[:20],
        )
    return DeliveryError(text, permanent=True, code=code[:20])


class AliyunSmsChannel:
    """Send approved templates with Aliyun SMS: SendSms, SendBatchSms; reconcile with QuerySendDetails."""

    name = "aliyun"
    batch_size = 100  # SendBatchSms takes at most 100 numbers

    def send(self, message: OutgoingMessage) -> SendResult:
        outcome = self.send_batch([message])[0]
        if isinstance(outcome, DeliveryError):
            raise outcome
        return outcome

    def send_batch(self, messages: list[OutgoingMessage]) -> list[SendResult | DeliveryError]:
        failures, ready = messages_checked(self.name, messages)
        outcomes: dict[int, SendResult | DeliveryError] = dict(failures)
        # One SendBatchSms per template and 100 numbers, each number with its own variables.
        groups: dict[str, list[tuple[OutgoingMessage, dict]]] = {}
        for message, approved, values in ready:
            groups.setdefault(approved.code, []).append((message, dict(values)))
        for code, items in groups.items():
            for start in range(0, len(items), self.batch_size):
                outcomes.update(self._send_chunk(code, items[start : start + self.batch_size]))
        return [outcomes[m.message_id] for m in messages]

    def _send_chunk(self, code: str, chunk: list[tuple[OutgoingMessage, dict]]) -> dict:
        tag = chunk[0][0].attempt_tag or f"m{chunk[0][0].message_id}"
        try:
            if len(chunk) == 1:
                message, values = chunk[0]
                body = (
                    aliyun_client()
                    .send_sms(
                        dysms.SendSmsRequest(
                            phone_numbers=_national(message.to),
                            sign_name=_sign_name(),
                            template_code=code,
                            template_param=json.dumps(values, ensure_ascii=False),
                            out_id=tag,
                        )
                    )
                    .body
                )
            else:
                body = (
                    aliyun_client()
                    .send_batch_sms(
                        dysms.SendBatchSmsRequest(
                            phone_number_json=json.dumps([_national(m.to) for m, _v in chunk]),
                            sign_name_json=json.dumps([_sign_name()] * len(chunk), ensure_ascii=False),
                            template_code=code,
                            template_param_json=json.dumps([v for _m, v in chunk], ensure_ascii=False),
                            out_id=tag,
                        )
                    )
                    .body
                )
        except AlibabaCloudException as exc:
            error = aliyun_error(str(exc.code or exc.status_code or ""), str(exc.message or ""))
            return {m.message_id: error for m, _v in chunk}
        except (UnretryableException, requests.RequestException, OSError) as exc:
            # Connection refused, timeouts: the SDK wraps them; worth trying again.
            error = DeliveryError(f"阿里云短信无响应：{type(exc).__name__}", permanent=False)
            return {m.message_id: error for m, _v in chunk}
        if body.code == "OK":
            return {
                m.message_id: SendResult(provider_id=body.biz_id or "", segments=sms_segments(m.text))
                for m, _v in chunk
            }
        error = aliyun_error(body.code or "", body.message or "")
        if len(chunk) > 1 and error.permanent and body.code in NUMBER_CODES:
            # One bad number refuses the whole batch: send the rest one by one to find it.
            outcomes = {}
            for item in chunk:
                outcomes.update(self._send_chunk(code, [item]))
            return outcomes
        return {m.message_id: error for m, _v in chunk}

    def reconcile(self, message: OutgoingMessage) -> SendResult | None:
        """Look for this attempt's OutId among Aliyun's records of the number on the attempt's day."""
        since = message.attempt_started_at or datetime.datetime.now(datetime.UTC)
        days = {since.astimezone(SHANGHAI).date(), datetime.datetime.now(SHANGHAI).date()}
        tag = message.attempt_tag or f"m{message.message_id}"
        for day in sorted(days):
            page = 1
            while True:
                try:
                    body = (
                        aliyun_client()
                        .query_send_details(
                            dysms.QuerySendDetailsRequest(
                                phone_number=_national(message.to),
                                send_date=day.strftime("%Y%m%d"),
                                page_size=50,
                                current_page=page,
                            )
                        )
                        .body
                    )
                except (AlibabaCloudException, UnretryableException, requests.RequestException, OSError) as exc:
                    raise DeliveryError(f"阿里云对账失败：{exc}"[:400], permanent=False) from exc
                if body.code != "OK":
                    raise DeliveryError(f"阿里云对账失败：{body.code}", permanent=False)
                details = (body.sms_send_detail_dtos.sms_send_detail_dto if body.sms_send_detail_dtos else None) or []
                for detail in details:
                    if detail.out_id == tag:
                        # The record carries no BizId: the row keeps the OutId, which receipts also carry.
                        return SendResult(provider_id=f"out:{tag}", segments=sms_segments(message.text))
                if page * 50 >= int(body.total_count or 0) or not details:
                    break
                page += 1
        return None


def _national(phone: str) -> str:
    # Aliyun takes mainland numbers without +86; other numbers with their country code, no "+".
    return phone[3:] if phone.startswith("+86") else phone.lstrip("+")
