"""Print the SMS template texts to submit for approval at Aliyun or Tencent Cloud, from the registry."""

from django.core.management.base import BaseCommand

from notifications.channels.base import DeliveryError
from notifications.provider_templates import (
    DEFAULT_MAX_LENGTH,
    LINK_VARIABLES,
    approval_text,
    approved_template,
    template_placeholders,
)
from notifications.templates import template_all

PROVIDERS = {"aliyun": "阿里云短信", "tencent": "腾讯云短信"}


def sms_templates() -> list:
    """Return the registered templates that go out by SMS (WeCom digests never do)."""
    return [t for t in template_all() if not t.name.endswith("_digest")]


class Command(BaseCommand):
    help = "Print, for each registered message template, the text to submit for approval and its code."

    def add_arguments(self, parser):
        parser.add_argument("--provider", choices=sorted(PROVIDERS), default="aliyun")

    def handle(self, *args, provider: str, **options):
        out = self.stdout
        out.write(f"# {PROVIDERS[provider]}：送审模板（签名不写入正文，由服务商按所选签名加上）")
        out.write(
            f"# {len(sms_templates())} templates; variables hold at most {DEFAULT_MAX_LENGTH[provider]} characters"
        )
        for template in sms_templates():
            names = template_placeholders(template.text)
            kind = "验证码" if "code" in names else "短信通知"
            try:
                code = approved_template(provider=provider, template=template).code
            except DeliveryError:
                code = "（未填写 / not entered）"
            out.write("")
            out.write(f"## {template.name}")
            out.write(f"用途：{template.description or '-'}")
            out.write(f"类型：{kind}")
            out.write(f"正文：{approval_text(template, provider)}")
            for i, name in enumerate(names, start=1):
                example = (template.example or {}).get(name, "")
                what = "链接" if name in LINK_VARIABLES else "其他"
                label = f"{{{i}}}" if provider == "tencent" else f"${{{name}}}"
                out.write(f"  变量 {label}（{name}）: {what}，示例 {example}")
            out.write(f"已审核代码：{code}")
