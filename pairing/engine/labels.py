"""Reasons in words, in Chinese (the engine knows no Django and no catalogue).

The engine returns structured reason codes; this table turns them into text. A programme
that pairs other things (parents and job vacancies) passes its own ``Labels``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pairing.engine.model import Distance, Reason, ReasonCode, UnmatchedCode


def _ro(d: dict) -> Mapping:
    return d  # a plain dict, so that Labels pickle into worker processes


@dataclass(frozen=True)
class Labels:
    distance: Mapping[Distance, str] = field(
        default_factory=lambda: _ro(
            {
                Distance.SAME_VILLAGE: "同村",
                Distance.SAME_TOWN: "同镇",
                Distance.SAME_COUNTY: "同县",
                Distance.SAME_CITY: "同市",
                Distance.SAME_PROVINCE: "同省",
                Distance.ANYWHERE: "跨省",
            }
        )
    )
    # name -> (Chinese, English)
    needs: Mapping[str, tuple[str, str]] = field(
        default_factory=lambda: _ro(
            {
                "psychological": ("心理需求", "psychological need"),
                "study": ("学业需求", "study need"),
                "daily_life": ("生活照料需求", "daily-life need"),
                "safety": ("安全需求", "safety need"),
                "health": ("健康需求", "health need"),
            }
        )
    )
    skills: Mapping[str, tuple[str, str]] = field(
        default_factory=lambda: _ro(
            {
                "心理咨询": ("心理咨询", "counsellor"),
                "教师": ("教师", "teacher"),
                "家庭教育": ("家庭教育", "family-education tutor"),
                "法律": ("法律", "lawyer"),
                "医护": ("医护", "nurse or doctor"),
            }
        )
    )
    keep: str = "延续原结对"
    team: str = "关爱小分队 {team}"
    priority: str = "{note}"  # the caller's own words ("困境儿童优先", "已等待 120 天")
    with_notes: str = "{text}（{notes}）"  # an unmatched reason followed by her priority notes
    skill: str = "{skill_zh} ↔ {need_zh}"
    unmatched: Mapping[UnmatchedCode, str] = field(
        default_factory=lambda: _ro(
            {
                UnmatchedCode.NO_HELPER_IN_RANGE: "允许范围内没有志愿者",
                UnmatchedCode.ALL_FULL: "附近的志愿者都已满额",
                UnmatchedCode.NEVER_PAIR: "附近的志愿者都在不结对名单或已结对",
                UnmatchedCode.OUTRANKED: "附近的志愿者都已满额，先给了更需要关爱的儿童",
                UnmatchedCode.SHORT: "已结对，但人数少于所需",
            }
        )
    )

    def _pair(self, table: Mapping[str, tuple[str, str]], key: str) -> tuple[str, str]:
        return table.get(key, (key, key))

    def reason(self, reason: Reason) -> str:
        if reason.code is ReasonCode.DISTANCE:
            return self.distance[Distance(reason.params[0])]
        if reason.code is ReasonCode.SKILL:
            skill_zh, skill_en = self._pair(self.skills, reason.params[0])
            need_zh, need_en = self._pair(self.needs, reason.params[1])
            return self.skill.format(skill_zh=skill_zh, skill_en=skill_en, need_zh=need_zh, need_en=need_en)
        if reason.code is ReasonCode.KEEP:
            return self.keep
        if reason.code is ReasonCode.TEAM:
            return self.team.format(team=reason.params[0])
        if reason.code is ReasonCode.PRIORITY:
            return self.priority.format(note=reason.params[0])
        raise ValueError(f"unknown reason {reason.code!r}")

    def unmatched_text(self, code: UnmatchedCode, notes: tuple[str, ...] = ()) -> str:
        text = self.unmatched.get(code) or self.unmatched[UnmatchedCode.ALL_FULL]
        return self.with_notes.format(text=text, notes="，".join(notes)) if notes else text


DEFAULT_LABELS = Labels()
