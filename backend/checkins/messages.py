"""The texts the check-ins app sends. Never a child's full name or situation: the given name only."""

from notifications.templates import MessageTemplate, register

EXAMPLE = {"name": "小红", "what": "每月电话或视频", "due": "3月1日"}

register(
    MessageTemplate(
        name="checkins.reminder_before",
        text="【爱心妈妈】{what}：{name}的关爱将于{due}到期。联系后回复1=电话 2=视频 3=走访即可记录。",
        description="到期前提醒爱心妈妈",
        example=EXAMPLE,
        wechat_fields=(("first", "关爱提醒"), ("keyword1", "{name}"), ("keyword2", "{due}前")),
    )
)
register(
    MessageTemplate(
        name="checkins.reminder_due",
        text="【爱心妈妈】{what}：今天（{due}）该和{name}联系了。联系后回复1=电话 2=视频 3=走访即可记录。",
        description="到期当天提醒",
        example=EXAMPLE,
        wechat_fields=(("first", "今天该联系了"), ("keyword1", "{name}"), ("keyword2", "{due}")),
    )
)
register(
    MessageTemplate(
        name="checkins.reminder_overdue",
        text="【爱心妈妈】{what}：与{name}的联系已超过{due}，孩子在等您。联系后回复1=电话 2=视频 3=走访即可记录。",
        description="逾期提醒",
        example=EXAMPLE,
        wechat_fields=(("first", "关爱已逾期"), ("keyword1", "{name}"), ("keyword2", "{due}")),
    )
)
register(
    MessageTemplate(
        name="checkins.sms_logged",
        text="【爱心妈妈】已记录：{name}，{what}，谢谢您的关爱！",
        description="短信回复记录成功",
        example={"name": "小红", "what": "电话联系"},
        urgent=True,
    )
)
register(
    MessageTemplate(
        name="checkins.thanks",
        text="【爱心妈妈】您{date}对{name}的关爱已被妇联工作人员看到，谢谢您！",
        description="工作人员致谢",
        example={"name": "小红", "date": "03月01日"},
    )
)
register(
    MessageTemplate(
        name="checkins.staff_digest",
        text="【爱心妈妈】{region}有{count}个结对逾期未联系（最长{days}天），请登录平台查看并跟进。",
        description="逾期结对摘要（乡村工作人员）",
        example={"region": "龙港镇", "count": 3, "days": 12},
    )
)
