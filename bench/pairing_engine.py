"""Benchmark the pairing engine alone on real villages, beside the greedy baseline and scipy.

Each scenario runs in a fresh subprocess so that its peak memory (ru_maxrss) is its own.

    .venv/bin/python bench/pairing_engine.py                 # every scenario, a markdown table
    .venv/bin/python bench/pairing_engine.py jincheng_1to1    # one scenario
    .venv/bin/python bench/pairing_engine.py --no-greedy shanxi_pool2   # engine only (greedy columns repeat it)
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for p in (str(ROOT), str(ROOT / "bench")):
    if p not in sys.path:
        sys.path.insert(0, p)

from pairing_data import SCENARIOS, generate, load_villages  # noqa: E402

from pairing.engine import Distance, Mode, greedy, partition, solve, solve_split  # noqa: E402

# name -> (data scenario, mode, max distance, how: "one" solve | "split" | "split2" (pool of 2))
RUNS = {
    "jincheng": ("jincheng", Mode.MANY_TO_MANY, Distance.SAME_COUNTY, "one"),
    "jincheng_1to1": ("jincheng", Mode.ONE_TO_ONE, Distance.SAME_COUNTY, "one"),
    "large_county_town": ("large_county", Mode.MANY_TO_MANY, Distance.SAME_TOWN, "one"),
    "large_county": ("large_county", Mode.MANY_TO_MANY, Distance.SAME_COUNTY, "one"),
    "large_county_1to1": ("large_county", Mode.ONE_TO_ONE, Distance.SAME_COUNTY, "one"),
    "shanxi": ("shanxi", Mode.MANY_TO_MANY, Distance.SAME_COUNTY, "split"),
    "shanxi_pool2": ("shanxi", Mode.MANY_TO_MANY, Distance.SAME_COUNTY, "split2"),
    "shanxi_1to1_pool2": ("shanxi", Mode.ONE_TO_ONE, Distance.SAME_COUNTY, "split2"),
    "shanxi_town_pool2": ("shanxi", Mode.MANY_TO_MANY, Distance.SAME_TOWN, "split2"),
}
LSA_MAX_CELLS = 20_000_000  # a dense cost matrix beyond this is not tried


def _cpu_s() -> float:
    """CPU seconds of this process and of its reaped children (the pool's workers)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _maxrss_mb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def lsa_one_to_one(instance) -> tuple[int, int, float]:
    """Return (pairs, total cost, seconds, parts too big for a dense matrix) of scipy's linear_sum_assignment."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    from pairing.engine.costs import matched_skills

    t0 = time.perf_counter()
    pairs = total = skipped = 0
    policy = instance.policy
    for part in partition(instance):
        bs = [b for b in part.beneficiaries if not b.existing_helpers]
        hs = [h for h in part.helpers if h.capacity > 0]
        if not bs or not hs:
            continue
        if len(bs) * len(hs) > LSA_MAX_CELLS:
            skipped += 1
            continue
        big, prize = 10**9, 10**6  # forbidden; every allowed pair earns the prize: most pairs first
        top = int(Distance.SAME_VILLAGE)
        lo = int(policy.max_distance)
        dist = np.array([policy.distance_costs[Distance(d)] for d in range(top + 1)], dtype=np.int64)
        columns = [np.array([h.location[lv] for h in hs]) for lv in range(top)]
        profiles = sorted({h.skills for h in hs}, key=sorted)
        profile_of = np.array([profiles.index(h.skills) for h in hs])
        h_index = {h.id: k for k, h in enumerate(hs)}
        load = policy.load_spread * np.array([h.current_load for h in hs], dtype=np.int64)
        m = np.full((len(bs), len(hs)), big, dtype=np.int64)
        for i, b in enumerate(bs):
            same = np.ones(len(hs), dtype=bool)
            level = np.zeros(len(hs), dtype=np.int64)
            for lv in range(top):
                same &= columns[lv] == b.location[lv]
                level += same
            served = np.array([len(matched_skills(b.needs, sk, policy)) for sk in profiles])[profile_of]
            row = dist[level] - policy.skill_bonus * served + load - prize
            for hid in b.previous_helpers:
                if hid in h_index:
                    row[h_index[hid]] -= policy.keep_bonus
            row[level < lo] = big
            for hid in b.never:
                if hid in h_index:
                    row[h_index[hid]] = big
            m[i] = row
        rows, cols = linear_sum_assignment(m)
        chosen = m[rows, cols]
        chosen = chosen[chosen < big]
        pairs += len(chosen)
        total += int(chosen.sum()) + prize * len(chosen)
    return pairs, total, time.perf_counter() - t0, skipped


def run_one(name: str, with_greedy: bool = True) -> dict:
    data, mode, max_distance, how = RUNS[name]
    spec = SCENARIOS[data]
    t0 = time.perf_counter()
    villages = load_villages(spec["area"])
    instance = generate(**spec, mode=mode, max_distance=max_distance, villages=villages)
    t_gen = time.perf_counter() - t0

    t0, cpu0 = time.perf_counter(), _cpu_s()
    if how == "one":
        result = solve(instance)
    else:
        result = solve_split(instance, processes=2 if how == "split2" else 1)
    t_engine, cpu_engine = time.perf_counter() - t0, _cpu_s() - cpu0
    rss_engine = _maxrss_mb()
    rss_workers = _maxrss_mb(resource.RUSAGE_CHILDREN)

    t0 = time.perf_counter()
    base = greedy(instance) if with_greedy else result  # --no-greedy: engine figures only
    t_greedy = time.perf_counter() - t0 if with_greedy else float("nan")

    out = dict(
        name=name,
        mode=mode.value,
        max_distance=max_distance.name,
        how=how,
        villages=len(villages),
        counties=len({b.location[2] for b in instance.beneficiaries}),
        beneficiaries=len(instance.beneficiaries),
        helpers=len(instance.helpers),
        generate_s=round(t_gen, 2),
        engine_s=round(t_engine, 2),
        engine_cpu_s=round(cpu_engine, 2),
        load_average=round(os.getloadavg()[0], 1),
        engine_rss_mb=round(rss_engine),
        worker_rss_mb=round(rss_workers),
        covered=result.stats.covered,
        slots_wanted=result.stats.slots_wanted,
        slots_filled=result.stats.slots_filled,
        cost=result.stats.total_cost,
        greedy_s=round(t_greedy, 2),
        greedy_covered=base.stats.covered,
        greedy_slots=base.stats.slots_filled,
        greedy_cost=base.stats.total_cost,
    )
    if mode is Mode.ONE_TO_ONE:
        pairs, cost, secs, skipped = lsa_one_to_one(instance)
        if not skipped:
            out.update(lsa_pairs=pairs, lsa_cost=cost, lsa_s=round(secs, 2))
        else:
            out.update(lsa_skipped=f"dense matrix over {LSA_MAX_CELLS:,} cells")
    return out


def table(rows: list[dict]) -> str:
    head = (
        "| run | mode, limit | children / volunteers | engine s (CPU s) | peak RSS MB (workers) | covered | slots "
        "| cost | greedy covered | greedy slots | greedy cost | greedy s | scipy LSA pairs / cost / s |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        lsa = (
            f"{r['lsa_pairs']:,} / {r['lsa_cost']:,} / {r['lsa_s']}" if "lsa_pairs" in r else r.get("lsa_skipped", "-")
        )
        workers = f" ({r['worker_rss_mb']})" if r["how"] == "split2" else ""
        lines.append(
            f"| {r['name']} | {r['mode']}, {r['max_distance']} | {r['beneficiaries']:,} / {r['helpers']:,} "
            f"({r['counties']} {'county' if r['counties'] == 1 else 'counties'}) | {r['engine_s']} ({r['engine_cpu_s']}) | {r['engine_rss_mb']}{workers} | {r['covered']:,} "
            f"| {r['slots_filled']:,} of {r['slots_wanted']:,} | {r['cost']:,} | {r['greedy_covered']:,} "
            f"| {r['greedy_slots']:,} | {r['greedy_cost']:,} | {r['greedy_s']} | {lsa} |"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    with_greedy = "--no-greedy" not in argv
    argv = [a for a in argv if a != "--no-greedy"]
    if argv[:1] == ["--one"]:
        print(json.dumps(run_one(argv[1], with_greedy)))
        return
    names = argv or list(RUNS)
    rows = []
    for name in names:
        proc = subprocess.run(
            [sys.executable, __file__, "--one", name] + ([] if with_greedy else ["--no-greedy"]),
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), file=sys.stderr, flush=True)
    print(table(rows))


if __name__ == "__main__":
    main(sys.argv[1:])
