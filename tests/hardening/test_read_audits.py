"""Every read that shows a child's personal data leaves an audit row with the children it showed."""

import pytest

from backend.audit.models import AuditEvent
from tests.hardening.conftest import IN_VILLAGE

pytestmark = pytest.mark.django_db


def _reads(objects):
    return [
        "/admin/children/concern/",
        f"/admin/children/concern/{objects['concern'].pk}/change/",
        "/admin/checkins/checkin/",
        "/admin/checkins/duestate/",
        "/admin/pairing/pairing/",
        f"/admin/pairing/pairing/{objects['pairing'].pk}/change/",
        "/admin/pairing/proposal/",
        "/api/pairing/pairings/",
        f"/api/pairing/pairings/{objects['pairing'].pk}/",
        "/api/pairing/proposals/",
        "/api/checkins/",
        f"/staff/r/{IN_VILLAGE[:6]}/",
    ]


def test_reads_of_childrens_data_are_audited_with_the_children_shown(client, world):
    import datetime

    from backend.checkins.models import DueState
    from backend.checkins.services import contact_rules_default, due_refresh
    from tests.checkins.factories import checkin_for

    objects = world["objects"]["in"]
    pairing = objects["pairing"]
    checkin_for(pairing, on=pairing.started_on)
    contact_rules_default(pairing.programme)
    due_refresh(today=datetime.date(2026, 3, 1), pairing_ids=[pairing.pk])
    assert DueState.objects.filter(pairing=pairing).exists()
    client.force_login(world["users"]["county"])
    missing = []
    for path in _reads(objects):
        before = AuditEvent.objects.count()
        response = client.get(path)
        assert response.status_code == 200, path
        events = list(AuditEvent.objects.order_by("id")[before:])
        shown = {i for e in events if e.object_type == "children.child" for i in e.object_ids}
        expected = objects["proposal"].child if "proposal" in path else objects["child"]
        if str(expected.pk) not in shown:
            missing.append(path)
    assert missing == []
