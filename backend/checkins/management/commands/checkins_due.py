"""Run the nightly check-ins pass by hand: recompute what is due, queue reminders, escalate."""

import datetime
import time

from django.core.management.base import BaseCommand

from backend.checkins import services


class Command(BaseCommand):
    help = "计算结对关爱到期情况并生成提醒"

    def add_arguments(self, parser):
        parser.add_argument("--today", type=datetime.date.fromisoformat, help="the day (Asia/Shanghai), YYYY-MM-DD")
        parser.add_argument("--full", action="store_true", help="recompute every due state, not only what changed")

    def handle(self, *args, today=None, full=False, **options):
        today = today or services.today_local()
        started = time.perf_counter()
        phases = {}
        for name, run in (
            ("due_refresh", lambda: services.due_refresh(today=today, full=full)),
            ("reminders", lambda: services.reminders_create(today=today)),
            ("escalations", lambda: services.escalations_raise(today=today)),
            ("staff_digests", lambda: services.staff_digests_send(today=today)),
        ):
            t0 = time.perf_counter()
            result = run()
            phases[name] = (result, time.perf_counter() - t0)
            self.stdout.write(f"{name}: {result} in {phases[name][1]:.1f} s")
        self.stdout.write(f"total: {time.perf_counter() - started:.1f} s for {today}")
