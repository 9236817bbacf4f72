"""`make run` stops the embedded PostgreSQL on SIGTERM to its process group (as a service manager
stops it), as on Ctrl-C: the recipe's traps, run by /bin/sh as make runs them, with stand-ins for
the database and honcho."""

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run_recipe_traps() -> str:
    recipe = (ROOT / "Makefile").read_text().split("\nrun: install\n", 1)[1].split("\n\n", 1)[0]
    traps = [line.strip().rstrip("\\").strip() for line in recipe.splitlines() if line.strip().startswith("trap ")]
    assert traps, "the run recipe sets no trap"
    return " ".join(t if t.endswith(";") else t + ";" for t in traps)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_make_runs_process_group_stops_the_embedded_database(tmp_path, sig):
    stopped = tmp_path / "stopped"
    traps = _run_recipe_traps().replace("$(PY) -m backend.embedded_db stop", f"touch {stopped}")
    assert "$(" not in traps, traps
    # honcho stands in as a foreground child that ends when the group is signalled
    script = f"{traps} sleep 30; echo done"
    shell = subprocess.Popen(["/bin/sh", "-c", script], start_new_session=True)
    time.sleep(0.5)
    os.killpg(shell.pid, sig)
    shell.wait(timeout=10)
    assert stopped.exists(), f"embedded database not stopped on {sig.name}"
    assert re.search(r"trap '[^']*embedded_db stop' EXIT", (ROOT / "Makefile").read_text())
