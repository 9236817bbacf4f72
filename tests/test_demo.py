from io import StringIO

import pytest
from django.core.management import call_command

from backend.children.models import Child
from backend.volunteers.models import Application, Volunteer
from notifications.models import Message
from pairing.models import Pairing, PairingRun, Proposal


def _counts() -> dict:
    return {
        "children": Child.objects.count(),
        "volunteers": Volunteer.objects.count(),
        "applications": Application.objects.count(),
        "runs": PairingRun.objects.count(),
        "pairings": Pairing.objects.count(),
        "messages": Message.objects.count(),
    }


@pytest.mark.django_db
def test_demo_data_shows_every_capability_and_is_idempotent(regions):
    out = StringIO()
    # when
    call_command("seed_demo", stdout=out)
    first = _counts()
    call_command("seed_demo", stdout=StringIO())
    # then: re-running adds nothing
    assert _counts() == first
    # and the demo shows what `make run` promises
    assert Application.objects.filter(status="pending").exists()
    assert first["children"] >= 100
    assert Pairing.objects.filter(status="active").exists()
    assert Proposal.objects.filter(status="proposed", child__village__pk__startswith="140525").exists()
    # the workspace has something to do for 沁水县 and 龙港镇 too: proposals (three left from the first
    # run, and the re-pairing run's after the endings), complete checklists
    assert Proposal.objects.filter(status="proposed", child__village__pk__startswith="140521100").count() >= 3
    from backend.volunteers.selectors import application_annotate_checklist

    ready = application_annotate_checklist(Application.objects.filter(status="pending")).filter(checklist_complete=True)
    assert {a.village_id[:6] for a in ready} == {"140521", "140525"}
    assert Message.objects.exists()
    assert "qinshui" in out.getvalue() and "Qinshui@2026" in out.getvalue()
    # the dashboard's per-village figures are stored: its first page reads them, computes nothing live
    from django.utils import timezone

    from backend.dashboard.selectors import villages_out_of_date

    assert villages_out_of_date(prefix="", today=timezone.localdate()) == []
    assert "工作台村级统计：" in out.getvalue()
