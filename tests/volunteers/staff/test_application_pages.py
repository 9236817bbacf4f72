"""The workspace's application pages: the queue, the review, bulk approval, the export."""

import io

import pytest
from openpyxl import load_workbook

from backend.audit.models import AuditEvent
from backend.volunteers.models import Application, Volunteer
from backend.volunteers.services import screening_check_set, screening_items_ensure
from notifications.models import Message
from tests.factories import ChildDirectorFactory
from tests.volunteers.factories import ApplicationFactory

pytestmark = pytest.mark.django_db
CHECKS = ("interview", "training", "references", "declarations")


@pytest.fixture
def applications(programme, qinshui_officer):
    screening_items_ensure(programme=programme)
    ready = ApplicationFactory(programme=programme, name="李秀英", skills=["psychology", "teaching"])
    for code in CHECKS:
        screening_check_set(application=ready, item_code=code, done=True, by=qinshui_officer)
    waiting = ApplicationFactory(programme=programme, name="赵小梅")
    decided = ApplicationFactory(programme=programme, name="孙丽", status="approved")
    other_county = ApplicationFactory(programme=programme, name="周敏", village_id="140525100001")
    return {"ready": ready, "waiting": waiting, "decided": decided, "other": other_county}


def test_the_list_shows_her_regions_applications_in_words_waiting_first(client, qinshui_officer, applications):
    client.force_login(qinshui_officer)
    response = client.get("/staff/applications/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "李秀英" in html and "赵小梅" in html and "孙丽" in html
    assert "周敏" not in html  # another county
    assert "心理咨询、教师" in html and "psychology" not in html
    assert html.index("赵小梅") < html.index("孙丽")
    assert "已完成" in html


def test_the_filters_stay_in_the_query_string_and_narrow_the_list(client, qinshui_officer, applications):
    client.force_login(qinshui_officer)
    html = client.get("/staff/applications/?status=approved").content.decode()
    assert "孙丽" in html and "赵小梅" not in html
    assert "?status=approved" in html  # the export keeps the filter


def test_a_bad_filter_is_answered_beside_its_field_not_with_a_500(client, qinshui_officer, applications):
    client.force_login(qinshui_officer)
    response = client.get("/staff/applications/?submitted_from=2026-12-01&submitted_to=2026-11-01")
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in response.content.decode()
    response = client.get("/staff/applications/?status=bogus&caring_unit=abc")
    assert response.status_code == 200


def test_reviewing_rejects_with_a_reason_sent_by_sms(client, qinshui_officer, applications):
    client.force_login(qinshui_officer)
    application = applications["waiting"]
    response = client.post(f"/staff/applications/{application.pk}/", {"action": "reject", "reason": "年龄不符合"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "rejected"
    assert "年龄不符合" in Message.objects.get(template="application_rejected").body


def test_rejecting_without_a_reason_shows_the_error_beside_the_field(client, qinshui_officer, applications):
    client.force_login(qinshui_officer)
    application = applications["waiting"]
    response = client.post(f"/staff/applications/{application.pk}/", {"action": "reject", "reason": ""})
    assert response.status_code == 400
    assert 'id="error-reason"' in response.content.decode()
    assert Application.objects.get(pk=application.pk).status == "pending"


def test_approving_with_the_checklist_incomplete_names_what_is_missing(client, qinshui_officer, applications):
    client.force_login(qinshui_officer)
    application = applications["waiting"]
    response = client.post(f"/staff/applications/{application.pk}/", {"action": "approve", "check_interview": "on"})
    assert response.status_code == 400
    assert "岗前培训" in response.content.decode()
    assert not application.checks.exists()  # nothing half-written


def test_ticks_without_a_decision_are_saved(client, qinshui_officer, applications):
    client.force_login(qinshui_officer)
    application = applications["waiting"]
    response = client.post(f"/staff/applications/{application.pk}/", {"check_interview": "on"})
    assert response.status_code == 302
    assert application.checks.get().item.code == "interview"


def test_bulk_approve_confirms_then_approves_only_the_complete(client, qinshui_officer, applications):
    client.force_login(qinshui_officer)
    ids = [applications["ready"].pk, applications["waiting"].pk]
    confirm = client.post("/staff/applications/bulk-approve/", {"ids": ids})
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "李秀英" in html and "筛查清单未完成" in html
    assert not Volunteer.objects.exists()
    done = client.post("/staff/applications/bulk-approve/", {"ids": [applications["ready"].pk], "confirmed": "on"})
    assert done.status_code == 302
    assert Volunteer.objects.get().name == "李秀英"


def test_bulk_approve_ignores_ids_outside_the_region(client, qinshui_officer, applications):
    client.force_login(qinshui_officer)
    response = client.post("/staff/applications/bulk-approve/", {"ids": [applications["other"].pk], "confirmed": "on"})
    assert response.status_code == 302
    assert Application.objects.get(pk=applications["other"].pk).status == "pending"


def test_another_countys_application_is_404(client, qinshui_officer, applications):
    client.force_login(qinshui_officer)
    assert client.get(f"/staff/applications/{applications['other'].pk}/").status_code == 404
    post = client.post(f"/staff/applications/{applications['other'].pk}/", {"action": "reject", "reason": "x"})
    assert post.status_code == 404


def test_child_directors_may_not_review_applications(client, regions, applications):
    director = ChildDirectorFactory()
    director.villages.add("140521100001")
    client.force_login(director)
    assert client.get("/staff/applications/").status_code == 403


def test_the_export_is_her_regions_filtered_list_and_is_audited(client, qinshui_officer, applications):
    client.force_login(qinshui_officer)
    response = client.get("/staff/applications/export/?status=pending")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == ["李秀英", "赵小梅"]
    assert AuditEvent.objects.filter(action="export", object_type="application").exists()
