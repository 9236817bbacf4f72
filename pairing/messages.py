"""SMS texts of pairing. Never a child's full name, ID number, address or situation."""

from notifications.templates import MessageTemplate, register

register(
    MessageTemplate(
        name="pairing_new_volunteer",
        text="【爱心妈妈】您已与{village}的{given_name}（{age}岁）结对。请登录平台查看关爱须知，感谢您的爱心！",
        description="告知爱心妈妈新的结对",
        example={"village": "柳庄社区居委会", "given_name": "小红", "age": 9},
    )
)
register(
    MessageTemplate(
        name="pairing_new_unit",
        text="【爱心妈妈】贵单位（{unit}）的爱心妈妈{volunteer}已完成一对一结对关爱，感谢支持！",
        description="告知爱心单位其志愿者结对",
        example={"unit": "晋城市某某公司", "volunteer": "王丽"},
    )
)
