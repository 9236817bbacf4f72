"""Children's files at scale: list and detail latency with 1,000,000 children in PostgreSQL.

Loads 1,000,000 children onto Shanxi's real villages (21,895 of them) with COPY, then
measures the API in process (Django's test client, no network): list page 1, a deep
page and the detail view for a county officer (沁水县) and a city officer (晋城市), and
the number of SQL queries per page (it must not grow with the page size or depth).

    createdb -h 127.0.0.1 -U postgres caring_mothers_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/caring_mothers_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py import_regions /work/shared/data/china-division --only 14
    .venv/bin/python bench/children_list.py [--children 1000000] [--repeat 30]

Loading is done once (re-runs top up to the wanted count). The ciphertexts of ID
numbers, phones and addresses come from a small pool encrypted once (Fernet is the
slow part of a real insert); the keyed hash and the mask are computed per row, so the
unique index on active ID numbers holds a million distinct values as in production.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from rest_framework.pagination import Cursor, CursorPagination  # noqa: E402

from backend.accounts.models import User  # noqa: E402
from backend.children.models import Child  # noqa: E402
from backend.privacy.crypto import encrypt_text  # noqa: E402
from backend.privacy.idnumbers import id_number_compose, id_number_hash, mask_id_number  # noqa: E402
from backend.regions.models import Region  # noqa: E402

COLUMNS = (
    "family_name given_name gender birth_date id_number id_number_hash id_number_masked village_id "
    "address_detail school grade category difficulty_subtype guardian_name guardian_relation guardian_phone "
    "parents_work_place needs needs_note risk_level volunteers_wanted consent_given_by consent_relation "
    "consent_given_on status exit_reason exit_note created_at updated_at"
).split()
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马胡郭何高林罗郑梁宋谢韩唐冯于董程曹"
GIVEN = ["梓涵", "子轩", "欣怡", "浩然", "雨桐", "宇航", "思琪", "俊杰", "佳怡", "子墨", "诗涵", "一诺"]
NEEDS = ['["study"]', '["psychological"]', '["study", "safety"]', '["daily_life"]', '["study", "psychological"]']


def _id_number(county: str, i: int, female: bool) -> str:
    # (birth date, sequence) is unique per i, so every number is distinct.
    birth = datetime.date(2009, 3, 1) + datetime.timedelta(days=(i // 500) * 2)
    return id_number_compose(place=county, birth=birth, order=i % 500, female=female), birth


def load(wanted: int) -> None:
    have = Child.objects.count()
    if have >= wanted:
        print(f"children: {have:,} already loaded")
        return
    villages = list(
        Region.objects.filter(code__startswith="14", level=Region.Level.VILLAGE).values_list("code", flat=True)
    )
    if not villages:
        sys.exit("no Shanxi villages: run import_regions /work/shared/data/china-division --only 14 first")
    rng = random.Random(2026)
    pool_ids = [encrypt_text(f"1405212015010100{n:02d}") for n in range(50)]
    pool_phones = [encrypt_text(f"+861391234{n:04d}") for n in range(50)]
    pool_addresses = [encrypt_text(f"幸福路{n}号") for n in range(50)]
    now = datetime.datetime.now(datetime.UTC).isoformat()
    started = time.perf_counter()
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor, cursor.copy(f"COPY children_child ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        for i in range(have, wanted):
            village = rng.choice(villages)
            female = rng.random() < 0.48
            number, birth = _id_number(village[:6], i, female)
            in_difficulty = rng.random() < 0.2
            copy.write_row(
                (
                    rng.choice(SURNAMES),
                    rng.choice(GIVEN),
                    "F" if female else "M",
                    birth,
                    rng.choice(pool_ids),
                    id_number_hash(number),
                    mask_id_number(number),
                    village,
                    rng.choice(pool_addresses),
                    "中心小学",
                    "四年级",
                    "in_difficulty" if in_difficulty else "left_behind",
                    rng.choice(["orphan", "unsupported", "ill_disabled", "poverty"]) if in_difficulty else "",
                    "王建国",
                    "grandparent",
                    rng.choice(pool_phones),
                    "广东省东莞市",
                    rng.choice(NEEDS),
                    "",
                    rng.choice(["low", "low", "low", "medium", "high"]),
                    2 if rng.random() < 0.05 else 1,
                    "王建国",
                    "祖父",
                    datetime.date(2026, 9, 1),
                    "active",
                    "",
                    "",
                    now,
                    now,
                )
            )
            if (i + 1) % 100_000 == 0:
                print(f"  {i + 1:,} children ({time.perf_counter() - started:.0f} s)", flush=True)
    raw.commit()
    with connection.cursor() as cursor:
        # Open concerns on one child in fifty.
        cursor.execute(
            "INSERT INTO children_concern (child_id, severity, category, description, status, closing_note, created_at) "
            "SELECT id, 'high', 'neglect', '无人照看', 'open', '', now() FROM children_child WHERE id % 50 = 0 "
            "AND NOT EXISTS (SELECT 1 FROM children_concern c WHERE c.child_id = children_child.id)"
        )
        cursor.execute("ANALYZE children_child")
        cursor.execute("ANALYZE children_concern")
    print(f"loaded {wanted - have:,} children in {time.perf_counter() - started:.0f} s")


def _officer(username: str, region: str) -> User:
    if len(region) == 12:  # a village: its child director
        user, _ = User.objects.get_or_create(
            username=username, defaults={"role": User.Role.CHILD_DIRECTOR, "is_staff": True}
        )
        user.villages.set([region])
        return user
    user, _ = User.objects.get_or_create(
        username=username, defaults={"role": User.Role.STAFF, "home_region_id": region, "is_staff": True}
    )
    return user


def _cursor_at(child_id: int) -> str:
    paginator = CursorPagination()
    paginator.base_url = "/api/children/"
    paginator.cursor_query_param = "cursor"
    return paginator.encode_cursor(Cursor(offset=0, reverse=False, position=str(child_id)))


def _time(client: Client, url: str, repeat: int) -> tuple[float, float]:
    for _ in range(3):
        assert client.get(url).status_code == 200, url  # warm up
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return len(ctx)


def _sql_ms(client: Client, url: str) -> float:
    """Return PostgreSQL's execution time of the request's query on children_child (EXPLAIN ANALYZE)."""
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    sql = next(q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT") and "children_child" in q["sql"])
    times = []
    with connection.cursor() as cursor:
        for _ in range(5):
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
            times.append(cursor.fetchone()[0][0]["Execution Time"])
    return statistics.median(times)


def measure(repeat: int) -> None:
    setup_test_environment()
    rng = random.Random(7)
    rows = []
    for label, username, region in (
        ("child director 柳庄社区 140521100001", "bench_liuzhuang", "140521100001"),
        ("town officer 龙港镇 140521100", "bench_longgang", "140521100"),
        ("county officer 沁水县 140521", "bench_qinshui", "140521"),
        ("city officer 晋城市 1405", "bench_jincheng", "1405"),
    ):
        user = _officer(username, region)
        client = Client()
        client.force_login(user)
        in_scope = Child.objects.filter(village__pk__startswith=region)
        total = in_scope.count()
        deep_id = in_scope.order_by("-id").values_list("id", flat=True)[int(total * 0.9)]  # 90% deep
        deep_url = _cursor_at(deep_id)
        sample_ids = [in_scope.order_by("-id").values_list("id", flat=True)[rng.randrange(total)] for _ in range(5)]
        page1 = _time(client, "/api/children/", repeat)
        deep = _time(client, deep_url, repeat)
        details = [_time(client, f"/api/children/{pk}/", max(repeat // 5, 3)) for pk in sample_ids]
        detail = (statistics.median(d[0] for d in details), max(d[1] for d in details))
        q_first = _queries(client, "/api/children/")
        q_deep = _queries(client, deep_url)
        q_big = _queries(client, "/api/children/?page_size=200")
        q_detail = _queries(client, f"/api/children/{sample_ids[0]}/")
        sql = (_sql_ms(client, "/api/children/"), _sql_ms(client, deep_url))
        rows.append((label, total, page1, deep, detail, (q_first, q_deep, q_big, q_detail), sql))
    print()
    print(f"children in the database: {Child.objects.count():,}; {repeat} requests per figure (median / p95, ms)")
    print()
    print(
        "| user | children in region | list page 1 | list page at 90% depth | detail "
        "| list SQL, page 1 / deep (ms) | queries: page 1 / deep / 200 rows / detail |"
    )
    print("|---|---:|---:|---:|---:|---:|---|")
    for label, total, page1, deep, detail, q, sql in rows:
        print(
            f"| {label} | {total:,} | {page1[0]:.1f} / {page1[1]:.1f} | {deep[0]:.1f} / {deep[1]:.1f} "
            f"| {detail[0]:.1f} / {detail[1]:.1f} | {sql[0]:.2f} / {sql[1]:.2f} | {q[0]} / {q[1]} / {q[2]} / {q[3]} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--skip-load", action="store_true")
    args = parser.parse_args()
    if "bench" not in connection.settings_dict["NAME"]:
        sys.exit("refusing to load a million children into a database whose name lacks 'bench'")
    if not args.skip_load:
        load(args.children)
    measure(args.repeat)


if __name__ == "__main__":
    main()
