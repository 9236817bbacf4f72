"""Children's spreadsheets: the import template, reading and checking uploads, the ledger export.

Headings are in Chinese (staff fill them in Excel); choice columns take the Chinese
label shown in the template's notes. Nothing here writes children: ``imports.py`` does.
"""

import csv
import datetime
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from backend.children.models import Child, Concern
from backend.children.selectors import OPEN_CONCERN_STATUSES, child_list_for
from backend.privacy.formulas import row_safe


@dataclass(frozen=True)
class Column:
    field: str
    heading: str
    required: bool = False
    kind: str = "text"  # text, date, choice, needs, int, id
    choices: type | None = None
    example: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("family_name", "姓", True, example="王"),
    Column("given_name", "名", True, example="小红"),
    Column("gender", "性别", kind="choice", choices=Child.Gender, example="女"),
    Column("birth_date", "出生日期", kind="date", example="2015-03-07"),
    Column("id_number", "身份证号码", True, kind="id", example="140521201503070022"),
    Column("village_id", "村（社区）", True, example="140521100001 或 晋城市沁水县龙港镇柳庄社区居委会"),
    Column("address_detail", "详细住址", example="柳庄社区3排5号"),
    Column("school", "学校", example="龙港镇中心小学"),
    Column("grade", "年级", example="四年级"),
    Column("category", "儿童类别", True, kind="choice", choices=Child.Category, example="留守儿童"),
    Column("difficulty_subtype", "困境类型", kind="choice", choices=Child.DifficultySubtype, example=""),
    Column("guardian_name", "监护人姓名", True, example="王建国"),
    Column(
        "guardian_relation",
        "与儿童关系",
        True,
        kind="choice",
        choices=Child.GuardianRelation,
        example="祖父母/外祖父母",
    ),
    Column("guardian_phone", "监护人电话", example="13800000000"),
    Column("parents_work_place", "父母务工地", example="广东省东莞市"),
    Column("needs", "关爱需求", kind="needs", choices=Child.Need, example="学业辅导、心理关爱"),
    Column("needs_note", "需求说明", example="数学成绩偏弱，性格内向"),
    Column("risk_level", "风险等级", kind="choice", choices=Child.RiskLevel, example="低"),
    Column("volunteers_wanted", "需要爱心妈妈人数", kind="int", example="1"),
    Column("consent_given_by", "同意人", example="王建国"),
    Column("consent_relation", "同意人与儿童关系", example="祖父"),
    Column("consent_given_on", "同意日期", kind="date", example="2026-09-01"),
)
COLUMN_BY_HEADING = {c.heading: c for c in COLUMNS}
HEADING_BY_FIELD = {c.field: c.heading for c in COLUMNS}
# Errors about a field with no column of its own (none today) are reported on the row.
ROW_HEADING = "整行"


class SpreadsheetError(Exception):
    """The file as a whole cannot be read (wrong format, missing columns)."""

    def __init__(self, message: str, *, column: str = ""):
        super().__init__(message)
        self.message = message
        self.column = column


# --- the template -----------------------------------------------------------------


def _notes_rows() -> list[list[str]]:
    rows = [[_("列名"), _("是否必填"), _("填写说明")]]
    for c in COLUMNS:
        if c.kind in ("choice", "needs"):
            how = _("可填：") + "、".join(str(label) for label in c.choices.labels)
            if c.kind == "needs":
                how += _("（可填多项，用顿号分隔）")
        elif c.kind == "date":
            how = _("日期，如 2015-03-07")
        elif c.field == "id_number":
            how = _("18位身份证号码；请将此列设为文本格式，避免Excel改写")
        elif c.field == "village_id":
            how = _("12位村级区划代码，或村（社区）全称（从市级写起）")
        else:
            how = _("例：") + c.example if c.example else ""
        rows.append([c.heading, _("必填") if c.required else _("选填"), how])
    rows.append([])
    rows.append([_("未满14周岁的儿童须填写同意人和同意日期（监护人同意）。")])
    rows.append([_("同一身份证号码重复上传不会重复建档：已在册的儿童按表格内容更新。")])
    return rows


