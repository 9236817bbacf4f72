"""The nightly "what is due" computation and reminder creation with 1,000,000 active pairings.

Builds its own database (caring_mothers_checkins_bench, recreated): the bundled Jincheng
regions, one programme with the default rules and care dates (2 contact rules, 5 calendar
events: 7 due states per pairing), 500,000 volunteers with 2 children each, 1,000,000
active pairings started over the past year, and a phone call for 70% of them in the last
60 days (the other 30% have lapsed) and a home visit in the last 100 days for 60%. Then runs ``manage.py checkins_due`` in a child
process three times: the first night (every due state is new), the same night again
(idempotent: nothing new), and the next night (the steady state). Prints wall time and
the child's peak RSS for each.

    .venv/bin/python bench/checkins_due.py [--pairings 1000000] [--today 2027-03-28]

Nothing leaves the machine; Redis is not used (the messages stay in the outbox table).
"""

import argparse
import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "caring_mothers_checkins_bench"
ENV = {
    **os.environ,
    "DATABASE_URL": f"{PG}/{DB_NAME}",
    "CELERY_BROKER_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379") + "/12",
    "CACHE_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379") + "/13",
    "LOG_LEVEL": "WARNING",
    "LOG_FORMAT": "console",
}


def manage(*args: str) -> tuple[float, int, str]:
    """Run a manage.py command in a child process; return wall seconds, peak RSS (KiB), output."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    output = proc.stdout.read().decode()
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{output}")
    return elapsed, usage.ru_maxrss, output


SETUP_PROGRAMME = """
from backend.programmes.models import Programme
from backend.checkins.services import contact_rules_default
p, _ = Programme.objects.get_or_create(slug="bench", defaults={"name": "bench", "region_id": "1405"})
contact_rules_default(p)
print(p.pk)
"""


def build(pairings: int, today: datetime.date) -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    manage("migrate", "-v0")
    manage("import_regions", "--no-progress")
    _t, _rss, out = manage("shell", "-c", SETUP_PROGRAMME)
    programme = int(out.strip().splitlines()[-1])
    volunteers = (pairings + 1) // 2
    started = time.perf_counter()
    with psycopg.connect(f"{PG}/{DB_NAME}", autocommit=True) as conn:
        villages = [r[0] for r in conn.execute("SELECT code FROM regions_region WHERE length(code) = 12 ORDER BY code")]
        conn.execute("CREATE TEMP TABLE v (n int PRIMARY KEY, code varchar(12))")
        with conn.cursor().copy("COPY v (n, code) FROM STDIN") as copy:
            for n, code in enumerate(villages):
                copy.write_row((n, code))
        nv = len(villages)
        params = {"volunteers": volunteers, "pairings": pairings, "programme": programme, "today": today, "nv": nv}
        steps = [
            # volunteers' accounts and files (the encrypted fields hold placeholders: never decrypted here)
            """INSERT INTO accounts_user (id, password, is_superuser, username, first_name, last_name, email, is_staff,
                   is_active, date_joined, role, phone, display_name)
               SELECT i, '!', false, 'bv' || i, '', '', '', false, true, now(), 'volunteer',
                      '+86139' || lpad(i::text, 8, '0'), ''
               FROM generate_series(1, %(volunteers)s) i""",
            """INSERT INTO volunteers_volunteer (id, name, gender, birth_date, id_number, id_number_hash,
                   id_number_masked, phone, occupation, skills, capacity, availability, status, status_reason,
                   status_note, joined_at, programme_id, user_id, village_id)
               SELECT i, '志愿者', 'F', date '1980-01-01', 'x', md5(i::text), 'x', '+86139' || lpad(i::text, 8, '0'),
                      '', '[]', 2, '[]', 'active', '', '', now(), %(programme)s, i, v.code
               FROM generate_series(1, %(volunteers)s) i JOIN v ON v.n = i %% %(nv)s""",
            """INSERT INTO children_child (id, family_name, given_name, gender, birth_date, id_number, id_number_hash,
                   id_number_masked, address_detail, school, grade, category, difficulty_subtype, guardian_name,
                   guardian_relation, guardian_phone, parents_work_place, needs, needs_note, risk_level,
                   volunteers_wanted, consent_given_by, consent_relation, status, exit_reason, exit_note, created_at,
                   updated_at, village_id)
               SELECT i, '王', '小' || (i %% 1000), 'F', date '2015-01-01' + (i %% 3650), 'x', md5('c' || i),
                      'x', '', '', '', 'left_behind', '', '祖母', 'grandparent', 'x', '', '[]', '', 'low', 1, '', '',
                      'active', '', '', now(), now(), v.code
               FROM generate_series(1, %(pairings)s) i JOIN v ON v.n = ((i + 1) / 2) %% %(nv)s""",
            """INSERT INTO pairing_pairing (id, status, started_on, end_reason, end_note, do_not_pair_again,
                   override_note, created_at, child_id, programme_id, volunteer_id)
               SELECT i, 'active', %(today)s::date - 30 - (i::bigint * 7919 %% 335)::int, '', '', false, '', now(), i,
                      %(programme)s, (i + 1) / 2
               FROM generate_series(1, %(pairings)s) i""",
            # a call in the last 60 days for 7 pairings in 10 (3 in 10 have lapsed), and a home
            # visit in the last 100 days for 6 in 10 (the quarterly rule is overdue for the others)
            """INSERT INTO checkins_checkin (id, kind, occurred_on, note, worried, source, created_at, volunteer_id)
               SELECT i, 'phone_call', %(today)s::date - 1 - (i * 31 %% 60), '', false, 'web', now(), (i + 1) / 2
               FROM generate_series(1, %(pairings)s) i WHERE i %% 10 < 7""",
            """INSERT INTO checkins_checkin (id, kind, occurred_on, note, worried, source, created_at, volunteer_id)
               SELECT %(pairings)s + i, 'home_visit', %(today)s::date - 1 - (i * 17 %% 100), '', false, 'web', now(),
                      (i + 1) / 2
               FROM generate_series(1, %(pairings)s) i WHERE i %% 10 >= 4""",
            """INSERT INTO checkins_checkinchild (id, occurred_on, checkin_id, child_id, pairing_id)
               SELECT id, occurred_on, id, ((id - 1) %% %(pairings)s) + 1, ((id - 1) %% %(pairings)s) + 1
               FROM checkins_checkin""",
            """SELECT setval(pg_get_serial_sequence(t, 'id'), (SELECT max(id) FROM accounts_user) + 1)
               FROM (VALUES ('accounts_user')) s(t)""",
            "SELECT setval(pg_get_serial_sequence('volunteers_volunteer', 'id'), %(volunteers)s + 1)",
            "SELECT setval(pg_get_serial_sequence('children_child', 'id'), %(pairings)s + 1)",
            "SELECT setval(pg_get_serial_sequence('pairing_pairing', 'id'), %(pairings)s + 1)",
            "SELECT setval(pg_get_serial_sequence('checkins_checkin', 'id'), 2 * %(pairings)s + 1)",
            "SELECT setval(pg_get_serial_sequence('checkins_checkinchild', 'id'), 2 * %(pairings)s + 1)",
            # one staff member per town of 沁水县 with a phone, for the digests
            """INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email, is_staff,
                   is_active, date_joined, role, phone, display_name, home_region_id)
               SELECT '!', false, 'town' || code, '', '', '', true, true, now(), 'staff',
                      '+86137' || right(code, 8), '', code
               FROM regions_region WHERE length(code) = 9 AND code LIKE '140521%%'""",
            "ANALYZE",
        ]
        for sql in steps:
            conn.execute(sql, params)
    print(
        f"data: {pairings:,} active pairings, {volunteers:,} volunteers in {nv:,} villages, built in "
        f"{time.perf_counter() - started:.0f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairings", type=int, default=1_000_000)
    parser.add_argument("--today", type=datetime.date.fromisoformat, default=datetime.date(2027, 3, 28))
    parser.add_argument("--reuse", action="store_true", help="keep the database built by an earlier run")
    parser.add_argument(
        "--without-dashboard-marks",
        action="store_true",
        help="disable the dashboard's change-marking triggers (to measure what they cost the nightly pass)",
    )
    args = parser.parse_args()
    if not args.reuse:
        build(args.pairings, args.today)
    with psycopg.connect(f"{PG}/{DB_NAME}", autocommit=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT event_object_table FROM information_schema.triggers"
                " WHERE trigger_name LIKE 'dashboard_mark_%'"
            )
        ]
        for table in tables:
            state = "DISABLE" if args.without_dashboard_marks else "ENABLE"
            for name in ("dashboard_mark_ins", "dashboard_mark_upd", "dashboard_mark_del"):
                conn.execute(f"ALTER TABLE {table} {state} TRIGGER {name}")
        print(f"dashboard change marks: {'off' if args.without_dashboard_marks else 'on'} ({len(tables)} tables)")
    nights = (
        ("first night (all due states new)", args.today),
        ("same night again (idempotent)", args.today),
        ("next night (steady state)", args.today + datetime.timedelta(days=1)),
    )
    for label, day in nights:
        elapsed, rss_kib, output = manage("checkins_due", "--today", day.isoformat())
        print(f"\n== {label}: {elapsed:.1f} s wall, peak RSS {rss_kib / 1024:.0f} MiB")
        print(output.rstrip())
    with psycopg.connect(f"{PG}/{DB_NAME}") as conn:
        for label, sql in (
            ("due states", "SELECT count(*) FROM checkins_duestate"),
            (
                "reminders in the outbox",
                "SELECT count(*) FROM notifications_message WHERE template LIKE 'checkins.reminder%%'",
            ),
            ("escalations", "SELECT count(*) FROM checkins_escalation"),
            ("database size", "SELECT pg_size_pretty(pg_database_size(current_database()))"),
        ):
            print(f"{label}: {conn.execute(sql).fetchone()[0]}")


if __name__ == "__main__":
    main()
