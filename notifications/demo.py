"""Demo outbox: a sent reminder, a failed one with a readable reason, an opted-out number,
a mainland reminder delivered through Aliyun and one failed for want of an approved template
code, the approved codes of two templates, and a WeCom robot for 沁水县 (with a fake key).
Idempotent: rows are keyed by idempotency key."""

from django.utils import timezone

from notifications.models import Message, ProviderTemplate, SmsOptOut, WeComRobot

DEMO_ROWS = [
    # (idempotency key, phone, status, last error, error code)
    ("demo:sent", "+8613800138001", Message.Status.DELIVERED, "", ""),
    (
        "demo:failed",
        "+8613800138002",
        Message.Status.FAILED,
        "短信未送达（Twilio undelivered，错误 30003）",
        "30003",
    ),
    ("demo:opted-out", "+8613800138003", Message.Status.CANCELLED, "", "opt-out"),
    ("demo:pending", "+8613800138004", Message.Status.PENDING, "免打扰时段，稍后发送", ""),
    ("demo:aliyun-delivered", "+8613800138005", Message.Status.DELIVERED, "", ""),
    (
        "demo:aliyun-no-code",
        "+8613800138006",
        Message.Status.FAILED,
        "模板 notifications.wechat_bind 在aliyun没有已审核的模板代码：请在后台“短信服务商模板”中填写",
        "template-code",
    ),
]
# Codes as staff enter them once the provider approved the templates (made up for the demo).
DEMO_CODES = [("aliyun", "notifications.reminder", "SMS_470000001"), ("aliyun", "notifications.otp", "SMS_470000002")]


def seed(context) -> None:
    from notifications.templates import template_get

    now = timezone.now()
    template = template_get("notifications.reminder")
    opt_out, _ = SmsOptOut.objects.get_or_create(
        phone="+8613800138003",
        defaults={"source": SmsOptOut.Source.KEYWORD, "keyword": "TD", "changed_at": now},
    )
    for provider, name, code in DEMO_CODES:
        ProviderTemplate.objects.get_or_create(provider=provider, template=name, defaults={"code": code})
    for key, phone, status, error, code in DEMO_ROWS:
        if status == Message.Status.CANCELLED:
            error = opt_out.reason
        aliyun = key.startswith("demo:aliyun")
        row_template = template_get("notifications.wechat_bind") if key == "demo:aliyun-no-code" else template
        Message.objects.get_or_create(
            idempotency_key=key,
            defaults={
                "channel": Message.Channel.SMS,
                "recipient": phone,
                "template": row_template.name,
                "params": row_template.example or {},
                "provider": "aliyun"
                if aliyun
                else ("twilio" if status in (Message.Status.DELIVERED, Message.Status.FAILED) else ""),
                "body": row_template.render(row_template.example or {}),
                "status": status,
                "attempts": 0 if status == Message.Status.PENDING else 1,
                "next_attempt_at": now if status == Message.Status.PENDING else None,
                "region_id": "140521",
                "last_error": error,
                "error_code": code,
                "segments": 0 if status in (Message.Status.PENDING, Message.Status.CANCELLED) else 1,
                "sent_at": now if status in (Message.Status.SENT, Message.Status.DELIVERED) else None,
                "delivered_at": now if status == Message.Status.DELIVERED else None,
                "provider_id": ("900619746936498^0" if aliyun else "SM" + "0" * 31 + "1")
                if status == Message.Status.DELIVERED
                else "",
            },
        )
    robot = WeComRobot.objects.filter(region_id="140521", name="沁水县爱心妈妈群").first()
    if robot is None:
        robot = WeComRobot.objects.create(
            region_id="140521", name="沁水县爱心妈妈群", key="demo-00000000-0000-0000-0000-000000000000"
        )
    context.objects["wecom_robot:140521"] = robot
    context.notes.append("  发件箱 outbox:           /admin/notifications/message/")
    context.notes.append("  短信服务商模板:          /admin/notifications/providertemplate/ (manage.py sms_templates)")
