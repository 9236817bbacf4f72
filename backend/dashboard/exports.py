"""The dashboard's figures as an Excel workbook: one sheet per table on the page."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from backend.dashboard.selectors import LOAD_BUCKETS, Figures
from backend.privacy.formulas import row_safe


def _figure_columns() -> list[tuple[str, str]]:
    return [
        ("code", _("区划代码")),
        ("name", _("区划")),
        ("registered", _("在册儿童")),
        ("left_behind", _("留守儿童")),
        ("in_difficulty", _("困境儿童")),
        ("paired", _("已结对")),
        ("unpaired", _("未结对")),
        ("coverage", _("覆盖率%")),
        ("checked_30", _("近30天有关爱记录")),
        ("checked_90", _("近90天有关爱记录")),
        ("overdue", _("逾期结对")),
        ("open_concerns", _("未办结关注事项")),
        ("volunteers", _("在岗爱心妈妈")),
        ("volunteer_pairings", _("当前结对数")),
        ("volunteer_capacity", _("可结对总数")),
        ("load", _("负荷%")),
        ("applications_waiting", _("待审核报名")),
    ]


def _sheet(wb: Workbook, title: str, headers: list[str], rows: list[list]) -> None:
    # A write-only sheet: rows are streamed out (a province's lists are tens of thousands
    # of rows), so widths and panes are set before the first row.
    ws = wb.create_sheet(title=title[:31])
    ws.freeze_panes = "A2"
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(header) + 4))
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=header)
        cell.font = Font(bold=True)
        header_cells.append(cell)
    ws.append(header_cells)
    for row in rows:
        ws.append(row_safe(row))


def _activity_sheets(wb: Workbook, data: dict) -> None:
    """Care activities (issue 20): the region per month, and each region one level down per month."""
    from backend.activities.selectors import activity_region_months

    headers = [_("开展活动"), _("参加儿童（人）"), _("参加监护人（人）"), _("实现微心愿")]
    keys = ("activities_held", "children_reached", "guardians_reached", "wishes_fulfilled")
    _sheet(
        wb,
        _("每月关爱活动"),
        [_("月份"), *headers],
        [[m["month"], *(m[k] for k in keys)] for m in data["activity_months"]],
    )
    region = data["region"]
    code = region.code if region else ""
    rows = data["rows"]
    if not rows:
        return
    names = {r.code: r.name for r in rows}
    if region is not None:
        names[code] = region.name
    per_region = activity_region_months(region_code=code, length=len(rows[0].code), today=data["today"])
    _sheet(
        wb,
        _("各区划每月关爱活动"),
        [_("区划代码"), _("区划"), _("月份"), *headers],
        [[r["code"], names.get(r["code"], r["code"]), r["month"], *(r[k] for k in keys)] for r in per_region],
    )


def dashboard_workbook(data: dict) -> bytes:
    """Return the .xlsx bytes of the figures, charts' data and lists of ``dashboard_data``."""
    wb = Workbook(write_only=True)
    columns = _figure_columns()
    total: Figures = data["total"]

    def figure_row(f: Figures) -> list:
        d = f.as_dict()
        return [d[key] for key, _label in columns]

    _sheet(
        wb,
        _("分区域统计"),
        [label for _key, label in columns],
        [figure_row(r) for r in data["rows"]] + [[*figure_row(total)[:1], _("合计"), *figure_row(total)[2:]]],
    )
    _sheet(
        wb,
        _("每月关爱记录"),
        [_("月份"), _("关爱记录数")],
        [[m["month"], m["checkins"]] for m in data["months"]],
    )
    _sheet(
        wb,
        _("爱心妈妈负荷"),
        [_("负荷"), _("人数")],
        [[str(label), total.load_buckets[key]] for key, label in LOAD_BUCKETS],
    )
    lists = data["lists"]
    _sheet(
        wb,
        _("未结对儿童"),
        [
            _("编号"),
            _("儿童"),
            _("村（社区）"),
            _("类别"),
            _("登记日期"),
        ],
        [[r["id"], r["name"], r["village"], r["category"], r["registered_on"]] for r in lists["unpaired"]["rows"]],
    )
    _sheet(
        wb,
        _("逾期结对"),
        [
            _("结对编号"),
            _("儿童"),
            _("村（社区）"),
            _("爱心妈妈"),
            _("手机号"),
            _("逾期起始"),
            _("逾期天数"),
        ],
        [
            [r["id"], r["child"], r["village"], r["volunteer"], r["phone"], r["overdue_since"], r["overdue_days"]]
            for r in lists["lapsed_pairings"]["rows"]
        ],
    )
    _sheet(
        wb,
        _("60天无关爱记录的爱心妈妈"),
        [
            _("编号"),
            _("爱心妈妈"),
            _("手机号"),
            _("村（社区）"),
            _("最近关爱记录"),
        ],
        [
            [r["id"], r["name"], r["phone"], r["village"], r["last_checkin"] or ""]
            for r in lists["lapsed_volunteers"]["rows"]
        ],
    )
    _sheet(
        wb,
        _("未办结关注事项"),
        [
            _("编号"),
            _("儿童"),
            _("村（社区）"),
            _("严重程度"),
            _("类别"),
            _("状态"),
            _("报告日期"),
            _("已过天数"),
        ],
        [
            [
                r["id"],
                r["child"],
                r["village"],
                r["severity"],
                r["category"],
                r["status"],
                r["raised_on"],
                r["age_days"],
            ]
            for r in lists["open_concerns"]["rows"]
        ],
    )
    _activity_sheets(wb, data)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
