"""Bulk import from the downloadable template: per-row errors, all-or-nothing, idempotent."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from backend.audit.models import AuditEvent
from backend.children.imports import import_job_create, import_job_run
from backend.children.models import Child, ImportJob
from backend.children.spreadsheets import COLUMNS, template_csv, template_xlsx
from backend.children.tasks import child_import_run_task
from tests.children.factories import ChildFactory, birth_date_for_age, make_id_number, with_bad_check_digit

pytestmark = pytest.mark.django_db

HEADINGS = [c.heading for c in COLUMNS]


def _row(n: int, **overrides) -> dict:
    birth = birth_date_for_age(6 + n % 11)
    row = {
        "姓": "张",
        "名": f"童{n}",
        "身份证号码": make_id_number(birth, female=n % 2 == 0, seq=n % 500),
        "村（社区）": "140521100001",
        "儿童类别": "留守儿童",
        "监护人姓名": "张大爷",
        "与儿童关系": "祖父母/外祖父母",
        "监护人电话": "13912345678",
        "关爱需求": "学业辅导、心理关爱",
        "风险等级": "低",
        "同意人": "张大爷",
        "同意日期": "2026-01-05",
    }
    row.update(overrides)
    return row


def _unique_rows(count: int) -> list[dict]:
    # Distinct ID numbers: vary the birth date as well as the sequence.
    rows = []
    for n in range(count):
        birth = birth_date_for_age(6 + n % 11)
        birth = birth.replace(day=1 + (n // 500) % 28)
        number = make_id_number(birth, female=n % 2 == 0, seq=n % 500)
        rows.append(_row(n, 身份证号码=number))
    return rows


def _csv(rows: list[dict], headings=HEADINGS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headings)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headings])
    return out.getvalue().encode("utf-8-sig")


def _xlsx(rows: list[dict]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "儿童信息"
    ws.append(HEADINGS)
    for row in rows:
        ws.append([row.get(h, "") for h in HEADINGS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _run(user, content: bytes, name="children.csv", import_valid_rows=False) -> ImportJob:
    job = import_job_create(created_by=user, file_name=name, content=content, import_valid_rows=import_valid_rows)
    child_import_run_task(job.pk)
    job.refresh_from_db()
    return job


def test_template_has_the_chinese_headings_and_a_notes_sheet():
    wb = load_workbook(io.BytesIO(template_xlsx()))
    assert [c.value for c in wb["儿童信息"][1]] == HEADINGS
    notes = [r[0].value for r in wb["填写说明"].iter_rows(min_row=2) if r[0].value]
    assert "身份证号码" in notes
    assert template_csv().decode("utf-8-sig").strip().split(",") == HEADINGS


def test_clean_file_is_imported_and_audited(qinshui_officer):
    job = _run(qinshui_officer, _xlsx([_row(1), _row(2, 儿童类别="困境儿童", 困境类型="孤儿")]), name="a.xlsx")
    assert (job.status, job.created_count, job.progress, job.error_count) == ("done", 2, 100, 0)
    orphan = Child.objects.get(given_name="童2")
    assert orphan.difficulty_subtype == "orphan" and orphan.needs == ["study", "psychological"]
    assert job.content == ""  # the upload is not kept
    event = AuditEvent.objects.get(action="import")
    assert len(event.object_ids) == 2 and event.region_code == "140521100001"


def test_village_may_be_given_by_its_full_name(qinshui_officer):
    job = _run(qinshui_officer, _csv([_row(1, **{"村（社区）": "晋城市沁水县龙港镇宣化社区居委会"})]))
    assert job.status == "done"
    assert Child.objects.get().village_id == "140521100002"


def test_errors_are_reported_by_row_and_column_and_nothing_is_imported(qinshui_officer):
    rows = [
        _row(1),
        _row(2, 身份证号码=with_bad_check_digit(_row(2)["身份证号码"])),
        _row(3, **{"村（社区）": "140521999999"}),
        _row(4, **{"村（社区）": "140525100001"}),  # 泽州县: not hers
        _row(5, 儿童类别="流动儿童"),
        _row(1, 名="重复"),  # same ID number as row 2 of the sheet
    ]
    job = _run(qinshui_officer, _csv(rows))
    assert job.status == "rejected" and job.created_count == 0
    assert not Child.objects.exists()
    texts = [e["text"] for e in job.errors]
    assert any(t.startswith("第3行 身份证号码: ") and "校验位" in t for t in texts)
    assert any(t.startswith("第4行 村（社区）: ") and "找不到" in t for t in texts)
    assert any(t.startswith("第5行 村（社区）: ") and "辖区" in t for t in texts)
    assert any(t.startswith("第6行 儿童类别: ") and "流动儿童" in t for t in texts)
    assert any(t.startswith("第7行 身份证号码: ") and "第2行" in t for t in texts)
    assert job.error_count == 5


def test_import_valid_rows_only_skips_the_bad_ones(qinshui_officer):
    rows = [_row(1), _row(2, 身份证号码="123"), _row(3)]
    job = _run(qinshui_officer, _csv(rows), import_valid_rows=True)
    assert (job.status, job.created_count, job.error_count) == ("done", 2, 1)
    assert job.errors[0]["row"] == 3 and job.errors[0]["column"] == "身份证号码"
    assert Child.objects.count() == 2


def test_missing_required_column_rejects_the_file(qinshui_officer):
    headings = [h for h in HEADINGS if h != "身份证号码"]
    job = _run(qinshui_officer, _csv([_row(1)], headings=headings))
    assert job.status == "rejected"
    assert job.errors[0]["column"] == "身份证号码" and "缺少" in job.errors[0]["message"]


def test_a_file_that_is_not_a_spreadsheet_is_rejected(qinshui_officer):
    job = _run(qinshui_officer, b"PK\x03\x04 not really a zip", name="a.xlsx")
    assert job.status == "rejected" and "Excel" in job.message


def test_re_upload_creates_no_duplicates_and_updates_changed_rows(qinshui_officer):
    rows = [_row(1), _row(2)]
    assert _run(qinshui_officer, _csv(rows)).created_count == 2
    again = _run(qinshui_officer, _csv(rows))
    assert (again.status, again.created_count, again.updated_count, again.unchanged_count) == ("done", 0, 0, 2)
    rows[1]["风险等级"] = "高"
    third = _run(qinshui_officer, _csv(rows))
    assert (third.created_count, third.updated_count, third.unchanged_count) == (0, 1, 1)
    assert Child.objects.count() == 2
    changed = Child.objects.get(given_name="童2")
    assert changed.risk_level == "high" and changed.changes.filter(source="import", field="risk_level").exists()


def test_a_child_registered_in_another_region_is_not_taken_over(qinshui_officer):
    other = ChildFactory(village_id="140525100001")
    job = _run(qinshui_officer, _csv([_row(1, 身份证号码=other.id_number)]))
    assert job.status == "rejected" and "其他辖区" in job.errors[0]["message"]
    other.refresh_from_db()
    assert other.village_id == "140525100001"


def test_a_redelivered_task_does_nothing_twice(qinshui_officer):
    job = _run(qinshui_officer, _csv([_row(1)]))
    import_job_run(job=job)
    assert Child.objects.count() == 1


def test_ten_thousand_rows_import(qinshui_officer):
    # given a 10,000-row file over the county's villages
    villages = ["140521100001", "140521100002", "140521100003", "140521101200"]
    rows = _unique_rows(10_000)
    for n, row in enumerate(rows):
        row["村（社区）"] = villages[n % len(villages)]
    content = _csv(rows)
    # when it is processed
    job = _run(qinshui_officer, content, name="big.csv")
    # then every row is in, once, and the job says so
    assert job.status == "done", job.errors[:3]
    assert (job.total_rows, job.created_count, job.progress) == (10_000, 10_000, 100)
    assert Child.objects.filter(village__pk__startswith="140521").count() == 10_000
    # and a re-upload adds nobody
    again = _run(qinshui_officer, content)
    assert (again.created_count, again.unchanged_count) == (0, 10_000)
    assert Child.objects.count() == 10_000


def test_progress_is_stored_while_rows_are_checked(qinshui_officer, monkeypatch):
    import backend.children.imports as imports

    recorded = []
    real = imports._progress

    def spy(job, done, total):
        real(job, done, total)
        recorded.append(ImportJob.objects.get(pk=job.pk).progress)

    monkeypatch.setattr(imports, "_progress", spy)
    _run(qinshui_officer, _csv(_unique_rows(1000)))
    assert recorded == sorted(recorded) and recorded[0] < recorded[-1] <= 90
    assert len(recorded) == 5


def test_upload_through_the_api_and_poll_the_job(client, qinshui_officer, django_capture_on_commit_callbacks):
    client.force_login(qinshui_officer)
    upload = io.BytesIO(_xlsx([_row(1)]))
    upload.name = "children.xlsx"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("children-api:import-create"), {"file": upload})
    assert response.status_code == 202 and len(callbacks) == 1
    job_id = response.json()["id"]
    assert response.json()["status"] == "pending"
    child_import_run_task(job_id)  # what the worker does with the queued message
    polled = client.get(reverse("children-api:import-detail", args=[job_id])).json()
    assert (polled["status"], polled["progress"], polled["created_count"]) == ("done", 100, 1)


def test_upload_of_another_format_is_a_400(client, qinshui_officer):
    client.force_login(qinshui_officer)
    upload = io.BytesIO(b"hello")
    upload.name = "children.txt"
    response = client.post(reverse("children-api:import-create"), {"file": upload})
    assert response.status_code == 400 and "file" in response.json()