def template_xlsx() -> bytes:
    """Return the import template as an Excel workbook (children sheet + notes sheet)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "儿童信息"
    ws.append([c.heading for c in COLUMNS])
    for i, c in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True, color="C00000" if c.required else "000000")
        ws.column_dimensions[get_column_letter(i)].width = max(12, len(c.heading) * 2 + 4)
        # Text format keeps Excel from turning ID numbers and codes into floats.
        for row in range(2, 1002):
            ws.cell(row=row, column=i).number_format = "@"
    notes = wb.create_sheet("填写说明")
    for row in _notes_rows():
        notes.append(row)
    notes.column_dimensions["A"].width = 22
    notes.column_dimensions["C"].width = 70
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def template_csv() -> bytes:
    """Return the import template as CSV (UTF-8 with BOM, so Excel shows the Chinese)."""
    out = io.StringIO()
    csv.writer(out).writerow([c.heading for c in COLUMNS])
    return out.getvalue().encode("utf-8-sig")


# --- reading an upload --------------------------------------------------------------


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _rows_xlsx(content: bytes) -> Iterator[list]:
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise SpreadsheetError(_("无法读取Excel文件，请使用平台下载的模板")) from exc
    ws = wb["儿童信息"] if "儿童信息" in wb.sheetnames else wb.worksheets[0]
    try:
        for row in ws.iter_rows(values_only=True):
            yield list(row)
    finally:
        wb.close()


def _rows_csv(content: bytes) -> Iterator[list]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SpreadsheetError(_("CSV文件编码无法识别，请保存为UTF-8"))
    yield from csv.reader(io.StringIO(text))


def read_table(content: bytes, file_format: str) -> tuple[list[Column], Iterator[tuple[int, dict[str, object]]]]:
    """Return the file's columns and an iterator of (row number, {field: raw cell}).

    Raise SpreadsheetError if the file cannot be read or lacks a required column.
    Row numbers are the spreadsheet's own (the heading is row 1); empty rows are skipped.
    """
    rows = _rows_xlsx(content) if file_format == "xlsx" else _rows_csv(content)
    try:
        header = next(rows)
    except StopIteration:
        raise SpreadsheetError(_("文件是空的")) from None
    headings = [_cell_text(h) for h in header]
    positions: dict[str, int] = {}
    for i, heading in enumerate(headings):
        if heading in COLUMN_BY_HEADING and heading not in positions:
            positions[heading] = i
    for c in COLUMNS:
        if c.required and c.heading not in positions:
            raise SpreadsheetError(
                _("缺少必填列“%(h)s”，请使用平台下载的模板") % {"h": c.heading},
                column=c.heading,
            )
    columns = [COLUMN_BY_HEADING[h] for h in positions]

    def body() -> Iterator[tuple[int, dict[str, object]]]:
        for number, row in enumerate(rows, start=2):
            cells = {}
            for c in columns:
                i = positions[c.heading]
                cells[c.field] = row[i] if i < len(row) else None
            if all(_cell_text(v) == "" for v in cells.values()):
                continue
            yield number, cells

    return columns, body()


def _parse_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _cell_text(value).replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-").rstrip("日")
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    parts = text.split("-")
    if len(parts) != 3:
        raise ValueError(text)
    return datetime.date(int(parts[0]), int(parts[1]), int(parts[2]))


def _choice_lookup(choices) -> dict[str, str]:
    lookup = {}
    for value, label in choices.choices:
        lookup[str(label)] = value
        lookup[value] = value
        # "祖父母/外祖父母": either half alone is also understood.
        for part in str(label).split("/"):
            lookup.setdefault(part, value)
    return lookup


_LOOKUPS = {c.field: _choice_lookup(c.choices) for c in COLUMNS if c.choices is not None}


def convert_row(cells: dict[str, object]) -> tuple[dict, dict[str, str]]:
    """Turn one row's raw cells into typed values; return (values, {field: error})."""
    values: dict = {}
    errors: dict[str, str] = {}
    for field, raw in cells.items():
        column = next(c for c in COLUMNS if c.field == field)
        text = _cell_text(raw)
        if column.kind == "id":
            if isinstance(raw, float) and not raw.is_integer() or "E+" in text.upper():
                errors[field] = _("身份证号码被Excel改成了数字，请将该列设为文本格式")
                continue
            values[field] = text
        elif column.kind == "date":
            if text == "":
                values[field] = None
                continue
            try:
                values[field] = _parse_date(raw)
            except (ValueError, TypeError):
                errors[field] = _("日期格式不正确，应为 2015-03-07")
        elif column.kind == "choice":
            if text == "":
                values[field] = "" if field != "risk_level" else Child.RiskLevel.LOW
                continue
            code = _LOOKUPS[field].get(text)
            if code is None:
                allowed = "、".join(str(label) for label in column.choices.labels)
                errors[field] = _("无法识别“%(v)s”，可填：%(a)s") % {"v": text, "a": allowed}
            else:
                values[field] = code
        elif column.kind == "needs":
            parts = [p.strip() for p in text.replace("，", "、").replace(",", "、").replace(";", "、").split("、")]
            parts = [p for p in parts if p]
            unknown = [p for p in parts if p not in _LOOKUPS[field]]
            if unknown:
                allowed = "、".join(str(label) for label in column.choices.labels)
                errors[field] = _("无法识别“%(v)s”，可填：%(a)s") % {"v": unknown[0], "a": allowed}
            else:
                values[field] = [_LOOKUPS[field][p] for p in parts]
        elif column.kind == "int":
            if text == "":
                values[field] = 1
                continue
            try:
                values[field] = int(text)
            except ValueError:
                errors[field] = _("应为整数")
        else:
            values[field] = text
    return values, errors


