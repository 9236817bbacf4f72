"""A doubled string: Chinese, " / ", then English ("待审核 / Pending")."""

from __future__ import annotations

import re

# Han characters and the full-width punctuation that only Chinese text carries.
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
HAN = re.compile(r"[\u3400-\u9fff]")
SEPARATOR = re.compile(r" ?/ ")  # "待审核 / Pending", and "（通知爱心妈妈）/ Thank" after full-width punctuation
# Placeholders whose set must agree between the two halves: %(name)s, {name}, {{ name }}.
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{\s*[\w.|:\"' ]+?\s*\}\}|\{\w*\}")


def split_doubled(text: str) -> tuple[str, str] | None:
    """Return (Chinese, English) when ``text`` is a doubled string, else None.

    The split is at the first " / " after the last Chinese character, so that the Chinese half may
    hold ASCII ("导出 Excel / Export") and the English half holds no Chinese at all.
    """
    if "/ " not in text or not HAN.search(text):
        return None
    last = max(m.end() for m in CJK.finditer(text))
    separator = SEPARATOR.search(text, last)
    if separator is None or (separator[0] == "/ " and separator.start() != last):
        return None
    zh, en = text[: separator.start()], text[separator.end() :]
    if not HAN.search(zh) or not re.search(r"[A-Za-z]{2,}", en) or CJK.search(en):
        return None
    return zh.rstrip(), en.strip()


def _placeholders(text: str) -> set[str]:
    return {re.sub(r"\s+", "", p) for p in PLACEHOLDER.findall(text)}


def placeholders(zh: str, en: str) -> str:
    """ "same"; "fewer" when the English leaves some of the Chinese placeholders out (a translation
    msgfmt refuses, to be completed by hand); "other" when the English has one the Chinese lacks."""
    if _placeholders(en) == _placeholders(zh):
        return "same"
    return "fewer" if _placeholders(en) < _placeholders(zh) else "other"
