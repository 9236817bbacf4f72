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


def child_priority(*, programme: Programme, facts: ChildFacts, today: datetime.date) -> tuple[int, tuple[str, ...]]:
    """Return a child's priority points under the programme's weights, and the reasons in words."""
    points, notes = 0, []
    if facts.category == Child.Category.IN_DIFFICULTY and programme.pairing_priority_in_difficulty:
        points += programme.pairing_priority_in_difficulty
        notes.append(_("困境儿童优先"))
    if facts.risk_level == Child.RiskLevel.HIGH and programme.pairing_priority_risk_high:
        points += programme.pairing_priority_risk_high
        notes.append(_("高风险"))
    elif facts.risk_level == Child.RiskLevel.MEDIUM and programme.pairing_priority_risk_medium:
        points += programme.pairing_priority_risk_medium
        notes.append(_("中风险"))
    if facts.difficulty_subtype == Child.DifficultySubtype.UNSUPPORTED and programme.pairing_priority_no_adult:
        points += programme.pairing_priority_no_adult
        notes.append(_("家中无成年人照料"))
    if facts.open_concerns and programme.pairing_priority_per_concern:
        points += programme.pairing_priority_per_concern * min(facts.open_concerns, CONCERNS_COUNTED)
        notes.append(_("%(n)d 项关注事项待处理") % {"n": facts.open_concerns})
    days = max(0, (today - facts.waiting_since).days)
    months = min(days // 30, MONTHS_COUNTED)
    if months and programme.pairing_priority_per_month_waited:
        points += programme.pairing_priority_per_month_waited * months
        notes.append(_("已等待 %(days)d 天") % {"days": days})
    return points, tuple(notes)
