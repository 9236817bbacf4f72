"""Provider callbacks: Twilio status and inbound SMS (signed), Aliyun and Tencent Cloud receipts, WeChat binding."""

import ipaddress
import json
import logging
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from twilio.request_validator import SIGNATURE_SETTINGS_HEADER, RequestValidator, get_signature_algorithm

from backend.ops.errors import ServiceError
from backend.ops.ratelimit import client_ip
from notifications.channels import DeliveryError
from notifications.inbound import inbound_sms_handle
from notifications.services import (
    WECHAT_BIND_SALT,
    sms_receipt_record,
    twilio_status_record,
    webhook_first_seen,
    wechat_bind_user,
    wechat_binding_save,
)

logger = logging.getLogger(__name__)


def twilio_request_valid(request: HttpRequest) -> bool:
    """Return whether the request carries Twilio's signature of PUBLIC_BASE_URL + path and its form."""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not settings.TWILIO_AUTH_TOKEN:
        return False
    url = settings.PUBLIC_BASE_URL + request.get_full_path()
    algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, request.POST, signature, algorithm)


def _twiml(reply: str | None) -> HttpResponse:
    inner = f"<Message>{escape(reply)}</Message>" if reply else ""
    return HttpResponse(
        f'<?xml version="1.0" encoding="UTF-8"?><Response>{inner}</Response>', content_type="text/xml; charset=utf-8"
    )


@csrf_exempt
@require_POST
def twilio_status(request: HttpRequest) -> HttpResponse:
    """Twilio's StatusCallback: record delivered, undelivered or failed."""
    if not twilio_request_valid(request):
        return HttpResponseForbidden("invalid Twilio signature")
    sid = request.POST.get("MessageSid", "")
    status = request.POST.get("MessageStatus", "") or request.POST.get("SmsStatus", "")
    if not sid or not status:
        return HttpResponseBadRequest("MessageSid and MessageStatus are required")
    twilio_status_record(
        provider_id=sid, status=status, error_code=request.POST.get("ErrorCode", ""), to=request.POST.get("To", "")
    )
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def twilio_inbound(request: HttpRequest) -> HttpResponse:
    """Twilio's incoming-message webhook: stop words, then the registered handlers; reply in TwiML."""
    if not twilio_request_valid(request):
        return HttpResponseForbidden("invalid Twilio signature")
    sender = request.POST.get("From", "")
    if not sender:
        return HttpResponseBadRequest("From is required")
    sid = request.POST.get("MessageSid", "")
    with transaction.atomic():
        # A replayed STOP after she sent START must not opt her out again: each MessageSid acts once.
        if sid and not webhook_first_seen(key=f"twilio:inbound:{sid}"):
            return _twiml(None)
        reply = inbound_sms_handle(from_number=sender, body=request.POST.get("Body", ""), provider_id=sid)
    return _twiml(reply)


def _from_allowed(request: HttpRequest, allowed: list[str]) -> bool:
    """Return whether the request comes from one of the configured addresses or networks."""
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    for entry in allowed:
        try:
            if address in ipaddress.ip_network(entry.strip(), strict=False):
                return True
        except ValueError:
            logger.warning("ignoring %r in the receipt address list: not an address or network", entry)
    return False


def _receipts(request: HttpRequest, *, allowed: list[str], setting: str, error) -> list[dict] | HttpResponse:
    """Return the pushed reports, or the refusal: not from ``allowed`` (403) or not a JSON array (400)."""
    if not _from_allowed(request, allowed):
        logger.warning("SMS receipt from %s refused: not in %s", client_ip(request), setting)
        return JsonResponse(error(403, "address not allowed"), status=403)
    items = _receipt_items(request)
    if items is None:
        return JsonResponse(error(400, "a JSON array of reports is required"), status=400)
    return items


def _receipt_items(request: HttpRequest) -> list[dict] | None:
    try:
        items = json.loads(request.body or b"null")
    except (ValueError, RecursionError):
        return None
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        return None
    return items


def _mainland(phone: str, nation: str = "86") -> str:
    phone = str(phone or "").strip()
    if phone.startswith("+"):
        return phone
    return f"+{nation or '86'}{phone}"


