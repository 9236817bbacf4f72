"""The OpenAPI schema and Swagger UI are for federation staff unless API_DOCS_PUBLIC is set."""

import json

import pytest

from tests.factories import ChildDirectorFactory, StaffFactory, SuperuserFactory, VolunteerUserFactory

pytestmark = pytest.mark.django_db


def test_an_anonymous_visitor_is_sent_to_sign_in_and_refused_the_schema(client):
    docs = client.get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith("/admin/login/?next=/api/docs/")
    assert client.get("/api/schema/").status_code == 403


@pytest.mark.parametrize("factory", [VolunteerUserFactory, ChildDirectorFactory])
def test_volunteers_and_child_directors_may_not_read_the_api_docs(client, regions, factory):
    client.force_login(factory())
    assert client.get("/api/docs/").status_code == 403
    assert client.get("/api/docs/", {"script": ""}).status_code == 403
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 403
    assert "接口文档仅向妇联工作人员开放" in json.loads(schema.content)["detail"]


@pytest.mark.parametrize("factory", [StaffFactory, SuperuserFactory])
def test_federation_staff_read_the_schema_and_the_swagger_ui(client, regions, factory):
    client.force_login(factory())
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200 and "/api/children/" in schema.json()["paths"]
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    # the Swagger UI's own code is a separate URL, not inline (CSP script-src 'self')
    assert '<script src="/api/docs/?script=' in html and "<script>" not in html and "<style>" not in html
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_api_docs_public_opens_them_to_everyone(client, settings):
    settings.API_DOCS_PUBLIC = True
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
