from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from backend.regions.models import Region
from backend.regions.services import RegionImportError, regions_import

JINCHENG_DIR = Path(__file__).resolve().parents[2] / "data" / "jincheng"


class Command(BaseCommand):
    help = "Load administrative regions from china-division CSV files (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "directory",
            nargs="?",
            default=str(JINCHENG_DIR),
            help="folder holding provinces/cities/areas/streets/villages.csv(.gz); default: the bundled Jincheng slice",
        )
        parser.add_argument(
            "--only",
            action="append",
            default=[],
            metavar="CODE",
            help="import only this region (and its ancestors and descendants); repeatable, e.g. --only 1405",
        )
        parser.add_argument("--no-progress", action="store_true", help="do not draw a progress bar")

    def handle(self, *args, directory, only, no_progress, verbosity, **options):
        bars: dict[int, tqdm] = {}

        def progress(level: int, n: int) -> None:
            if level not in bars:
                for bar in bars.values():
                    bar.close()
                bars[level] = tqdm(
                    desc=str(Region.Level(level).label), unit=" rows", disable=no_progress or verbosity == 0
                )
            bars[level].update(n)

        try:
            result = regions_import(directory=Path(directory), prefixes=tuple(only), progress=progress)
        except RegionImportError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            for bar in bars.values():
                bar.close()
        summary = ", ".join(f"{Region.Level(level).label} {n}" for level, n in result.counts.items())
        self.stdout.write(self.style.SUCCESS(f"imported {result.total} regions ({summary})"))
