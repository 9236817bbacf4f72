"""Text messages of recruitment. None carries an ID number; the reference number is enough."""

from notifications.templates import MessageTemplate, register

PHONE_CODE = register(
    MessageTemplate(
        name="phone_code",
        text="【爱心妈妈】您的验证码是{code}，{minutes}分钟内有效，请勿告诉他人。",
        description="手机号验证码（报名、查询、登录）",
        example={"code": "123456", "minutes": 10},
        secret_params=("code",),
        # She is waiting for it and it expires in minutes: quiet hours must not hold it.
        urgent=True,
    )
)

APPLICATION_RECEIVED = register(
    MessageTemplate(
        name="application_received",
        text="【爱心妈妈】{name}，您的报名已收到，报名编号{reference}。审核结果将短信通知，可在{url}查询。",
        description="报名已收到",
        example={"name": "王女士", "reference": "AM2026-7K3Q9X", "url": "https://example.org/apply/status/"},
        # The answer to her own submission, with the reference she needs to check it.
        urgent=True,
    )
)

APPLICATION_APPROVED = register(
    MessageTemplate(
        name="application_approved",
        text="【爱心妈妈】{name}，恭喜您通过审核，成为爱心妈妈（报名编号{reference}）。妇联工作人员将与您联系结对事宜。",
        description="报名通过",
        example={"name": "王女士", "reference": "AM2026-7K3Q9X"},
    )
)

APPLICATION_REJECTED = register(
    MessageTemplate(
        name="application_rejected",
        text="【爱心妈妈】{name}，很遗憾，您的报名（编号{reference}）未通过审核，原因：{reason}。感谢您的爱心。",
        description="报名未通过",
        example={"name": "王女士", "reference": "AM2026-7K3Q9X", "reason": "年龄不符合选任条件"},
    )
)

APPLICATION_MORE_INFO = register(
    MessageTemplate(
        name="application_more_info",
        text="【爱心妈妈】{name}，您的报名（编号{reference}）需要补充信息：{message}。请在{url}查看。",
        description="请补充信息",
        example={
            "name": "王女士",
            "reference": "AM2026-7K3Q9X",
            "message": "请补充所在单位证明",
            "url": "https://example.org/apply/status/",
        },
    )
)

VOLUNTEER_STATUS_CHANGED = register(
    MessageTemplate(
        name="volunteer_status_changed",
        text="【爱心妈妈】{name}，您的爱心妈妈服务状态已变更为：{status}。如有疑问请联系当地妇联。",
        description="爱心妈妈暂停或退出",
        example={"name": "王女士", "status": "已退出"},
    )
)

# Messages staff send a volunteer from the workspace. They name only her and the sending
# office: never a child, an address or a situation.
_STAFF_TEXTS = (
    (
        "volunteer_note_checkin",
        "提醒记录关爱",
        "【爱心妈妈】{name}，您好：请记得登录平台记录近期的关爱情况，感谢您的坚持与付出！（{office}）",
    ),
    (
        "volunteer_note_training",
        "培训通知",
        "【爱心妈妈】{name}，您好：{office}近期将组织爱心妈妈培训，时间地点另行通知，请留意。",
    ),
    (
        "volunteer_note_call_us",
        "请她联系妇联",
        "【爱心妈妈】{name}，您好：{office}工作人员想与您沟通关爱工作，请方便时联系当地妇联。",
    ),
    ("volunteer_note_thanks", "感谢", "【爱心妈妈】{name}，感谢您一直以来对孩子们的爱心陪伴！（{office}）"),
)
STAFF_MESSAGES = {
    name: register(
        MessageTemplate(name=name, text=text, description=description, example={"name": "王丽", "office": "沁水县妇联"})
    )
    for name, description, text in _STAFF_TEXTS
}
