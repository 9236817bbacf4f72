"""The dashboard's figures as plain JSON-ready data (the API, and the charts on the page)."""

from backend.dashboard.selectors import LOAD_BUCKETS


def dashboard_json(data: dict) -> dict:
    """Return the figures of ``dashboard_data`` as JSON-ready data."""
    region = data["region"]
    return {
        "today": data["today"].isoformat(),
        "region": {"code": region.code, "name": region.name, "level": region.level} if region else None,
        # Always true now (kept for clients written when the overdue figure could be missing).
        "overdue_available": True,
        "total": data["total"].as_dict(),
        "rows": [r.as_dict() for r in data["rows"]],
        "checkins_by_month": data["months"],
        "load_buckets": [
            {"key": key, "label": str(label), "volunteers": data["total"].load_buckets[key]}
            for key, label in LOAD_BUCKETS
        ],
        "lists": data["lists"],
    }
