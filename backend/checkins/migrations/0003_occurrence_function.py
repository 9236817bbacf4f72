from django.db import migrations

# The date of a calendar event in a year: a configured date, a fixed month/day (clipped to
# the month's length) or the child's birthday (29 February falls on the 28th in other years).
# Plain SQL and STABLE (a text-to-date cast is not immutable) so the planner inlines it.
CREATE = r"""
CREATE OR REPLACE FUNCTION checkins_occurrence(kind text, month int, day int, dates jsonb, birth date, y int)
RETURNS date LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT CASE
    WHEN kind = 'dated' THEN (dates ->> y::text)::date
    WHEN kind = 'birthday' THEN make_date(y, extract(month FROM birth)::int,
        CASE WHEN extract(month FROM birth) = 2 AND extract(day FROM birth) = 29
                  AND NOT (y % 4 = 0 AND (y % 100 <> 0 OR y % 400 = 0)) THEN 28
             ELSE extract(day FROM birth)::int END)
    ELSE make_date(y, month, LEAST(day, extract(day FROM (make_date(y, month, 1) + interval '1 month - 1 day'))::int))
END
$$
"""


class Migration(migrations.Migration):
    dependencies = [("checkins", "0002_calendarevent_contactrule_duestate_escalation_and_more")]

    # PostgreSQL only: the due computation is SQL for PostgreSQL (make run uses an embedded
    # PostgreSQL); on another database the migration does nothing and the computation says so.
    operations = [
        migrations.RunPython(
            lambda apps, schema_editor: schema_editor.connection.vendor == "postgresql" and schema_editor.execute(CREATE, params=None),
            lambda apps, schema_editor: schema_editor.connection.vendor == "postgresql"
            and schema_editor.execute("DROP FUNCTION IF EXISTS checkins_occurrence(text, int, int, jsonb, date, int)"),
        )
    ]
