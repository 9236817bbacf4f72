"""The pairing engine: plain Python + OR-Tools, no Django (see docs/pairing-engine.md)."""

from pairing.engine.greedy import greedy
from pairing.engine.labels import DEFAULT_LABELS, Labels
from pairing.engine.model import (
    Beneficiary,
    Distance,
    Helper,
    Instance,
    Mode,
    Policy,
    Proposal,
    Reason,
    ReasonCode,
    Result,
    Stats,
    Team,
    Unmatched,
    UnmatchedCode,
)
from pairing.engine.solver import EngineError, solve
from pairing.engine.split import merge, partition, solve_split

__all__ = [
    "DEFAULT_LABELS",
    "Beneficiary",
    "Distance",
    "EngineError",
    "Helper",
    "Instance",
    "Labels",
    "Mode",
    "Policy",
    "Proposal",
    "Reason",
    "ReasonCode",
    "Result",
    "Stats",
    "Team",
    "Unmatched",
    "UnmatchedCode",
    "greedy",
    "merge",
    "partition",
    "solve",
    "solve_split",
]
