"""A doubled string: Chinese, " / ", then English ("待审核 / Pending")."""

from __future__ import annotations

import re

# Han characters and the full-width punctuation that only Chinese text carries.
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
HAN = re.compile(r"[\u3400-\u9fff]")
SEPARATOR = " / "
# Placeholders whose set must agree between the two halves: %(name)s, {name}, {{ name }}.
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{\s*[\w.|:\"' ]+?\s*\}\}|\{\w*\}")


def split_doubled(text: str) -> tuple[str, str] | None:
    """Return (Chinese, English) when ``text`` is a doubled string, else None.

    The split is at the first " / " after the last Chinese character, so that the Chinese half may
    hold ASCII ("导出 Excel / Export") and the English half holds no Chinese at all.
    """
    if SEPARATOR not in text or not HAN.search(text):
        return None
    last = max(m.end() for m in CJK.finditer(text))
    at = text.find(SEPARATOR, last)
    if at < 0:
        return None
    zh, en = text[:at], text[at + len(SEPARATOR) :]
    if not HAN.search(zh) or not re.search(r"[A-Za-z]{2,}", en) or CJK.search(en):
        return None
    return zh.rstrip(), en.strip()


def placeholders_agree(zh: str, en: str) -> bool:
    """The English half may use only the Chinese half's placeholders (it may leave some out)."""
    norm = lambda s: {re.sub(r"\s+", "", p) for p in PLACEHOLDER.findall(s)}  # noqa: E731
    return norm(en) <= norm(zh)
