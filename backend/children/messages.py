"""The texts the children app sends. A concern is named by its number and town, never by the child."""

from notifications.templates import MessageTemplate, register

register(
    MessageTemplate(
        name="children.concern_escalated",
        text="【爱心妈妈】{town}有一件{severity}关注事项（编号{ref}）报告已{hours}小时仍未受理，请登录工作台处理。",
        description="关注事项超过受理期限，通知上级妇联",
        example={"town": "龙港镇", "severity": "紧急", "hours": 25, "ref": "GZ000012"},
        wechat_fields=(("first", "关注事项超时未受理"), ("keyword1", "{ref}"), ("keyword2", "{town}")),
    )
)
