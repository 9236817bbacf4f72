"""The to-do home: counts and first rows of what needs her, oldest first, each linking where she acts."""

import datetime

import pytest
from django.utils import timezone

from backend.children.models import ImportJob
from backend.children.services import concern_raise
from tests.children.factories import ChildFactory
from tests.factories import ChildDirectorFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_urgent_concerns_come_first_with_hours_since_raised(client, qinshui_officer, longgang_officer):
    now = timezone.now()
    old_low = concern_raise(
        child=ChildFactory(),
        raised_by=longgang_officer,
        severity="low",
        category="other",
        description="a",
        now=now - datetime.timedelta(hours=50),
    )
    urgent = concern_raise(
        child=ChildFactory(),
        raised_by=longgang_officer,
        severity="urgent",
        category="neglect",
        description="b",
        now=now - datetime.timedelta(hours=30),
    )
    client.force_login(qinshui_officer)
    html = client.get("/staff/").content.decode()
    assert html.index(urgent.reference) < html.index(old_low.reference)
    assert "已 30 小时" in html and "超时未受理" in html
    assert f'href="/staff/concerns/{urgent.pk}/"' in html


def test_children_without_a_volunteer_link_to_their_file(client, qinshui_officer):
    child = ChildFactory()
    client.force_login(qinshui_officer)
    html = client.get("/staff/").content.decode()
    assert f'href="/staff/children/{child.pk}/"' in html


def test_import_jobs_of_her_region_are_visible_to_its_staff(client, qinshui_officer, longgang_officer, zezhou_officer):
    job = ImportJob.objects.create(created_by=longgang_officer, file_name="龙港镇名单.xlsx", file_format="xlsx")
    client.force_login(qinshui_officer)
    assert "龙港镇名单.xlsx" in client.get("/staff/").content.decode()
    assert client.get(f"/api/children/imports/{job.pk}/").status_code == 200
    client.force_login(zezhou_officer)
    assert "龙港镇名单.xlsx" not in client.get("/staff/").content.decode()
    assert client.get(f"/api/children/imports/{job.pk}/").status_code == 404


def test_a_child_director_sees_her_villages_only_and_no_federation_sections(client, regions):
    director = ChildDirectorFactory(village_codes=["140521100001"])
    mine = ChildFactory()
    other = ChildFactory(village_id="140521100002")
    client.force_login(director)
    html = client.get("/staff/").content.decode()
    assert f"/staff/children/{mine.pk}/" in html and f"/staff/children/{other.pk}/" not in html
    assert "todo-applications" not in html and "dashboard-link" not in html


def test_applications_waiting_oldest_first_with_overdue_ones_marked(client, qinshui_officer, programme):
    from tests.volunteers.factories import ApplicationFactory

    old = ApplicationFactory(programme=programme, village_id="140521100001", name="张老")
    new = ApplicationFactory(programme=programme, village_id="140521100001", name="李新")
    type(old).objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=9))
    client.force_login(qinshui_officer)
    html = client.get("/staff/").content.decode()
    assert html.index("张老") < html.index("李新") and "超期未审" in html
    assert new.pk


def test_the_home_takes_a_fixed_number_of_queries(client, regions, django_assert_max_num_queries):
    officer = StaffFactory(home_region_id="140521")
    for _ in range(5):
        ChildFactory()
    client.force_login(officer)
    with django_assert_max_num_queries(40):
        assert client.get("/staff/").status_code == 200


def test_proposals_wait_for_her_level_only_once_every_lower_level_has_approved(
    qinshui_officer, longgang_officer, programme, regions
):
    from backend.workspace.selectors import todo_home
    from pairing.models import Proposal
    from pairing.services import pairing_run_execute, pairing_run_start, proposal_approve
    from tests.volunteers.factories import VolunteerFactory

    programme.approval_levels = [3, 4]  # the town approves first, then the county
    programme.save()
    for n in (1, 2):
        ChildFactory(village_id=f"14052110000{n}", given_name=f"小{n}")
        VolunteerFactory(village_id=f"14052110000{n}", programme=programme, capacity=1)
    run = pairing_run_start(user=qinshui_officer, programme=programme, region=regions.get(code="140521"))
    pairing_run_execute(run_id=run.pk)
    first, second = Proposal.objects.order_by("child__given_name")
    proposal_approve(proposal=first, user=longgang_officer)  # the town's step done for the first only

    def waiting(user):
        section = todo_home(user=user)["proposals"]
        return section["count"], [row["id"] for row in section["rows"]]

    assert waiting(qinshui_officer) == (1, [first.pk])  # the county: only what the town passed on
    assert waiting(longgang_officer) == (1, [second.pk])  # the town: what it has not approved
    programme.approval_levels = []  # no levels: any staff member decides
    programme.save()
    assert waiting(qinshui_officer) == (2, [first.pk, second.pk])
