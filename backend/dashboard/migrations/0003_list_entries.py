"""The lists' first rows per village (VillageListEntry), and triggers that watch their sort keys.

The lists sort children and concerns by when they were registered or raised, and
volunteers who never checked in by when they joined: those columns now mark the village
too (they never change in the platform; a hand-made UPDATE would still be seen). Every
village with stored figures is marked, so that pages compute it live, lists included,
until the next refresh has stored its entries.
"""

import importlib

from django.db import migrations, models

# The trigger functions' SQL as migration 0002 wrote it (with the same helpers, so the
# functions stay alike); only the column lists grow.
_0002 = importlib.import_module("backend.dashboard.migrations.0002_dirty_village_triggers")
SORT_COLUMNS = {
    "children_child": ["created_at"],
    "children_concern": ["created_at"],
    "volunteers_volunteer": ["joined_at"],
}


def _functions(extra: dict[str, list[str]]) -> str:
    sql = ""
    for table in SORT_COLUMNS:
        columns, villages = _0002.SOURCES[table]
        sql += _0002._function(table, columns + extra.get(table, []), villages)
    return sql


MARK_STORED = f"INSERT INTO {_0002.DIRTY} (village) SELECT DISTINCT village FROM dashboard_villagefigures;"


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0002_dirty_village_triggers"),
    ]

    operations = [
        migrations.CreateModel(
            name="VillageListEntry",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("village", models.CharField(max_length=12, verbose_name="区划代码")),
                ("as_of", models.DateField(verbose_name="统计日期")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("unpaired", "未结对儿童 / Unpaired children"),
                            ("lapsed_pairings", "逾期结对 / Lapsed pairings"),
                            ("lapsed_volunteers", "60天无关爱记录的爱心妈妈 / Lapsed volunteers"),
                            ("open_concerns", "未办结关注事项 / Open concerns"),
                        ],
                        max_length=20,
                        verbose_name="清单",
                    ),
                ),
                ("sort_key", models.DateTimeField(verbose_name="排序依据")),
                ("item_id", models.BigIntegerField(verbose_name="记录编号")),
            ],
            options={
                "verbose_name": "村级清单条目",
                "verbose_name_plural": "村级清单条目",
                "indexes": [
                    models.Index(
                        fields=["kind", "as_of", "sort_key", "item_id"],
                        include=("village",),
                        name="list_entry_order_idx",
                    ),
                    models.Index(
                        fields=["village", "as_of", "kind"],
                        include=("sort_key", "item_id"),
                        name="list_entry_village_idx",
                        opclasses=["varchar_pattern_ops", "date_ops", "varchar_pattern_ops"],
                    ),
                ],
            },
        ),
        migrations.RunSQL(sql=_functions(SORT_COLUMNS) + MARK_STORED, reverse_sql=_functions({})),
    ]
