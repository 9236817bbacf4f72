import pytest

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_broker_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == {"ok": True, "vendor": "postgresql"}
    assert body["broker"]["ok"] is True
    assert body["status"] == "ok"


def test_healthz_is_degraded_when_the_broker_is_unreachable(client, settings):
    from celery_app import app

    original = app.conf.broker_write_url
    app.conf.broker_write_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_write_url = original
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["broker"]["ok"] is False


def test_healthz_shows_the_last_heartbeat(client):
    from backend.ops.services import heartbeat_record

    heartbeat_record(name="celery")
    assert client.get("/healthz").json()["beat"]["ok"] is True
