"""What the page benches share: a bench officer, timed requests through the test client, a CPU calibration.

Import it after ``django.setup()`` (the benches set Django up at the top of their script).
"""

import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from backend.accounts.models import User


def bench_officer(username: str, region: str) -> User:
    """Return a staff user whose home is ``region``, made once per bench database."""
    user, _ = User.objects.update_or_create(
        username=username, defaults={"role": User.Role.STAFF, "is_staff": True, "home_region_id": region}
    )
    return user


def request_times(client: Client, url: str, repeat: int) -> tuple[list[float], int, int]:
    """Return the ms of ``repeat`` GETs of ``url`` after one warm-up, then one more's queries and bytes."""
    client.get(url)  # warm: connection, templates, caches
    times = []
    for _i in range(repeat):
        t = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return times, len(queries.captured_queries), len(response.content)


def cpu_calibration_print() -> None:
    """Print how long a fixed piece of work took: this shared machine's speed varies between runs."""
    t = time.perf_counter()
    total = 0
    for i in range(3_000_000):
        total += i
    print(f"CPU calibration: a 3,000,000-step Python loop took {(time.perf_counter() - t) * 1000:.0f} ms")
