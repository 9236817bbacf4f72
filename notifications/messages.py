"""The texts the delivery app itself sends (other apps declare theirs in their own messages.py)."""

from notifications.templates import MessageTemplate, register

register(
    MessageTemplate(
        name="notifications.otp",
        text="【爱心妈妈】您的验证码是{code}，10分钟内有效。请勿告诉他人。",
        description="登录或报名时的短信验证码",
        example={"code": "482913"},
        secret_params=("code",),
        urgent=True,
    )
)
register(
    MessageTemplate(
        name="notifications.reminder",
        text="【爱心妈妈】{volunteer}您好：{task}，请于{due}前完成。感谢您的关爱！",
        description="给爱心妈妈的一般提醒",
        example={"volunteer": "王丽", "task": "本月请给结对的孩子打一次电话", "due": "11月30日"},
        wechat_fields=(("thing1", "{task}"), ("time2", "{due}"), ("thing3", "{volunteer}您好，感谢您的关爱")),
    )
)
register(
    MessageTemplate(
        name="notifications.inbound_help",
        text="【爱心妈妈】您好，本号码不接收其他内容。如需帮助请联系所在妇联；回复TD退订。",
        description="收到无法识别的短信时的自动回复",
        example={},
        urgent=True,
    )
)
register(
    MessageTemplate(
        name="notifications.wechat_bind",
        text="【爱心妈妈】请在微信中打开链接绑定公众号，以后提醒将通过微信发送：{link}",
        description="邀请爱心妈妈绑定微信",
        example={"link": "https://aixin.example.gov.cn/webhooks/wechat/bind/?t=abc"},
    )
)
register(
    MessageTemplate(
        name="notifications.wecom_digest",
        text="### {title}\n{summary}\n> 详情请登录平台查看",
        description="发往区域爱心妈妈企业微信群的摘要",
        example={"title": "沁水县本周关爱情况", "summary": "本周共记录关爱 126 次，3 位爱心妈妈有待跟进的提醒。"},
    )
)
