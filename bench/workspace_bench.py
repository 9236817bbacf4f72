"""Time the workspace's to-do home (county) and a child's file on the Shanxi-scale data set.

Server time of a full request through Django (middleware, session, template), measured with
the Django test client against a bench database filled by bench/shanxi_data.py. Targets
(issue 17): the to-do home of a county under 150 ms median, a child's file under 100 ms.

    createdb -h 127.0.0.1 -U postgres <name>_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/<name>_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py import_regions /work/shared/data/china-division --only 14
    .venv/bin/python bench/shanxi_data.py
    .venv/bin/python bench/workspace_bench.py              # --repeat 20
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.db.models.functions import Substr  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from backend.children.models import Child, Concern  # noqa: E402
from bench.request_timing import bench_officer, cpu_calibration_print, request_times  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    if "bench" not in connection.settings_dict["NAME"]:
        raise SystemExit("run against a bench database (DATABASE_URL=..._bench)")
    setup_test_environment()
    county = (
        Child.objects.filter(status="active")
        .annotate(c=Substr("village_id", 1, 6))
        .values("c")
        .annotate(n=Count("id"))
        .order_by("-n")[0]["c"]
    )
    cpu_calibration_print()
    officer = bench_officer("bench-workspace-county", county)
    from backend.dashboard.services import summary_refresh

    t = time.perf_counter()
    summary_refresh(next_day=False)
    print(f"summary_refresh: {time.perf_counter() - t:.1f} s")
    child = (
        Child.objects.filter(village__code__startswith=county, status="active")
        .annotate(n=Count("pairings"))
        .order_by("-n", "id")
        .first()
    )
    print(
        f"children {Child.objects.count():,}; county {county}; open concerns in it "
        f"{Concern.objects.filter(child__village__code__startswith=county).exclude(status='closed').count():,}"
    )
    print(f"{'page':<28}{'median ms':>10}{'p95 ms':>9}{'max ms':>9}{'queries':>9}{'bytes':>9}")
    client = Client()
    client.force_login(officer)
    for label, url in (
        (f"to-do home, county {county}", "/staff/"),
        (f"child's file {child.pk}", f"/staff/children/{child.pk}/"),
        ("children list, county", "/staff/children/"),
        ("concerns list, county", "/staff/concerns/"),
    ):
        times, queries, size = request_times(client, url, args.repeat)
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        print(f"{label:<28}{statistics.median(times):>10.1f}{p95:>9.1f}{times[-1]:>9.1f}{queries:>9}{size:>9}")


if __name__ == "__main__":
    main()
