"""Read and write a gettext catalogue (.po) without a third-party library.

Only what makemessages/msgmerge write: comments, flags, msgctxt, msgid, msgid_plural, msgstr,
msgstr[n], and obsolete entries (#~).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"\s*$')
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


def _unquote(body: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n")


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[str, str] = field(default_factory=dict)  # "" for msgstr, "0", "1"… for plurals
    comments: list[str] = field(default_factory=list)  # "#." and "#:" lines, kept as they are
    flags: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())


def parse(text: str) -> list[Entry]:
    entries: list[Entry] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        entry, last = Entry(), None
        lines = block.splitlines()
        entry.obsolete = all(line.startswith("#~") for line in lines if not line.startswith("#,"))
        for raw in lines:
            line = raw[2:].lstrip() if raw.startswith("#~") else raw
            if line.startswith("#,"):
                entry.flags += [f.strip() for f in line[2:].split(",") if f.strip()]
            elif line.startswith("#|"):
                continue  # the previous msgid of a fuzzy match: dropped with the match
            elif line.startswith("#"):
                entry.comments.append(line)
            elif line.startswith('"'):
                value = _unquote(line.strip()[1:-1])
                if last == "msgid":
                    entry.msgid += value
                elif last == "msgctxt":
                    entry.msgctxt = (entry.msgctxt or "") + value
                elif last == "msgid_plural":
                    entry.msgid_plural = (entry.msgid_plural or "") + value
                elif last is not None:
                    entry.msgstr[last] += value
            elif match := _KEYWORD.match(line):
                keyword, value = match.group(1), _unquote(match.group(2))
                if keyword in ("msgid", "msgctxt", "msgid_plural"):
                    setattr(entry, keyword, value)
                    last = keyword
                else:
                    last = keyword[7:-1] if "[" in keyword else ""
                    entry.msgstr[last] = value
        if last is not None:
            entries.append(entry)
    return entries


def _field(keyword: str, value: str, prefix: str) -> list[str]:
    if "\n" not in value[:-1]:
        return [f'{prefix}{keyword} "{_quote(value)}"']
    parts = value.splitlines(keepends=True)
    return [f'{prefix}{keyword} ""'] + [f'{prefix}"{_quote(part)}"' for part in parts]


def render(entries: list[Entry]) -> str:
    blocks = []
    for entry in entries:
        prefix = "#~ " if entry.obsolete else ""
        lines = list(entry.comments)
        if entry.flags:
            lines.append("#, " + ", ".join(entry.flags))
        if entry.msgctxt is not None:
            lines += _field("msgctxt", entry.msgctxt, prefix)
        lines += _field("msgid", entry.msgid, prefix)
        if entry.msgid_plural is not None:
            lines += _field("msgid_plural", entry.msgid_plural, prefix)
        for index, value in sorted(entry.msgstr.items()):
            lines += _field(f"msgstr[{index}]" if index else "msgstr", value, prefix)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def read(path: Path) -> list[Entry]:
    return parse(path.read_text(encoding="utf-8")) if path.exists() else []


def write(path: Path, entries: list[Entry]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(entries), encoding="utf-8")
