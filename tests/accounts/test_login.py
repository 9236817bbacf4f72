import pytest
from django.urls import reverse

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR="10.1.2.3"
    )


def test_staff_signs_in_to_the_chinese_admin(client, qinshui_officer):
    response = _login(client, "qinshui", TEST_PASSWORD)
    assert response.status_code == 302
    page = client.get("/admin/")
    assert page.status_code == 200
    assert "爱心妈妈结对关爱平台" in page.content.decode()


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, qinshui_officer, settings):
    codes = [_login(client, "qinshui", "wrong-password").status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert codes[:-1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)  # the form again, with an error
    # when: the right password comes after the limit
    response = _login(client, "qinshui", TEST_PASSWORD)
    # then: still refused, with a page that says so
    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_password_must_pass_the_validators(regions):
    from backend.accounts.services import AccountError, staff_create

    with pytest.raises(AccountError):
        staff_create(username="weak", password="12345678", home_region=regions.get(code="140521"))


def test_officer_cannot_create_an_account_outside_her_region(qinshui_officer, regions):
    from backend.accounts.services import AccountError, staff_create

    with pytest.raises(AccountError):
        staff_create(
            username="intruder",
            password="A-long-enough-pass-99",
            home_region=regions.get(code="140525"),
            created_by=qinshui_officer,
        )
