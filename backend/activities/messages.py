"""The texts the activities app sends: the activity and its time, never a child's name or situation."""

from notifications.templates import MessageTemplate, register

EXAMPLE = {"title": "暑期关爱夏令营", "when": "7月15日 09:00", "place": "龙港镇文化站"}

register(
    MessageTemplate(
        name="activities.confirmed",
        text="【爱心妈妈】报名成功：{title}，{when}，地点{place}。如不能参加请及时取消，把名额留给别人。",
        description="活动报名成功",
        example=EXAMPLE,
        wechat_fields=(("first", "报名成功"), ("keyword1", "{title}"), ("keyword2", "{when}")),
    )
)
register(
    MessageTemplate(
        name="activities.waiting",
        text="【爱心妈妈】{title}名额已满，已为您登记候补第{position}位；有空位时会短信通知您。",
        description="名额已满，登记候补",
        example={**EXAMPLE, "position": 2},
        wechat_fields=(("first", "已登记候补"), ("keyword1", "{title}"), ("keyword2", "第{position}位")),
    )
)
register(
    MessageTemplate(
        name="activities.day_before",
        text="【爱心妈妈】提醒：明天{when}参加{title}，地点{place}。",
        description="活动前一天提醒",
        example=EXAMPLE,
        wechat_fields=(("first", "明天有活动"), ("keyword1", "{title}"), ("keyword2", "{when}")),
    )
)
register(
    MessageTemplate(
        name="activities.offer",
        text="【爱心妈妈】{title}（{when}）空出一个名额，为您保留到{until}，请打开{link}确认，过时将顺延给下一位。",
        description="候补递补名额",
        example={**EXAMPLE, "until": "7月10日 18:00", "link": "http://127.0.0.1:8000/g/s/abc/"},
        wechat_fields=(("first", "候补名额"), ("keyword1", "{title}"), ("keyword2", "保留到{until}")),
    )
)
register(
    MessageTemplate(
        name="activities.cancelled",
        text="【爱心妈妈】您报名的{title}（{when}）已取消。",
        description="报名取消或活动取消",
        example=EXAMPLE,
        wechat_fields=(("first", "报名已取消"), ("keyword1", "{title}"), ("keyword2", "{when}")),
    )
)
