"""Statement triggers that mark the villages whose dashboard figures a change affects.

One trigger function per source table, fired once per statement (AFTER INSERT / UPDATE /
DELETE, with transition tables), appends the village codes of the changed rows to
``dashboard_dirtyvillage``. An UPDATE marks only rows whose counted columns changed, in
both their old and new village, so the nightly pass's reminder bookkeeping and edits of a
child's name mark nothing. The SQL is written out here, not generated from app code, so
that this migration keeps meaning what it meant when it ran.
"""

from django.db import migrations

DIRTY = "dashboard_dirtyvillage"

# table -> (columns whose change matters, SELECT of village codes from the rows in {rows})
SOURCES = {
    "children_child": (
        ["village_id", "status", "category"],
        "SELECT r.village_id FROM {rows} r",
    ),
    "children_concern": (
        ["child_id", "status"],
        "SELECT c.village_id FROM {rows} r JOIN children_child c ON c.id = r.child_id",
    ),
    "pairing_pairing": (
        ["child_id", "volunteer_id", "status"],
        "SELECT c.village_id FROM {rows} r JOIN children_child c ON c.id = r.child_id"
        " UNION ALL SELECT v.village_id FROM {rows} r JOIN volunteers_volunteer v ON v.id = r.volunteer_id",
    ),
    "checkins_duestate": (
        ["pairing_id", "next_due_on", "satisfied_on"],
        "SELECT c.village_id FROM (SELECT DISTINCT pairing_id FROM {rows} d) r"
        " JOIN pairing_pairing p ON p.id = r.pairing_id JOIN children_child c ON c.id = p.child_id",
    ),
    "checkins_checkinchild": (
        ["child_id", "occurred_on"],
        "SELECT c.village_id FROM (SELECT DISTINCT child_id FROM {rows} d) r JOIN children_child c ON c.id = r.child_id",
    ),
    "checkins_checkin": (
        ["volunteer_id", "occurred_on"],
        "SELECT v.village_id FROM (SELECT DISTINCT volunteer_id FROM {rows} d) r"
        " JOIN volunteers_volunteer v ON v.id = r.volunteer_id",
    ),
    "volunteers_volunteer": (
        ["village_id", "status", "capacity"],
        "SELECT r.village_id FROM {rows} r",
    ),
    "volunteers_application": (
        ["village_id", "status"],
        "SELECT r.village_id FROM {rows} r",
    ),
}


def _mark(select: str) -> str:
    # EXECUTE: planned afresh for each statement with the transition table's real size (a
    # plan cached from a 10-row statement would be reused for a 50,000-row one).
    return (
        f"EXECUTE $q$INSERT INTO {DIRTY} (village) SELECT DISTINCT x.village_id FROM ({select}) x"
        " WHERE x.village_id IS NOT NULL ORDER BY 1$q$;"
    )


def _function(table: str, columns: list[str], villages: str) -> str:
    # An UPDATE marks only rows whose counted columns changed: EXCEPT of (id, columns) both
    # ways finds them by hashing, never by joining the two transition tables row by row
    # (the nightly pass updates 50,000 due states a statement, changing none of them).
    cols = ", ".join(["id", *columns])
    changed_old = f"(SELECT {cols} FROM old_rows EXCEPT SELECT {cols} FROM new_rows)"
    changed_new = f"(SELECT {cols} FROM new_rows EXCEPT SELECT {cols} FROM old_rows)"
    both = villages.format(rows=changed_old) + " UNION ALL " + villages.format(rows=changed_new)
    return f"""
CREATE OR REPLACE FUNCTION dashboard_mark_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_mark(villages.format(rows="new_rows"))}
    ELSIF TG_OP = 'DELETE' THEN
        {_mark(villages.format(rows="old_rows"))}
    ELSE
        {_mark(both)}
    END IF;
    RETURN NULL;
END $$;
"""


def _triggers(table: str) -> str:
    return f"""
CREATE TRIGGER dashboard_mark_ins AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION dashboard_mark_{table}();
CREATE TRIGGER dashboard_mark_upd AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION dashboard_mark_{table}();
CREATE TRIGGER dashboard_mark_del AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION dashboard_mark_{table}();
"""


def _drop(table: str) -> str:
    return f"""
DROP TRIGGER IF EXISTS dashboard_mark_ins ON {table};
DROP TRIGGER IF EXISTS dashboard_mark_upd ON {table};
DROP TRIGGER IF EXISTS dashboard_mark_del ON {table};
DROP FUNCTION IF EXISTS dashboard_mark_{table}();
"""


# Records that exist before the triggers do: their villages start dirty, so the first
# pages compute them live and the first refresh stores them.
SEED = f"""
INSERT INTO {DIRTY} (village)
SELECT village_id FROM children_child
UNION SELECT village_id FROM volunteers_volunteer
UNION SELECT village_id FROM volunteers_application;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0001_summaries"),
        ("children", "0004_dashboard_list_indexes"),
        ("checkins", "0006_checkin_volunteer_date_index"),
        ("pairing", "0002_dashboard_indexes"),
        ("volunteers", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            sql="".join(_function(t, cols, villages) + _triggers(t) for t, (cols, villages) in SOURCES.items()) + SEED,
            reverse_sql="".join(_drop(t) for t in SOURCES),
        )
    ]
