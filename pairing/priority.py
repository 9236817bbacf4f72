"""A child's priority when volunteers are short: the programme's weights, summed, with words.

The engine covers as many children as possible and, among the ways to do that, the most
total priority (docs/pairing-engine.md); this module turns a child's file into that number
and into the words a proposal or the unmatched list shows ("困境儿童优先", "已等待 120 天").
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from backend.children.models import Child
from backend.programmes.models import Programme

# The programme's fields that weigh a child's priority (admin → 关爱项目 → 志愿者不足时的优先级).
PRIORITY_WEIGHTS = (
    "pairing_priority_in_difficulty",
    "pairing_priority_risk_medium",
    "pairing_priority_risk_high",
    "pairing_priority_per_concern",
    "pairing_priority_per_month_waited",
    "pairing_priority_no_adult",
)
CONCERNS_COUNTED = 3  # open concerns beyond this add nothing more
MONTHS_COUNTED = 24  # waiting beyond two years adds nothing more


@dataclass(frozen=True)
class ChildFacts:
    """What decides a child's priority, read in bulk by ``pairing_instance``."""

    category: str
    risk_level: str
    difficulty_subtype: str
    open_concerns: int
    waiting_since: datetime.date  # registration, or the end of her last pairing if later


@dataclass(frozen=True)
class PriorityWords:
    """The words of the reasons, translated once per run rather than once per child."""

    in_difficulty: str
    risk_high: str
    risk_medium: str
    no_adult: str
    concerns: str  # with %(n)d
    waited: str  # with %(days)d


def priority_words() -> PriorityWords:
    """Return the reasons' words in the active language."""
    return PriorityWords(
        in_difficulty=_("困境儿童优先"),
        risk_high=_("高风险"),
        risk_medium=_("中风险"),
        no_adult=_("家中无成年人照料"),
        concerns=_("%(n)d 项关注事项待处理"),
        waited=_("已等待 %(days)d 天"),
    )


def child_priority(
    *, programme: Programme, facts: ChildFacts, today: datetime.date, words: PriorityWords | None = None
) -> tuple[int, tuple[str, ...]]:
    """Return a child's priority points under the programme's weights, and the reasons in words."""
    words = words or priority_words()
    points, notes = 0, []
    if facts.category == Child.Category.IN_DIFFICULTY and programme.pairing_priority_in_difficulty:
        points += programme.pairing_priority_in_difficulty
        notes.append(words.in_difficulty)
    if facts.risk_level == Child.RiskLevel.HIGH and programme.pairing_priority_risk_high:
        points += programme.pairing_priority_risk_high
        notes.append(words.risk_high)
    elif facts.risk_level == Child.RiskLevel.MEDIUM and programme.pairing_priority_risk_medium:
        points += programme.pairing_priority_risk_medium
        notes.append(words.risk_medium)
    if facts.difficulty_subtype == Child.DifficultySubtype.UNSUPPORTED and programme.pairing_priority_no_adult:
        points += programme.pairing_priority_no_adult
        notes.append(words.no_adult)
    if facts.open_concerns and programme.pairing_priority_per_concern:
        points += programme.pairing_priority_per_concern * min(facts.open_concerns, CONCERNS_COUNTED)
        notes.append(words.concerns % {"n": facts.open_concerns})
    days = max(0, (today - facts.waiting_since).days)
    months = min(days // 30, MONTHS_COUNTED)
    if months and programme.pairing_priority_per_month_waited:
        points += programme.pairing_priority_per_month_waited * months
        notes.append(words.waited % {"days": days})
    return points, tuple(notes)
