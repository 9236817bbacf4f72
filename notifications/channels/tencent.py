"""SMS through Tencent Cloud (腾讯云短信, sms 2021-01-11) with the official SDK.

``SendSms`` takes up to 200 numbers with one ``TemplateParamSet``: messages of one template
with the same values go together in one request, the others one request each over the same
keep-alive session. Each number gets its own ``SerialNo`` (the receipts' ``sid``).
``PullSmsSendStatusByPhoneNumber`` reconciles a row stuck in sending by the
``SessionContext`` the attempt carried. The SDK signs with TC3-HMAC-SHA256.
"""

import datetime
import time
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models as sms_models
from tencentcloud.sms.v20210111.sms_client import SmsClient

from notifications.channels.base import DeliveryError, OutgoingMessage, SendResult
from notifications.channels.segments import sms_segments
from notifications.provider_templates import messages_checked

# She refused: the number is on the blacklist (replied TD / 退订) or unsubscribed.
OPT_OUT_CODES = {"FailedOperation.PhoneNumberInBlacklist", "FailedOperation.PhoneNumberOptedOut"}
TEMPLATE_CODES = {
    "FailedOperation.TemplateIncorrectOrUnapproved",
    "FailedOperation.SignatureIncorrectOrUnapproved",
    "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
    "FailedOperation.MissingSignature",
    "FailedOperation.MissingTemplateToModify",
    "InvalidParameterValue.TemplateParameterFormatError",
    "InvalidParameterValue.TemplateParameterLengthLimit",
    "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter",
    "UnauthorizedOperation.SmsSdkAppIdVerifyFail",
}
TRANSIENT_PREFIXES = (
    "LimitExceeded.",
    "RequestLimitExceeded",
    "InternalError",
    "ClientNetworkError",
    "ServerNetworkError",
)
SEND_LIMIT = 200  # numbers per SendSms


def _endpoint() -> tuple[str, str]:
    value = settings.TENCENT_SMS_ENDPOINT.rstrip("/")
    protocol, sep, host = value.partition("://")
    return (protocol, host) if sep else ("https", value)


@lru_cache(maxsize=4)
def _client(secret_id: str, secret_key: str, region: str, protocol: str, host: str, timeout: int) -> SmsClient:
    # One client per worker process: with keepAlive it sends every request over one session.
    http = HttpProfile(protocol=protocol, endpoint=host, reqTimeout=timeout, keepAlive=True)
    return SmsClient(credential.Credential(secret_id, secret_key), region, ClientProfile(httpProfile=http))


def tencent_client() -> SmsClient:
    """Return the Tencent Cloud SMS client configured by the TENCENT_SMS_* settings."""
    if not settings.TENCENT_SMS_SECRET_ID or not settings.TENCENT_SMS_SECRET_KEY:
        raise ImproperlyConfigured("SMS through tencent needs TENCENT_SMS_SECRET_ID and TENCENT_SMS_SECRET_KEY")
    if not settings.TENCENT_SMS_SDK_APP_ID or not settings.TENCENT_SMS_SIGN_NAME:
        raise ImproperlyConfigured("SMS through tencent needs TENCENT_SMS_SDK_APP_ID and TENCENT_SMS_SIGN_NAME (签名)")
    protocol, host = _endpoint()
    return _client(
        settings.TENCENT_SMS_SECRET_ID,
        settings.TENCENT_SMS_SECRET_KEY,
        settings.TENCENT_SMS_REGION,
        protocol,
        host,
        max(1, int(float(settings.SMS_PROVIDER_TIMEOUT_SECONDS))),
    )


def tencent_error(code: str, text: str) -> DeliveryError:
    """Map a Tencent Cloud error code to the outbox's kinds of failure."""
    text = f"腾讯云短信 {code}: {text}"[:400]
    short = code.rsplit(".", 1)[-1][:20]
    if code in OPT_OUT_CODES:
        return DeliveryError(text, permanent=True, code=short, opt_out=True)
    if code.startswith(TRANSIENT_PREFIXES):
        return DeliveryError(text, permanent=False, code=short)
    if code in TEMPLATE_CODES:
        return DeliveryError(
            f"服务商未通过该模板或签名，请工作人员检查“短信服务商模板”和 TENCENT_SMS_SIGN_NAME：{text}"[:400],
            permanent=True,
            code=short,
        )
    return DeliveryError(text, permanent=True, code=short)


