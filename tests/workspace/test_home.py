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
