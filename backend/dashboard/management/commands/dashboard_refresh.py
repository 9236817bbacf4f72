"""Store the dashboard's per-village figures now (what the beat task does every minute)."""

import datetime
import time

from django.core.management.base import BaseCommand

from backend.dashboard import services


class Command(BaseCommand):
    help = "重新计算工作台村级统计"

    def add_arguments(self, parser):
        parser.add_argument("--today", type=datetime.date.fromisoformat, help="the day (Asia/Shanghai), YYYY-MM-DD")

    def handle(self, *args, today=None, **options):
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"\r{done:,} / {total:,} villages", ending="")
            self.stdout.flush()

        n = services.summary_refresh(today=today, progress=progress if options["verbosity"] else None)
        if n is None:
            self.stdout.write("another refresh is running; nothing done")
            return
        self.stdout.write(f"\n{n:,} villages refreshed in {time.perf_counter() - started:.1f} s")