class TencentSmsChannel:
    """Send approved templates with Tencent Cloud SMS; reconcile with PullSmsSendStatusByPhoneNumber."""

    name = "tencent"
    batch_size = 100

    def send(self, message: OutgoingMessage) -> SendResult:
        outcome = self.send_batch([message])[0]
        if isinstance(outcome, DeliveryError):
            raise outcome
        return outcome

    def send_batch(self, messages: list[OutgoingMessage]) -> list[SendResult | DeliveryError]:
        failures, ready = messages_checked(self.name, messages)
        outcomes: dict[int, SendResult | DeliveryError] = dict(failures)
        # One request per (template, values): Tencent's SendSms carries one TemplateParamSet.
        groups: dict[tuple, list[OutgoingMessage]] = {}
        for message, approved, values in ready:
            groups.setdefault((approved.code, tuple(v for _name, v in values)), []).append(message)
        for (code, values), group in groups.items():
            for start in range(0, len(group), SEND_LIMIT):
                outcomes.update(self._send_group(code, values, group[start : start + SEND_LIMIT]))
        return [outcomes[m.message_id] for m in messages]

    def _send_group(self, code: str, values: tuple[str, ...], group: list[OutgoingMessage]) -> dict:
        request = sms_models.SendSmsRequest()
        request.PhoneNumberSet = [m.to for m in group]
        request.SmsSdkAppId = settings.TENCENT_SMS_SDK_APP_ID
        request.SignName = settings.TENCENT_SMS_SIGN_NAME
        request.TemplateId = code
        request.TemplateParamSet = list(values)
        request.SessionContext = group[0].attempt_tag or f"m{group[0].message_id}"
        try:
            response = tencent_client().SendSms(request)
        except TencentCloudSDKException as exc:
            error = tencent_error(exc.get_code() or "", exc.get_message() or "")
            return {m.message_id: error for m in group}
        by_number: dict[str, list] = {}
        for status in response.SendStatusSet or []:
            by_number.setdefault(status.PhoneNumber, []).append(status)
        outcomes: dict[int, SendResult | DeliveryError] = {}
        for message in group:
            statuses = by_number.get(message.to) or []
            if not statuses:
                outcomes[message.message_id] = DeliveryError("腾讯云短信未返回该号码的结果", permanent=False)
                continue
            status = statuses.pop(0)
            if status.Code == "Ok":
                outcomes[message.message_id] = SendResult(
                    provider_id=status.SerialNo or "", segments=int(status.Fee or 0) or sms_segments(message.text)
                )
            else:
                outcomes[message.message_id] = tencent_error(status.Code or "", status.Message or "")
        return outcomes

    def reconcile(self, message: OutgoingMessage) -> SendResult | None:
        """Look for this attempt's SessionContext among Tencent's reports for the number since it started."""
        since = message.attempt_started_at or datetime.datetime.now(datetime.UTC)
        tag = message.attempt_tag or f"m{message.message_id}"
        request = sms_models.PullSmsSendStatusByPhoneNumberRequest()
        request.BeginTime = int(since.timestamp()) - 120
        request.EndTime = int(time.time()) + 60
        request.Offset = 0
        request.Limit = 100
        request.PhoneNumber = message.to
        request.SmsSdkAppId = settings.TENCENT_SMS_SDK_APP_ID
        try:
            response = tencent_client().PullSmsSendStatusByPhoneNumber(request)
        except TencentCloudSDKException as exc:
            raise DeliveryError(f"腾讯云对账失败：{exc.get_code()}", permanent=False) from exc
        for status in response.PullSmsSendStatusSet or []:
            if status.SessionContext == tag:
                return SendResult(provider_id=status.SerialNo or "", segments=sms_segments(message.text))
        return None
