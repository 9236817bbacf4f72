"""Fill a bench database with a Shanxi-scale data set for the dashboard benchmark.

100,000 children and 80,000 volunteers on the real villages of Shanxi (region 14), about
90,000 pairings, a year of check-ins (about 8 per pairing), concerns, applications and
the contact-rule due states the overdue figure reads. Rows are written with PostgreSQL
COPY; the encrypted columns reuse a small pool of values encrypted once.

    createdb -h 127.0.0.1 -U postgres caring_mothers_dashboard_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/caring_mothers_dashboard_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py import_regions /work/shared/data/china-division --only 14
    .venv/bin/python bench/shanxi_data.py            # --children 100000 --volunteers 80000
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from backend.accounts.models import User  # noqa: E402
from backend.checkins.models import CheckIn, CheckInChild, ContactRule, DueState  # noqa: E402
from backend.children.models import Child, Concern  # noqa: E402
from backend.privacy.crypto import encrypt_text  # noqa: E402
from backend.privacy.idnumbers import id_number_compose, mask_id_number  # noqa: E402
from backend.programmes.models import Programme  # noqa: E402
from backend.regions.models import Region  # noqa: E402
from backend.volunteers.models import Application, Volunteer  # noqa: E402
from pairing.models import Pairing  # noqa: E402

TABLES = [Concern, DueState, CheckInChild, CheckIn, Pairing, Application, Volunteer, Child, ContactRule]


def _copy(model, columns: list[str], rows) -> int:
    """COPY rows (tuples in ``columns`` order) into the model's table; return how many."""
    table = model._meta.db_table
    n = 0
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
        if "id" in columns:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    return n


