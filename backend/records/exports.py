"""The service record in the national volunteer information system's fields (全国志愿服务信息系统): one row per entry."""

from django.utils.translation import gettext as _

from backend.children.selectors import can_reveal_id_number
from backend.privacy.formulas import row_safe
from backend.privacy.idnumbers import mask_id_number
from backend.records.certificate_pdf import ID_TYPE, volunteer_number


def national_headers() -> list[str]:
    return [
        _("志愿者姓名"),
        _("证件类型"),
        _("证件号码"),
        _("志愿者编号"),
        _("服务日期"),
        _("开始时间"),
        _("结束时间"),
        _("服务时长（小时）"),
        _("服务内容"),
        _("记录来源"),
        _("组织名称"),
    ]


def national_rows(entries, *, user):
    """Yield one formula-safe row per approved entry; the full ID number only for whoever may see it."""
    full = can_reveal_id_number(user)
    for e in entries:
        v = e.volunteer
        yield row_safe(
            [
                v.name,
                ID_TYPE,
                v.id_number if full else mask_id_number(v.id_number),
                volunteer_number(v),
                e.served_on.isoformat(),
                e.starts_at.strftime("%H:%M") if e.starts_at else "",
                e.ends_at.strftime("%H:%M") if e.ends_at else "",
                e.hours,
                e.content,
                e.get_source_display(),
                v.programme.name,
            ]
        )
