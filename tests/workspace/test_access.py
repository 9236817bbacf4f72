"""Who may use /staff/: sign-in at /staff/login/, workspace users in, volunteers out, never cached."""

import pytest

from tests.factories import TEST_PASSWORD, ChildDirectorFactory, SuperuserFactory, VolunteerUserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_the_staff_sign_in_page(client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/login/?next=/staff/"


def test_officer_signs_in_at_staff_login_and_lands_on_the_to_do_home(client, qinshui_officer):
    page = client.get("/staff/login/")
    assert page.status_code == 200
    assert "工作人员登录" in page.content.decode()
    response = client.post("/staff/login/", {"username": "qinshui", "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/staff/"
    home = client.get("/staff/")
    assert home.status_code == 200
    html = home.content.decode()
    assert "沁水县" in html  # the region in the top bar
    assert 'action="/staff/logout/"' in html


def test_wrong_password_is_refused_beside_the_form_in_chinese(client, qinshui_officer):
    response = client.post("/staff/login/", {"username": "qinshui", "password": "nope"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_a_volunteer_cannot_sign_in_to_the_workspace(client):
    volunteer = VolunteerUserFactory()
    response = client.post("/staff/login/", {"username": volunteer.username, "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert "此账号不能登录工作台" in response.content.decode()
    client.force_login(volunteer)
    assert client.get("/staff/").status_code == 403


@pytest.mark.parametrize("make", ["director", "superuser", "officer"])
def test_workspace_users_open_the_home(client, regions, longgang_officer, make):
    user = {
        "director": lambda: ChildDirectorFactory(village_codes=["140521100001"]),
        "superuser": SuperuserFactory,
        "officer": lambda: longgang_officer,
    }[make]()
    client.force_login(user)
    response = client.get("/staff/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_child_director_without_villages_is_refused(client, regions):
    client.force_login(ChildDirectorFactory())
    assert client.get("/staff/").status_code == 403


def test_sign_out_is_a_post_and_ends_the_session(client, qinshui_officer):
    client.force_login(qinshui_officer)
    assert client.get("/staff/logout/").status_code == 405
    response = client.post("/staff/logout/")
    assert response.status_code == 302 and response["Location"] == "/staff/login/"
    assert client.get("/staff/").status_code == 302


def test_the_dashboard_moved_under_staff_dashboard_with_its_names(client, qinshui_officer):
    from django.urls import reverse

    assert reverse("dashboard:home") == "/staff/dashboard/"
    assert reverse("dashboard:region", args=["140521"]) == "/staff/r/140521/"
    client.force_login(qinshui_officer)
    assert client.get("/staff/dash/")["Location"] == "/staff/dashboard/"
    page = client.get("/staff/dashboard/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
