import random
from dataclasses import dataclass, field


@dataclass
class DemoContext:
    """What one app's demo seed leaves for the next (INSTALLED_APPS order)."""

    rng: random.Random = field(default_factory=lambda: random.Random(20261123))
    objects: dict = field(default_factory=dict)
    credentials: list[tuple[str, str, str]] = field(default_factory=list)  # (who, username, password)
    notes: list[str] = field(default_factory=list)  # lines printed at the end
