import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from backend.checkins.models import CheckIn, CheckInChild
from backend.children.services import child_exit
from pairing.models import Pairing
from pairing.services import pairing_create, pairing_pause

pytestmark = pytest.mark.django_db


def test_ledger_names_the_caring_volunteers_and_the_last_check_in(
    client, qinshui_officer, programme, make_child, make_volunteer
):
    child = make_child()
    first, second = make_volunteer(name="李芳"), make_volunteer(name="赵敏")
    pairing = pairing_create(programme=programme, child=child, volunteer=first, user=qinshui_officer)
    paused = pairing_create(programme=programme, child=child, volunteer=second, user=qinshui_officer)
    pairing_pause(pairing=paused, user=qinshui_officer)
    for day in (datetime.date(2026, 9, 1), datetime.date(2026, 10, 8)):
        checkin = CheckIn.objects.create(volunteer=first, kind="phone_call", occurred_on=day)
        CheckInChild.objects.create(checkin=checkin, child=child, pairing=pairing, occurred_on=day)
    lonely = make_child()
    client.force_login(qinshui_officer)
    # when
    response = client.get(reverse("children-api:ledger"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)["信息台账"]
    rows = list(sheet.iter_rows(values_only=True))
    headings = rows[1]
    data = {r[1]: dict(zip(headings, r, strict=True)) for r in rows[2:]}
    # then
    assert data[child.pk]["结对爱心妈妈"] == "李芳、赵敏（暂停）"
    assert data[child.pk]["最近关爱记录"] == "2026-10-08"
    assert data[lonely.pk]["结对爱心妈妈"] is None and data[lonely.pk]["最近关爱记录"] is None


def test_a_child_who_exits_ends_her_pairings(qinshui_officer, programme, make_child, make_volunteer):
    child = make_child()
    pairing = pairing_create(programme=programme, child=child, volunteer=make_volunteer(), user=qinshui_officer)
    child_exit(child=child, exited_by=qinshui_officer, reason="parents_returned")
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ENDED
    assert pairing.end_reason == Pairing.EndReason.CHILD_EXITED
    assert pairing.ended_on is not None
