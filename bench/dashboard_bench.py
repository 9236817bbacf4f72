"""Time the dashboard (HTML page and JSON API) on the Shanxi-scale data set.

Server time of a full request through Django (middleware, session, template), measured
with the Django test client against the bench database filled by bench/shanxi_data.py.
First it stores every village's figures and list entries (summary_refresh, timed); last
it times the province with villages marked as changed since (computed live).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/caring_mothers_dashboard_bench
    .venv/bin/python bench/dashboard_bench.py                # --repeat 20
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

from django.db import connection, reset_queries  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.db.models.functions import Substr  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from backend.children.models import Child  # noqa: E402
from bench.request_timing import bench_officer, cpu_calibration_print, request_times  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--changed", type=int, nargs="*", default=[10, 100, 1000], help="also time the province with N villages marked"
    )
    args = parser.parse_args()
    if "bench" not in connection.settings_dict["NAME"]:
        raise SystemExit("run against the bench database (DATABASE_URL=...caring_mothers_dashboard_bench)")
    setup_test_environment()
    counts = (
        Child.objects.filter(status="active")
        .annotate(c=Substr("village_id", 1, 6))
        .values("c")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    county = counts[0]["c"]
    town = (
        Child.objects.filter(village__code__startswith=county)
        .annotate(t=Substr("village_id", 1, 9))
        .values("t")
        .annotate(n=Count("id"))
        .order_by("-n")[0]["t"]
    )
    cpu_calibration_print()
    print(f"children {Child.objects.count():,}; largest county {county} ({counts[0]['n']:,} children); town {town}")
    cases = [
        ("province 14", bench_officer("bench-province", "14"), "14"),
        (f"county {county}", bench_officer("bench-county", county), county),
        (f"town {town}", bench_officer("bench-town", town), town),
    ]
    # The per-village figures: store every village (what the first refresh after deployment,
    # or after midnight without the evening's next-day rows, does), then time the pages.
    from backend.dashboard.models import DirtyVillage, VillageFigures
    from backend.dashboard.services import summary_refresh

    with connection.cursor() as cursor:  # as migration dashboard/0002 leaves a database
        cursor.execute(
            "DELETE FROM dashboard_summaryday; DELETE FROM dashboard_villagefigures;"
            " INSERT INTO dashboard_dirtyvillage (village) SELECT village_id FROM children_child"
            " UNION SELECT village_id FROM volunteers_volunteer UNION SELECT village_id FROM volunteers_application"
        )
    t = time.perf_counter()
    n = summary_refresh(next_day=False)
    # (the refresh vacuums the stored rows when it is done, as after every large refresh)
    print(f"summary_refresh of every village: {n:,} villages in {time.perf_counter() - t:.1f} s")
    print(f"{'page':<22}{'kind':<6}{'median ms':>10}{'p95 ms':>9}{'max ms':>9}{'queries':>9}{'bytes':>9}")
    for label, user, code in cases:
        client = Client()
        client.force_login(user)
        for kind, url in (("html", f"/staff/r/{code}/"), ("json", f"/api/dashboard/regions/{code}/")):
            times, queries, size = request_times(client, url, args.repeat)
            times.sort()
            p95 = times[max(0, int(len(times) * 0.95) - 1)]
            print(
                f"{label:<22}{kind:<6}{statistics.median(times):>10.1f}{p95:>9.1f}{times[-1]:>9.1f}"
                f"{queries:>9}{size:>9}"
            )
            reset_queries()
    # Pages between two refreshes: the villages changed since are computed live.
    for changed in args.changed or []:
        villages = list(VillageFigures.objects.order_by("?").values_list("village", flat=True)[:changed])
        DirtyVillage.objects.bulk_create(DirtyVillage(village=v) for v in villages)
        client = Client()
        client.force_login(cases[0][1])
        times, queries, size = request_times(client, "/api/dashboard/regions/14/", args.repeat)
        times.sort()
        print(f"province 14, {changed} villages marked: json median {statistics.median(times):.1f} ms")
        DirtyVillage.objects.filter(village__in=villages).delete()


if __name__ == "__main__":
    main()
