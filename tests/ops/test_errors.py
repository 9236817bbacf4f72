"""The API's errors speak the active language (Chinese by default), DRF's own messages included."""

import pytest

pytestmark = pytest.mark.django_db


def test_an_anonymous_caller_is_told_to_sign_in_in_her_language(client):
    response = client.get("/api/children/")
    assert response.status_code in (401, 403)
    assert "身份认证" in response.json()["detail"] and " / " not in response.json()["detail"]
    response = client.get("/api/children/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["detail"] == "Authentication credentials were not provided."


def test_an_unknown_record_is_not_found_in_one_language_at_a_time(client, regions):
    from tests.factories import StaffFactory

    client.force_login(StaffFactory(username="q", home_region_id="140521"))
    response = client.get("/api/children/99999999/")
    assert response.status_code == 404
    assert response.json()["detail"] == "未找到。"
    response = client.get("/api/children/99999999/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["detail"] == "Not found."


def test_service_messages_are_left_as_they_are(client):
    from backend.ops.errors import ServiceError, api_exception_handler

    response = api_exception_handler(ServiceError("身份证号码校验位不正确", field="id"), {})
    assert response.data == {"id": ["身份证号码校验位不正确"], "code": "invalid"}
