"""Time and peak memory of `import_regions` for the whole country (620,573 villages).

Usage: make bench-regions   (or: DATABASE_URL=postgres://.../caring_mothers_bench python bench/import_regions.py)

Runs the management command in a child process twice (first load, then the idempotent
re-run) against an empty PostgreSQL database and prints wall time, rows per second and
the child's peak resident memory.
"""

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "china-division"


def run(*args: str) -> tuple[float, int, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    elapsed = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak_kb, before), out.strip().splitlines()[-1]


def main() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("set DATABASE_URL to an empty PostgreSQL database (it is dropped and recreated)")
    name = url.rsplit("/", 1)[1]
    base = url.rsplit("/", 1)[0]
    subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
    print(f"database: {base}/{name}; data: {DATA}")
    for label in ("first load", "re-run (idempotent)"):
        elapsed, peak_kb, summary = run("import_regions", str(DATA), "--no-progress")
        print(f"{label:<22} {elapsed:7.1f} s   peak RSS {peak_kb / 1024:6.0f} MiB   {summary}")


if __name__ == "__main__":
    main()