def error_entry(row: int, field: str, message: str) -> dict:
    """Return one row error as stored on the import job and shown to the user."""
    heading = HEADING_BY_FIELD.get(field, ROW_HEADING)
    return {"row": row, "column": heading, "message": message, "text": f"第{row}行 {heading}: {message}"}


# --- the ledger (信息台账) ----------------------------------------------------------------

LEDGER_HEADINGS = (
    "序号",
    "档案编号",
    "姓名",
    "性别",
    "年龄",
    "身份证号码（脱敏）",
    "村（社区）",
    "儿童类别",
    "困境类型",
    "监护人关系",
    "关爱需求",
    "风险等级",
    "需要爱心妈妈人数",
    "结对爱心妈妈",
    "最近关爱记录",
    "待处理关注事项",
    "参加关爱活动（场次）",
    "已实现微心愿",
)


def ledger_queryset(*, user, region_code: str | None = None, children=None):
    """Return the active children of the user's region as plain rows for the ledger.

    ``region_code`` narrows it to a region inside hers (the town or village page she is on);
    ``children`` to what a filtered list shows (a queryset of children she may read).
    """
    open_count = (
        Concern.objects.filter(child=OuterRef("pk"), status__in=OPEN_CONCERN_STATUSES)
        .values("child")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = child_list_for(user=user) if children is None else children
    if region_code:
        qs = qs.filter(village__pk__startswith=region_code)
    return (
        qs.filter(status=Child.Status.ACTIVE)
        .annotate(open_concerns=Subquery(open_count))
        .order_by("village_id", "id")
        .values(
            "id",
            "family_name",
            "given_name",
            "gender",
            "birth_date",
            "id_number_masked",
            "village_id",
            "village__full_name",
            "category",
            "difficulty_subtype",
            "guardian_relation",
            "needs",
            "risk_level",
            "volunteers_wanted",
            "open_concerns",
        )
    )


def _chunks(rows, size: int):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _activities_of(child_ids: list[int]) -> tuple[dict, dict]:
    """Return, for a chunk of children, the activity sessions each attended and her wishes fulfilled.

    Two queries per chunk (care activities and 微心愿, issue 20), never one per child.
    """
    from backend.activities.models import Attendance, Wish

    attended = dict(
        Attendance.objects.filter(signup__child_id__in=child_ids)
        .values("signup__child_id")
        .annotate(n=Count("pk"))
        .values_list("signup__child_id", "n")
    )
    wishes = dict(
        Wish.objects.filter(child_id__in=child_ids, status__in=(Wish.Status.FULFILLED, Wish.Status.THANKED))
        .values("child_id")
        .annotate(n=Count("pk"))
        .values_list("child_id", "n")
    )
    return attended, wishes


def _care_of(child_ids: list[int]) -> tuple[dict[int, list[str]], dict]:
    """Return, for a chunk of children, who cares for each and the date of the last check-in.

    Two queries per chunk of 2,000 rows, never one per child.
    """
    from django.db.models import Max

    from backend.checkins.models import CheckInChild
    from pairing.models import Pairing

    helpers: dict[int, list[str]] = {}
    current = (
        Pairing.objects.filter(child_id__in=child_ids, status__in=(Pairing.Status.ACTIVE, Pairing.Status.PAUSED))
        .order_by("child_id", "id")
        .values_list("child_id", "volunteer__name", "team__name", "status")
    )
    for child_id, volunteer, team, status in current:
        name = volunteer or f"{team}（小分队）"
        helpers.setdefault(child_id, []).append(name + ("（暂停）" if status == Pairing.Status.PAUSED else ""))
    last_care = dict(
        CheckInChild.objects.filter(child_id__in=child_ids)
        .values("child_id")
        .annotate(last=Max("occurred_on"))
        .values_list("child_id", "last")
    )
    return helpers, last_care


def ledger_write(*, user, path: str | os.PathLike, region_code: str | None = None, children=None) -> list[int]:
    """Write the ledger workbook to ``path`` in constant memory; return the exported child ids."""
    today = timezone.localdate()
    labels = {
        "gender": dict(Child.Gender.choices),
        "category": dict(Child.Category.choices),
        "difficulty_subtype": dict(Child.DifficultySubtype.choices),
        "guardian_relation": dict(Child.GuardianRelation.choices),
        "risk_level": dict(Child.RiskLevel.choices),
        "needs": dict(Child.Need.choices),
    }
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("信息台账")
    ws.append([_("儿童信息台账"), "", f"{_('导出时间')}: {timezone.localtime():%Y-%m-%d %H:%M}"])
    ws.append(list(LEDGER_HEADINGS))
    ids: list[int] = []
    n = 0
    for chunk in _chunks(
        ledger_queryset(user=user, region_code=region_code, children=children).iterator(chunk_size=2000), 2000
    ):
        helpers, last_care = _care_of([row["id"] for row in chunk])
        attended, wishes = _activities_of([row["id"] for row in chunk])
        for row in chunk:
            n += 1
            b = row["birth_date"]
            age = today.year - b.year - ((today.month, today.day) < (b.month, b.day))
            ws.append(
                row_safe(
                    [
                        n,
                        row["id"],
                        row["family_name"] + row["given_name"],
                        str(labels["gender"].get(row["gender"], "")),
                        age,
                        row["id_number_masked"],
                        row["village__full_name"],
                        str(labels["category"].get(row["category"], "")),
                        str(labels["difficulty_subtype"].get(row["difficulty_subtype"], "")),
                        str(labels["guardian_relation"].get(row["guardian_relation"], "")),
                        "、".join(str(labels["needs"].get(x, x)) for x in row["needs"] or []),
                        str(labels["risk_level"].get(row["risk_level"], "")),
                        row["volunteers_wanted"],
                        "、".join(helpers.get(row["id"], [])),
                        last_care[row["id"]].isoformat() if row["id"] in last_care else "",
                        row["open_concerns"] or 0,
                        attended.get(row["id"], 0),
                        wishes.get(row["id"], 0),
                    ]
                )
            )
            ids.append(row["id"])
    wb.save(path)
    return ids
