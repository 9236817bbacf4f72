import importlib

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from backend.demo.context import DemoContext
from backend.regions.models import Region


class Command(BaseCommand):
    help = "Create the demo data: each app's `demo.seed(context)`, in INSTALLED_APPS order (idempotent)."

    def handle(self, *args, **options):
        if not Region.objects.filter(code="1405").exists():
            call_command("import_regions", no_progress=True, stdout=self.stdout)
        context = DemoContext()
        for config in apps.get_app_configs():
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            with transaction.atomic():
                module.seed(context)
            self.stdout.write(f"demo data: {config.label} ok")
        self.stdout.write(self.style.SUCCESS("\n演示账户："))
        for who, username, password in context.credentials:
            self.stdout.write(f"  {who:<28} {username:<14} {password}")
        for line in context.notes:
            self.stdout.write(line)
