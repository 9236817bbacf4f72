"""CPU seconds of a pairing run, per phase, on a shared machine: read, solve, write of every part.

    python bench/pairing_cpu.py [--region 14] [--repeat 1] [--profile read|solve|write]

Runs on the database ``bench/pairing_run.py`` filled (``PAIRING_BENCH_DB``; run that first,
e.g. ``--scenarios shanxi``, which leaves the province's rows in place). For each part of a
run over the region (``run_part_codes``: the counties) it times, in this one process, the
platform's own three steps: ``pairing_instance`` (read), ``engine.solve_split`` (solve) and
``run_result_save`` (write, rolled back afterwards). Each phase is measured three ways:

- this process's CPU (``time.process_time``);
- the PostgreSQL backend's CPU (utime + stime of its process in ``/proc``, the server runs on
  this machine): the database's share, which ``process_time`` does not see;
- wall time, which on a busy machine is mostly waiting for a CPU.

CPU seconds hardly depend on what else runs, so runs on a loaded machine can be compared. The
parts' critical path over two workers (largest first, as Celery's queue hands them out)
estimates the end-to-end time on a quiet machine.
"""

from __future__ import annotations

import argparse
import cProfile
import heapq
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = os.environ.get("PAIRING_BENCH_DB", "caring_mothers_pairing_bench")
os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ["LOG_LEVEL"] = "WARNING"
TICK = os.sysconf("SC_CLK_TCK")
PHASES = ("read", "solve", "write")


class _Rollback(Exception):
    pass


def backend_cpu(pid: int) -> float:
    """Return the CPU seconds (user + system) a PostgreSQL backend has used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


class Meter:
    """Add up this process's CPU, the database backend's CPU and wall time per phase."""

    def __init__(self, pid: int):
        self.pid = pid
        self.totals = {phase: [0.0, 0.0, 0.0] for phase in PHASES}

    def measure(self, phase: str, fn, profiler=None):
        c0, d0, w0 = time.process_time(), backend_cpu(self.pid), time.perf_counter()
        if profiler is not None:
            profiler.enable()
        try:
            return fn()
        finally:
            if profiler is not None:
                profiler.disable()
            spent = (time.process_time() - c0, backend_cpu(self.pid) - d0, time.perf_counter() - w0)
            for k in range(3):
                self.totals[phase][k] += spent[k]
            self.last = spent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--region", default="14")
    parser.add_argument("--profile", choices=PHASES, help="print a cProfile of one phase, over all parts")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection, transaction
    from request_timing import cpu_calibration_print

    from backend.programmes.models import Programme
    from pairing import engine
    from pairing.models import PairingRun
    from pairing.selectors import PLATFORM_LABELS, pairing_instance, run_part_codes
    from pairing.services import run_result_save

    cpu_calibration_print()
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    programme = Programme.objects.get(slug="bench")
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        meter = Meter(cur.fetchone()[0])
    codes = run_part_codes(programme=programme, region_code=args.region)
    profiler = cProfile.Profile() if args.profile else None
    per_part = []
    covered = priority = proposals = 0
    for code in codes:
        spent = []
        instance = meter.measure(
            "read",
            lambda code=code: pairing_instance(programme=programme, region_code=code),
            profiler if args.profile == "read" else None,
        )
        spent.append(sum(meter.last[:2]))
        result = meter.measure(
            "solve",
            lambda instance=instance: engine.solve_split(instance, PLATFORM_LABELS),
            profiler if args.profile == "solve" else None,
        )
        spent.append(sum(meter.last[:2]))

        def write(result=result, code=code):
            try:
                with transaction.atomic():
                    run = PairingRun.objects.create(programme=programme, region_id=code)
                    run_result_save(run=run, result=result)
                    raise _Rollback
            except _Rollback:
                pass

        meter.measure("write", write, profiler if args.profile == "write" else None)
        spent.append(sum(meter.last[:2]))
        per_part.append((code, len(instance.beneficiaries), sum(spent)))
        covered += result.stats.covered
        priority += result.stats.priority_covered
        proposals += result.stats.proposals

    print(
        f"\n{len(codes)} parts of {args.region}: covered {covered:,}, covered priority {priority:,}, {proposals:,} proposals"
    )
    print(f"{'phase':<8}{'process CPU s':>15}{'database CPU s':>16}{'CPU s':>9}{'wall s':>9}")
    for phase in PHASES:
        cpu, db, wall = meter.totals[phase]
        print(f"{phase:<8}{cpu:>15.2f}{db:>16.2f}{cpu + db:>9.2f}{wall:>9.2f}")
    cpu = sum(v[0] for v in meter.totals.values())
    db = sum(v[1] for v in meter.totals.values())
    wall = sum(v[2] for v in meter.totals.values())
    print(f"{'total':<8}{cpu:>15.2f}{db:>16.2f}{cpu + db:>9.2f}{wall:>9.2f}")
    # two workers taking the parts largest first: when does the last one finish?
    workers = [0.0, 0.0]
    for _code, _n, seconds in sorted(per_part, key=lambda r: -r[1]):
        heapq.heapreplace(workers, workers[0] + seconds)
    biggest = max(per_part, key=lambda r: r[2])
    print(
        f"two workers, largest part first: the last finishes after {max(workers):.1f} CPU s"
        f" (largest part {biggest[0]}: {biggest[2]:.2f} CPU s)"
    )
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
