import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from backend.ops.models import Heartbeat

BEAT_STALE_AFTER = datetime.timedelta(minutes=5)


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return {"ok": False, "error": type(exc).__name__}


def _check_broker() -> dict:
    from celery_app import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return {"ok": True, "transport": conn.transport.driver_type}
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return {"ok": False, "error": type(exc).__name__}


def _check_cache() -> dict:
    from django.core.cache import cache

    try:
        cache.set("healthz", "1", 10)
        return {"ok": cache.get("healthz") == "1"}
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return {"ok": False, "error": type(exc).__name__}


def health_status() -> dict:
    """Return the platform's health: ok, degraded (broker/cache/beat) or down (database)."""
    database = _check_database()
    broker = _check_broker()
    cache = _check_cache()
    beat: dict = {"ok": False, "last_seen": None}
    if database["ok"]:
        try:
            hb = Heartbeat.objects.filter(name="celery").first()
        except Exception:  # noqa: BLE001 - table may be missing before migrate
            hb = None
        if hb:
            beat = {"ok": timezone.now() - hb.last_seen < BEAT_STALE_AFTER, "last_seen": hb.last_seen.isoformat()}
    if not database["ok"]:
        state = "down"
    elif broker["ok"] and cache["ok"]:
        state = "ok"
    else:
        state = "degraded"
    return {
        "status": state,
        "database": database,
        "broker": broker,
        "cache": cache,
        "beat": beat,
        "debug": settings.DEBUG,
    }
