import datetime
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
    # the service record: a year of approved hours, one honoured, one certificate final and one in publicity
    from backend.records.models import Certificate, Nomination, ServiceEntry

    today = timezone.localdate()
    year_ago = ServiceEntry.objects.filter(status="approved", served_on__lte=today - datetime.timedelta(days=300))
    assert year_ago.exists()
    assert ServiceEntry.objects.filter(status="pending").exists()
    assert Nomination.objects.filter(status="awarded").count() == 1
    issued = [c for c in Certificate.objects.filter(status="issued")]
    assert sum(c.is_final(today) for c in issued) == 1
    assert sum(c.in_publicity(today) for c in issued) == 1


@pytest.mark.django_db
def test_demo_activities_show_a_full_camp_a_lecture_series_and_wishes_in_every_state(regions):
    from backend.activities.models import Activity, Attendance, Signup, Wish

    call_command("seed_demo", stdout=StringIO())
    camp = Activity.objects.get(kind="camp")
    assert camp.signups.filter(audience="child", status="confirmed").count() == camp.capacity_children
    assert camp.signups.filter(status=Signup.Status.WAITING).exists()
    lecture = Activity.objects.get(kind="lecture")
    assert lecture.sessions.count() == 4 and Attendance.objects.filter(session__activity=lecture).exists()
    assert set(Wish.objects.values_list("status", flat=True)) == set(Wish.Status.values)