def _id_number(rng: random.Random, birth: datetime.date, county: str) -> str:
    order = rng.randrange(1000)
    return id_number_compose(place=county, birth=birth, order=order // 2, female=order % 2 == 0)


def generate(*, children: int, volunteers: int, seed: int) -> dict:
    rng = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()
    villages = list(
        Region.objects.filter(code__startswith="14", level=Region.Level.VILLAGE).values_list("code", flat=True)
    )
    if not villages:
        raise SystemExit("no Shanxi villages: run manage.py import_regions ... --only 14 first")
    rural = [v for v in villages if v[9] not in "01"] or villages
    urban = [v for v in villages if v[9] in "01"] or villages
    print(f"{len(villages)} villages ({len(rural)} rural)")

    with transaction.atomic():
        with connection.cursor() as cursor:
            tables = ", ".join(m._meta.db_table for m in TABLES)
            cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
            cursor.execute(f"DELETE FROM {User._meta.db_table} WHERE username LIKE 'bv%%'")
        programme, _ = Programme.objects.get_or_create(
            slug="shanxi", defaults={"name": "山西省爱心妈妈结对关爱", "region_id": "14"}
        )
        rule = ContactRule.objects.create(programme=programme, name="每月联系")

        # A pool of encrypted values: encrypting 180,000 numbers would be most of the run.
        pool = []
        for i in range(500):
            birth = datetime.date(2012, 1, 1) + datetime.timedelta(days=i * 7)
            number = _id_number(rng, birth, "140521")
            pool.append((encrypt_text(number), mask_id_number(number), birth))
        enc_empty = ""
        enc_phone = encrypt_text("+8613912345678")

        t = time.perf_counter()
        # --- children
        child_village = {}
        child_cols = [
            "id", "family_name", "given_name", "gender", "birth_date", "id_number", "id_number_hash",
            "id_number_masked", "village_id", "address_detail", "school", "grade", "category",
            "difficulty_subtype", "guardian_name", "guardian_relation", "guardian_phone", "parents_work_place",
            "needs", "needs_note", "risk_level", "volunteers_wanted", "consent_given_by", "consent_relation",
            "consent_given_on", "status", "exit_reason", "exit_note", "exited_on", "created_at", "updated_at",
        ]  # fmt: skip

        def child_rows():
            for cid in range(1, children + 1):
                village = rng.choice(rural) if rng.random() < 0.85 else rng.choice(villages)
                child_village[cid] = village
                enc, masked, birth = pool[cid % len(pool)]
                difficulty = rng.random() < 0.3
                exited = rng.random() < 0.03
                yield (
                    cid, "王", f"小{cid % 1000}", rng.choice("FM"), birth, enc,
                    hashlib.sha256(f"child{cid}".encode()).hexdigest(), masked, village, enc_empty, "", "",
                    "in_difficulty" if difficulty else "left_behind", "poverty" if difficulty else "", "王建国",
                    "grandparent", enc_phone, "", '["study"]', "", "low", 1, "王建国", "祖父", today,
                    "exited" if exited else "active", "moved_away" if exited else "", "",
                    today if exited else None, now, now,
                )  # fmt: skip

        n = _copy(Child, child_cols, child_rows())
        print(f"children {n:,} in {time.perf_counter() - t:.1f}s")

        # --- volunteers and their accounts
        t = time.perf_counter()
        vol_village = {}
        by_county = defaultdict(list)
        user_cols = [
            "id", "password", "is_superuser", "username", "first_name", "last_name", "email", "is_staff",
            "is_active", "date_joined", "role", "phone", "display_name",
        ]  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {User._meta.db_table}")
            base = cursor.fetchone()[0] + 1000
        _copy(
            User,
            user_cols,
            (
                (base + i, "!", False, f"bv{i}", "", "", "", False, True, now, "volunteer", f"+8615{i:09d}", "")
                for i in range(1, volunteers + 1)
            ),
        )
        vol_cols = [
            "id", "user_id", "programme_id", "name", "gender", "birth_date", "id_number", "id_number_hash",
            "id_number_masked", "phone", "village_id", "occupation", "skills", "capacity", "availability",
            "status", "status_reason", "status_note", "joined_at",
        ]  # fmt: skip
        active_volunteers = set()

        def vol_rows():
            for vid in range(1, volunteers + 1):
                village = rng.choice(urban) if rng.random() < 0.5 else rng.choice(villages)
                vol_village[vid] = village
                active = rng.random() < 0.95
                if active:
                    by_county[village[:6]].append(vid)
                    active_volunteers.add(vid)
                enc, masked, _birth = pool[vid % len(pool)]
                yield (
                    vid, base + vid, programme.id, f"爱心妈妈{vid}", "F", datetime.date(1980, 1, 1), enc,
                    hashlib.sha256(f"vol{vid}".encode()).hexdigest(), masked, f"+8615{vid:09d}", village, "",
                    "[]", rng.choice((1, 1, 2, 3)), "[]", "active" if active else "suspended",
                    "" if active else "other", "", now,
                )  # fmt: skip

        n = _copy(Volunteer, vol_cols, vol_rows())
        print(f"volunteers {n:,} in {time.perf_counter() - t:.1f}s")

        # --- pairings, check-ins and due states
        t = time.perf_counter()
        pairing_rows, checkin_rows, link_rows, due_rows = [], [], [], []
        pid = cid_seq = 0
        year_ago = today - datetime.timedelta(days=365)
        for child_id, village in child_village.items():
            county = village[:6]
            helpers = by_county.get(county)
            if not helpers or rng.random() > 0.88:
                continue
            chosen = {rng.choice(helpers)}
            if rng.random() < 0.08:
                chosen.add(rng.choice(helpers))
            for vid in chosen:
                pid += 1
                r = rng.random()
                status = "active" if r < 0.9 else "paused" if r < 0.95 else "ended"
                ended = status == "ended"
                started = year_ago + datetime.timedelta(days=rng.randrange(200))
                pairing_rows.append(
                    (pid, programme.id, child_id, vid, status, started, today if ended else None,
                     "other" if ended else "", "", False, "", now)
                )  # fmt: skip
                last = None
                for _k in range(rng.choice((0, 2, 4, 6, 8, 10, 12, 14))):
                    day = started + datetime.timedelta(days=rng.randrange(max(1, (today - started).days + 1)))
                    cid_seq += 1
                    checkin_rows.append((cid_seq, vid, rng.choice(("phone_call", "home_visit", "video_call")), day,
                                         "", False, "staff", None, now))  # fmt: skip
                    link_rows.append((cid_seq, child_id, pid, day))
                    last = max(last, day) if last else day
                if status == "active":
                    due_rows.append((pid, rule.id, last, (last or started) + datetime.timedelta(days=30)))
        _copy(
            Pairing,
            ["id", "programme_id", "child_id", "volunteer_id", "status", "started_on", "ended_on", "end_reason",
             "end_note", "do_not_pair_again", "override_note", "created_at"],
            pairing_rows,
        )  # fmt: skip
        _copy(
            CheckIn,
            [
                "id",
                "volunteer_id",
                "kind",
                "occurred_on",
                "note",
                "worried",
                "source",
                "duration_minutes",
                "created_at",
            ],
            checkin_rows,
        )
        _copy(CheckInChild, ["checkin_id", "child_id", "pairing_id", "occurred_on"], link_rows)
        _copy(
            DueState,
            ["pairing_id", "rule_id", "last_contact_on", "next_due_on", "escalation", "updated_at"],
            ((p, r, last, due, 0, now) for p, r, last, due in due_rows),
        )
        print(
            f"pairings {len(pairing_rows):,}, check-ins {len(checkin_rows):,}, due states {len(due_rows):,} "
            f"in {time.perf_counter() - t:.1f}s"
        )

        # --- concerns and applications
        child_ids = list(child_village)
        _copy(
            Concern,
            ["child_id", "severity", "category", "description", "status", "closing_note", "closed_at", "created_at"],
            (
                (c, rng.choice(("low", "medium", "high", "urgent")), "neglect", "基准测试", s,
                 "已办结" if s == "closed" else "", now if s == "closed" else None,
                 now - datetime.timedelta(days=rng.randrange(120)))
                for c in rng.sample(child_ids, 3000)
                for s in [rng.choice(("open", "acknowledged", "closed"))]
            ),
        )  # fmt: skip
        _copy(
            Application,
            ["reference", "programme_id", "status", "name", "gender", "id_number", "id_number_hash",
             "id_number_masked", "birth_date", "phone", "phone_verified_at", "village_id", "workplace", "occupation",
             "skills", "capacity", "availability", "joins_team", "motivation", "declarations", "consent_at",
             "staff_message", "applicant_reply", "created_at", "updated_at"],
            (
                (f"BENCH{i:06d}", programme.id, rng.choice(("pending", "more_info", "rejected", "withdrawn")),
                 f"申请人{i}", "F", pool[i % len(pool)][0], hashlib.sha256(f"app{i}".encode()).hexdigest(),
                 pool[i % len(pool)][1], datetime.date(1985, 1, 1), f"+8618{i:09d}", now, rng.choice(villages),
                 "", "", "[]", 1, "[]", False, "", "[]", now, "", "", now, now)
                for i in range(5000)
            ),
        )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"villages": len(villages), "pairings": len(pairing_rows), "checkins": len(checkin_rows)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--volunteers", type=int, default=80_000)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    if "bench" not in connection.settings_dict["NAME"]:
        raise SystemExit("refusing to fill a database whose name has no 'bench' in it (set DATABASE_URL)")
    t = time.perf_counter()
    print(generate(children=args.children, volunteers=args.volunteers, seed=args.seed))
    print(f"done in {time.perf_counter() - t:.1f}s")


if __name__ == "__main__":
    main()
