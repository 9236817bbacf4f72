"""A run's rows written in bulk with PostgreSQL ``COPY``.

A province's run writes about 86,000 proposals and 18,000 unmatched children. Through
``bulk_create`` most of that time went into building a model instance per row and quoting
every value into one long statement in Python; ``COPY ... FROM STDIN`` in text format takes
the rows as tab-separated lines, which this module writes directly. Values that repeat (the
same reasons on thousands of proposals) are encoded once.
"""

import json
from collections.abc import Iterable, Sequence

from django.db import connection, models

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def copy_text(value) -> str:
    """Return one value as a field of COPY's text format (None is NULL)."""
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is JsonText:
        return value.field
    if value is None:
        return NULL
    if value is True or value is False:
        return "t" if value else "f"
    return str(value).translate(_ESCAPES)


class JsonText(str):
    """A JSON value already encoded, for a ``JSONField`` column (``field``: as COPY text)."""

    field: str


class JsonCache(dict):
    """Encode lists of strings as JSON, each string once: proposals' reasons repeat phrase by phrase.

    Whole lists rarely repeat (a child's "已等待 120 天" is hers), their phrases do.
    """

    def __init__(self):
        super().__init__()
        self.phrases: dict[str, str] = {}

    def __missing__(self, key: tuple) -> JsonText:
        phrases = self.phrases
        parts = []
        for phrase in key:
            encoded = phrases.get(phrase)
            if encoded is None:
                encoded = phrases[phrase] = json.dumps(phrase, ensure_ascii=False)
            parts.append(encoded)
        text = self[key] = JsonText("[" + ", ".join(parts) + "]")
        text.field = text.translate(_ESCAPES)
        return text


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert rows (values in ``columns`` order, JSON as ``JsonText``) into a model's table with COPY.

    Outside PostgreSQL (a SQLite development database) the rows go through ``bulk_create``.
    """
    if connection.vendor != "postgresql":
        attnames = [model._meta.get_field(c.removesuffix("_id")).attname for c in columns]
        objs = [
            model(**{a: json.loads(v) if isinstance(v, JsonText) else v for a, v in zip(attnames, row, strict=True)})
            for row in rows
        ]
        model.objects.bulk_create(objs, batch_size=2000)
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        batch = []
        for row in rows:
            batch.append("\t".join(map(copy_text, row)))
            if len(batch) == 5000:
                copy.write("\n".join(batch) + "\n")
                batch = []
        if batch:
            copy.write("\n".join(batch) + "\n")
