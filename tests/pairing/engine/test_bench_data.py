"""The benchmark generator places people on real villages, reproducibly."""

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench"
sys.path.insert(0, str(BENCH))

from pairing_data import DIVISIONS, generate, load_villages  # noqa: E402

from pairing.engine import Mode, greedy, solve  # noqa: E402

pytestmark = pytest.mark.skipif(not (DIVISIONS / "villages.csv.gz").exists(), reason="../shared/data not present")


def test_generated_instance_is_on_real_jincheng_villages_and_reproducible():
    villages = load_villages("1405")
    assert len(villages) == 1729  # Jincheng's villages, as the data's README says
    first = generate("1405", 300, 240, seed=5, villages=villages)
    again = generate("1405", 300, 240, seed=5, villages=villages)
    assert first == again
    real = set(villages)
    assert all(b.location in real for b in first.beneficiaries)
    assert all(h.location in real for h in first.helpers)
    # helpers lean towards communities (居委会), children towards rural villages (村委会)
    community = sum(h.location[4][9] in "01" for h in first.helpers) / len(first.helpers)
    assert community > sum(b.location[4][9] in "01" for b in first.beneficiaries) / len(first.beneficiaries)


def test_engine_beats_greedy_on_cost_on_a_generated_county():
    inst = generate("140521", 400, 320, seed=3, mode=Mode.MANY_TO_MANY)
    engine, baseline = solve(inst), greedy(inst)
    assert engine.stats.covered >= baseline.stats.covered
    assert (engine.stats.covered, engine.stats.slots_filled, -engine.stats.total_cost) >= (
        baseline.stats.covered,
        baseline.stats.slots_filled,
        -baseline.stats.total_cost,
    )
