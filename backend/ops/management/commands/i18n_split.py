"""manage.py i18n_split: split doubled "中文 / English" strings into a Chinese msgid and English.

Re-runnable: a tree holding old doubled strings and new Chinese-only ones converts the first,
keeps every English translation already in locale/en/LC_MESSAGES/django.po, drops obsolete
entries, and lists the msgids that still have no English. ``--check`` changes nothing and fails
on a doubled string, a msgid without English, or a catalogue that is not current (CI).
"""

import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from backend.ops.i18n import catalogue, po, sources


class Command(BaseCommand):
    help = "把“中文 / English”双语字符串拆成中文 msgid 和英文译文（locale/en），并列出缺少英文的字符串"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="change nothing; fail if anything is left to do")

    def handle(self, *args, check=False, **options):
        root = Path(settings.BASE_DIR)
        pairs, manual, changed = {}, [], []
        for path in sources.files(root, catalogue.IGNORED):
            relative = str(path.relative_to(root))
            found = sources.scan(relative, path.read_text(encoding="utf-8"), rewrite=not check)
            pairs.update(found.pairs)
            manual += found.manual
            if found.changed:
                changed.append(path)
                if not check:
                    path.write_text(found.text, encoding="utf-8")
        if check:
            self._check(root, pairs, manual, changed)
            return
        self._format([p for p in changed if p.suffix == ".py"])
        locale_dir = Path(settings.LOCALE_PATHS[0])
        entries, report = catalogue.fill(catalogue.extract(root, locale_dir), pairs)
        po.write(catalogue.catalogue_path(locale_dir), entries)
        self.stdout.write(f"{len(changed)} files rewritten, {report.filled} English translations added")
        self._list("obsolete entries dropped", report.dropped)
        self._list("doubled strings disagreeing with the catalogue (the catalogue's English kept)", report.conflicts)
        self._list("English found for strings not extracted (not recorded)", report.unused)
        self._list("doubled strings to fix by hand (then re-run)", manual)
        self._list("msgids with no English yet: translate them in locale/en/LC_MESSAGES/django.po", report.missing)

    def _check(self, root, pairs, manual, changed):
        _entries, report, current = catalogue.check(root)
        problems = [f"{p.relative_to(root)}: doubled strings left" for p in changed] + manual
        problems += [f"no English: {m}" for m in report.missing] + [f"obsolete: {m}" for m in report.dropped]
        if not current:
            problems.append("locale/en/LC_MESSAGES/django.po is not current: run manage.py i18n_split")
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write("catalogue current: every msgid has English, no doubled string left")

    def _format(self, paths):
        ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
        if paths and Path(ruff).exists():
            subprocess.run([ruff, "format", "--quiet", *map(str, paths)], check=False)

    def _list(self, title, items):
        if items:
            self.stdout.write(f"\n{title} ({len(items)}):")
            for item in items:
                self.stdout.write(f"  {item}")