@csrf_exempt
@require_POST
def aliyun_sms_report(request: HttpRequest) -> HttpResponse:
    """Aliyun's SmsReport push (HTTP batch push): unsigned, so only from ALIYUN_SMS_RECEIPT_IPS."""
    items = _receipts(
        request,
        allowed=settings.ALIYUN_SMS_RECEIPT_IPS,
        setting="ALIYUN_SMS_RECEIPT_IPS",
        error=lambda code, text: {"code": code, "msg": text},
    )
    if isinstance(items, HttpResponse):
        return items
    for item in items:
        biz_id, out_id = str(item.get("biz_id") or ""), str(item.get("out_id") or "")
        delivered = item.get("success") is True or str(item.get("success")).lower() == "true"
        code = str(item.get("err_code") or "")
        sms_receipt_record(
            provider="aliyun",
            provider_ids=[biz_id, f"out:{out_id}" if out_id else ""],
            phone=_mainland(item.get("phone_number", "")),
            delivered=delivered,
            code=code,
            key=f"aliyun:{biz_id}:{out_id}:{item.get('phone_number')}:{delivered}:{code}",
        )
    return JsonResponse({"code": 0, "msg": "接收成功"})


@csrf_exempt
@require_POST
def tencent_sms_status(request: HttpRequest) -> HttpResponse:
    """Tencent Cloud's status callback: unsigned, so only from TENCENT_SMS_RECEIPT_IPS."""
    items = _receipts(
        request,
        allowed=settings.TENCENT_SMS_RECEIPT_IPS,
        setting="TENCENT_SMS_RECEIPT_IPS",
        error=lambda code, text: {"result": code, "errmsg": text},
    )
    if isinstance(items, HttpResponse):
        return items
    for item in items:
        sid, status = str(item.get("sid") or ""), str(item.get("report_status") or "")
        code = str(item.get("errmsg") or "")
        sms_receipt_record(
            provider="tencent",
            provider_ids=[sid],
            phone=_mainland(item.get("mobile", ""), str(item.get("nationcode") or "86")),
            delivered=status == "SUCCESS",
            code=code,
            key=f"tencent:{sid}:{status}:{code}",
        )
    return JsonResponse({"result": 0, "errmsg": "OK"})


def _page(request, title: str, text: str, status: int = 200) -> HttpResponse:
    return render(request, "notifications/wechat_bind.html", {"title": title, "text": text}, status=status)


@require_GET
def wechat_bind(request: HttpRequest) -> HttpResponse:
    """Start binding: send the volunteer to WeChat's OAuth (snsapi_base) with who she is in ``state``."""
    token = request.GET.get("t", "")
    if not token:
        user = request.user
        if not (user.is_authenticated and user.is_active and getattr(user, "is_volunteer", False)):
            return _page(request, _("链接无效"), _("请通过短信中的链接打开，或先登录。"), 403)
        token = signing.dumps({"u": user.pk}, salt=WECHAT_BIND_SALT)
    if not settings.WECHAT_APP_ID:
        # The feature is off here, not broken: a 404 page she can read, not a 5xx.
        logger.info("WeChat binding asked for, but WECHAT_APP_ID is not set: WeChat is off")
        return _page(
            request,
            _("微信服务未开通"),
            _("本平台未开通微信提醒，提醒会继续以短信发送给您。"),
            404,
        )
    query = urlencode(
        {
            "appid": settings.WECHAT_APP_ID,
            "redirect_uri": settings.PUBLIC_BASE_URL + "/webhooks/wechat/callback/",
            "response_type": "code",
            "scope": "snsapi_base",
            "state": token,
        }
    )
    return redirect(f"{settings.WECHAT_OAUTH_BASE_URL.rstrip('/')}/connect/oauth2/authorize?{query}#wechat_redirect")


@require_GET
def wechat_callback(request: HttpRequest) -> HttpResponse:
    """WeChat sends the volunteer back with a code: exchange it for her openid and store the binding."""
    code, state = request.GET.get("code", ""), request.GET.get("state", "")
    if not code or not state:
        return _page(request, _("绑定失败"), _("您没有同意授权，请重新打开链接。"), 400)
    user = wechat_bind_user(token=state)
    if user is None:
        return _page(request, _("链接已过期"), _("请向工作人员索取新的绑定链接。"), 403)
    try:
        wechat_binding_save(user=user, code=code)
    except (DeliveryError, ServiceError) as exc:
        logger.warning("WeChat binding failed for user %s: %s", user.pk, exc)
        return _page(request, _("绑定失败"), str(getattr(exc, "message", exc)), 400)
    return _page(request, _("绑定成功"), _("以后的提醒将通过微信发送给您。"))
