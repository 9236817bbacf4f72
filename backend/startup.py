"""Turn the configuration errors an operator can fix into one readable line."""

import sys

from django.core.exceptions import ImproperlyConfigured


def config_error_line(exc: BaseException) -> str | None:
    """Return a one-line message for a configuration error, or None for other errors."""
    from django.db.utils import OperationalError

    if isinstance(exc, ImproperlyConfigured):
        return f"configuration error: {exc}"
    if isinstance(exc, OperationalError):
        from django.conf import settings
        from django.db import connection

        try:
            connection.close()
            connection.ensure_connection()
            return None  # the database answers: this error is something else, show it whole
        except Exception:  # noqa: BLE001 - unreachable: explained below
            pass

        db = settings.DATABASES["default"]
        where = db.get("HOST") or db.get("NAME")
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return (
            f"cannot reach the database given by DATABASE_URL ({db['ENGINE'].rsplit('.', 1)[-1]} at {where}): {first}"
        )
    return None


def run_or_explain(func, *args) -> None:
    """Call func; exit with one line instead of a traceback on a configuration error."""
    try:
        func(*args)
    except Exception as exc:
        line = config_error_line(exc)
        if line is None:
            raise
        print(line, file=sys.stderr)
        sys.exit(2)
