import csv
import gzip
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from backend.regions.models import Region

# The five files of the china-division data set, top level first, and the column that
# names each row's parent.
LEVEL_FILES: list[tuple[int, str, str | None]] = [
    (Region.Level.PROVINCE, "provinces", None),
    (Region.Level.CITY, "cities", "provinceCode"),
    (Region.Level.COUNTY, "areas", "cityCode"),
    (Region.Level.TOWN, "streets", "areaCode"),
    (Region.Level.VILLAGE, "villages", "streetCode"),
]
# City-level placeholders that read badly inside a full name.
_SILENT_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
BATCH_SIZE = 2000


class RegionImportError(Exception):
    pass


@dataclass
class RegionImportResult:
    counts: dict[int, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _open_level(directory: Path, stem: str) -> io.TextIOBase:
    for candidate, opener in ((directory / f"{stem}.csv.gz", gzip.open), (directory / f"{stem}.csv", open)):
        if candidate.is_file():
            return opener(candidate, "rt", encoding="utf-8", newline="")
    raise RegionImportError(f"缺少文件：{directory / stem}.csv(.gz)")


def _in_slice(code: str, prefixes: tuple[str, ...]) -> bool:
    # A row belongs to the slice if it lies under a prefix or is an ancestor of one.
    return not prefixes or any(code.startswith(p) or p.startswith(code) for p in prefixes)


def _batched(items: Iterable[Region], size: int) -> Iterator[list[Region]]:
    batch: list[Region] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _level_rows(
    reader: csv.DictReader,
    *,
    level: int,
    stem: str,
    parent_column: str | None,
    prefixes: tuple[str, ...],
    full_names: dict[str, str],
) -> Iterator[Region]:
    for row in reader:
        code = row["code"].strip()
        if not _in_slice(code, prefixes):
            continue
        if len(code) != Region.CODE_LENGTHS[level]:
            raise RegionImportError(f"{stem}: 代码长度不符 {code!r}")
        parent = row[parent_column].strip() if parent_column else None
        name = row["name"].strip()
        if level == Region.Level.PROVINCE:
            full = name
        else:
            # Full names start at the city: "晋城市沁水县龙港镇柳庄社区居委会".
            own = "" if name in _SILENT_NAMES else name
            full = f"{full_names.get(parent, '')}{own}" or name
        if level < Region.Level.VILLAGE:
            full_names[code] = full if level > Region.Level.PROVINCE else ""
        yield Region(code=code, name=name, full_name=full, level=level, parent_id=parent)


def regions_import(
    *,
    directory: Path,
    prefixes: tuple[str, ...] = (),
    progress: Callable[[int, int], None] | None = None,
) -> RegionImportResult:
    """Load (or update) regions from china-division CSV files; idempotent.

    Villages are streamed in batches; only the names of the four upper levels are held
    in memory to build full names, so the whole country fits in a few hundred MB.
    """
    full_names: dict[str, str] = {}
    counts: dict[int, int] = {}
    for level, stem, parent_column in LEVEL_FILES:
        counts[level] = 0
        with _open_level(directory, stem) as fh:
            reader = csv.DictReader(fh)
            missing = {"code", "name"} - set(reader.fieldnames or ())
            if missing or (parent_column and parent_column not in (reader.fieldnames or ())):
                raise RegionImportError(f"{stem}: 列名不符 {reader.fieldnames}")

            rows = _level_rows(
                reader, level=level, stem=stem, parent_column=parent_column, prefixes=prefixes, full_names=full_names
            )
            for batch in _batched(rows, BATCH_SIZE):
                with transaction.atomic():
                    Region.objects.bulk_create(
                        batch,
                        update_conflicts=True,
                        unique_fields=["code"],
                        update_fields=["name", "full_name", "level", "parent"],
                    )
                counts[level] += len(batch)
                if progress:
                    progress(level, len(batch))
    if prefixes and not counts[Region.Level.PROVINCE]:
        raise RegionImportError(f"没有找到区划 {', '.join(prefixes)}")
    return RegionImportResult(counts=counts)
