"""Generate pairing-engine instances on real villages (../shared/data/china-division).

Placement follows what the programmes report: left-behind children live mostly in rural
villages (村委会, codes xxx2xx), a few in each; caring mothers are concentrated in town
and county-seat communities (居委会, codes xxx0xx-xxx1xx) and thinner in the villages.
Needs and skills come in the frequencies below (a guess from the published reports: study
and daily-life needs are the most common, professionals are few).

    python bench/pairing_data.py --area 1405 --beneficiaries 1000 --helpers 1284
"""

from __future__ import annotations

import argparse
import csv
import gzip
import os
import random
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pairing.engine import Beneficiary, Distance, Helper, Instance, Mode, Policy, Team  # noqa: E402

# ../shared/data beside the checkout (/work/main), or two levels up from a worktree (/work/wt/<name>);
# CHINA_DIVISION_DIR overrides both.
DIVISIONS = next(
    (
        Path(p)
        for p in (
            os.environ.get("CHINA_DIVISION_DIR", ""),
            ROOT.parent / "shared" / "data" / "china-division",
            ROOT.parent.parent / "shared" / "data" / "china-division",
        )
        if p and (Path(p) / "villages.csv.gz").exists()
    ),
    ROOT.parent / "shared" / "data" / "china-division",
)

NEEDS = {"study": 0.35, "daily_life": 0.30, "psychological": 0.22, "safety": 0.10, "health": 0.08}
SKILLS = {"教师": 0.12, "家庭教育": 0.06, "医护": 0.06, "心理咨询": 0.05, "法律": 0.02}
HELPER_CAPACITY = ((1, 0.6), (2, 0.3), (3, 0.1))
CHILD_WANTED = ((1, 0.85), (2, 0.15))

# Jincheng: 682 caring mothers for 531 children; the large cases use 0.8 helpers per child.
SCENARIOS = {
    "jincheng": dict(area="1405", beneficiaries=1_000, helpers=1_284),
    "large_county": dict(area="141124", beneficiaries=10_000, helpers=8_000),  # 临县, 504 villages
    "shanxi": dict(area="14", beneficiaries=100_000, helpers=80_000),
}


def load_villages(area: str, path: Path = DIVISIONS / "villages.csv.gz") -> list[tuple[str, ...]]:
    """Return the locations (province, city, county, town, village) of every village under ``area``."""
    if not path.exists():
        raise SystemExit(f"{path} not found: the benchmark needs ../shared/data/china-division")
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["code"].startswith(area):
                out.append((row["provinceCode"], row["cityCode"], row["areaCode"], row["streetCode"], row["code"]))
    out.sort()
    if not out:
        raise SystemExit(f"no village under region code {area}")
    return out


def _is_community(village: tuple[str, ...]) -> bool:
    return village[4][9] in "01"  # 居委会 / 社区 (urban); 2xx are 村委会 (rural)


def _pick(rng: random.Random, table) -> object:
    r = rng.random()
    for value, p in table:
        r -= p
        if r < 0:
            return value
    return table[-1][0]


def _sample(rng: random.Random, freqs: dict[str, float]) -> frozenset[str]:
    return frozenset(k for k, p in freqs.items() if rng.random() < p)


def generate(
    area: str,
    beneficiaries: int,
    helpers: int,
    *,
    seed: int = 1,
    mode: Mode = Mode.MANY_TO_MANY,
    max_distance: Distance = Distance.SAME_COUNTY,
    teams: int = 0,
    villages: list | None = None,
) -> Instance:
    """Return a reproducible instance of the given size on the real villages of ``area``."""
    rng = random.Random(seed)
    villages = villages or load_villages(area)
    # clustered: a lognormal weight per village, communities weigh more for helpers
    child_w = [rng.lognormvariate(0, 1.0) * (0.3 if _is_community(v) else 1.0) for v in villages]
    helper_w = [rng.lognormvariate(0, 1.2) * (8.0 if _is_community(v) else 1.0) for v in villages]
    child_places = rng.choices(villages, weights=child_w, k=beneficiaries)
    helper_places = rng.choices(villages, weights=helper_w, k=helpers)

    hs = []
    by_county = defaultdict(list)
    for k, loc in enumerate(helper_places):
        hid = 1_000_000 + k
        hs.append(Helper(hid, loc, skills=_sample(rng, SKILLS), capacity=_pick(rng, HELPER_CAPACITY)))
        by_county[loc[2]].append(hid)
    team_objs = []
    if teams:
        towns = sorted({loc[3] for loc in helper_places})
        rng.shuffle(towns)
        for t, town in enumerate(sorted(towns[:teams])):
            members = [h for h in hs if h.location[3] == town][:6]
            if members:
                team_objs.append(
                    Team(f"team-{t}", frozenset(h.id for h in members), members[0].location[:4], capacity=10)
                )
    bs = []
    for k, loc in enumerate(child_places):
        nearby = by_county.get(loc[2], [])
        never = frozenset(rng.sample(nearby, 1)) if nearby and rng.random() < 0.005 else frozenset()
        previous = frozenset(rng.sample(nearby, 1)) if nearby and rng.random() < 0.01 else frozenset()
        bs.append(
            Beneficiary(
                k + 1,
                loc,
                needs=_sample(rng, NEEDS),
                wanted=_pick(rng, CHILD_WANTED),
                never=never,
                previous_helpers=previous - never,
            )
        )
    return Instance(tuple(bs), tuple(hs), tuple(team_objs), Policy(mode=mode, max_distance=max_distance))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--area", default="1405")
    parser.add_argument("--beneficiaries", type=int, default=1000)
    parser.add_argument("--helpers", type=int, default=1284)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    inst = generate(args.area, args.beneficiaries, args.helpers, seed=args.seed)
    counties = {b.location[2] for b in inst.beneficiaries}
    print(f"{len(inst.beneficiaries)} beneficiaries, {len(inst.helpers)} helpers in {len(counties)} counties")


if __name__ == "__main__":
    main()
