"""The English catalogue: extract every msgid of the tree, fill in English, check what is missing.

Extraction is Django's own ``makemessages`` (xgettext, templatize, msgmerge), made to write into one
chosen locale directory (the real ``locale/`` or a temporary copy for the check) and to keep no
fuzzy guesses: a string without English is reported, never shown with a neighbour's translation.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.commands import makemessages

from backend.ops.i18n import po

LANGUAGE = "en"
DOMAIN = "django"
# Directories never scanned, relative to the project root (besides dot-directories).
IGNORED = ["node_modules", "var", "tests", "bench", "docs", "locale", "backend/static", "migrations"]
HEADER = {
    "Language": LANGUAGE,
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=2; plural=(n != 1);",
}


def catalogue_path(locale_dir: Path) -> Path:
    return locale_dir / LANGUAGE / "LC_MESSAGES" / f"{DOMAIN}.po"


class _Extract(makemessages.Command):
    """makemessages writing into ``target`` whatever the locale directories of the tree."""

    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
    target = ""

    def find_files(self, root):
        files = super().find_files(root)
        self.locale_paths = [self.target]
        self.default_locale_path = self.target
        for translatable in files:
            translatable.locale_dir = self.target
        return files


@contextmanager
def _in(directory: Path) -> Iterator[None]:
    before = os.getcwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(before)


def extract(root: Path, locale_dir: Path) -> list[po.Entry]:
    """Merge the tree's msgids into ``locale_dir``'s English catalogue (created if missing)."""
    command = _Extract()
    command.target = str(locale_dir)
    catalogue_path(locale_dir).parent.mkdir(parents=True, exist_ok=True)
    with _in(root):
        call_command(command, locale=[LANGUAGE], domain=DOMAIN, ignore_patterns=IGNORED, no_location=True, verbosity=0)
    return po.read(catalogue_path(locale_dir))


@dataclass
class Report:
    filled: int = 0
    missing: list[str] = field(default_factory=list)  # msgids with no English
    dropped: list[str] = field(default_factory=list)  # obsolete entries removed
    conflicts: list[str] = field(default_factory=list)  # a doubled string disagreeing with the catalogue
    unused: list[str] = field(default_factory=list)  # English found for a msgid not extracted


def _label(entry_key: tuple[str | None, str]) -> str:
    context, msgid = entry_key
    return f"[{context}] {msgid}" if context else msgid


def fill(entries: list[po.Entry], pairs: dict[tuple[str | None, str], str]) -> tuple[list[po.Entry], Report]:
    """Give entries the English of ``pairs``, keeping existing translations; drop obsolete ones."""
    report, kept, seen = Report(), [], set()
    for entry in entries:
        if entry.obsolete:
            report.dropped.append(_label(entry.key))
            continue
        if entry.msgid == "":
            kept.append(_header(entry))
            continue
        seen.add(entry.key)
        if entry.fuzzy:
            entry.flags.remove("fuzzy")
            entry.msgstr = dict.fromkeys(entry.msgstr, "")
        english = pairs.get(entry.key)
        if english is not None:
            if not entry.translated:
                entry.msgstr = dict.fromkeys(entry.msgstr or [""], english)
                report.filled += 1
            elif english not in entry.msgstr.values():
                report.conflicts.append(f"{_label(entry.key)}: kept {entry.msgstr} over {english!r}")
        if not entry.translated:
            report.missing.append(_label(entry.key))
        kept.append(entry)
    report.unused = [_label(key) for key in pairs if key not in seen]
    return kept, report


def _header(entry: po.Entry) -> po.Entry:
    fields = {}
    for line in entry.msgstr.get("", "").splitlines():
        name, _sep, value = line.partition(":")
        fields[name.strip()] = value.strip()
    fields.update(HEADER)
    fields.pop("Last-Translator", None)
    fields.pop("Language-Team", None)
    fields.pop("PO-Revision-Date", None)
    fields.pop("POT-Creation-Date", None)
    entry.msgstr = {"": "".join(f"{name}: {value}\n" for name, value in fields.items())}
    entry.flags = [f for f in entry.flags if f != "fuzzy"]
    entry.comments = ["# English for the platform's Chinese msgids (manage.py i18n_split; docs/i18n.md)."]
    return entry


def check(root: Path) -> tuple[list[po.Entry], Report, bool]:
    """Extract into a copy of the committed catalogue: (entries, report, catalogue is current)."""
    committed = catalogue_path(Path(settings.LOCALE_PATHS[0]))
    with tempfile.TemporaryDirectory() as tmp:
        copy = catalogue_path(Path(tmp))
        copy.parent.mkdir(parents=True)
        if committed.exists():
            shutil.copy(committed, copy)
        entries = extract(root, Path(tmp))
    report = Report(
        missing=[_label(e.key) for e in entries if e.msgid and not e.obsolete and (e.fuzzy or not e.translated)],
        dropped=[_label(e.key) for e in entries if e.obsolete],
    )
    current = {e.key: e.msgstr for e in po.read(committed) if e.msgid and not e.obsolete}
    extracted = {e.key: e.msgstr for e in entries if e.msgid and not e.obsolete}
    return entries, report, current == extracted
