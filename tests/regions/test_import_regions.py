import gzip
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from backend.regions.management.commands.import_regions import JINCHENG_DIR
from backend.regions.models import Region
from backend.regions.services import RegionImportError, regions_import


@pytest.mark.django_db
def test_import_jincheng_loads_every_level():
    # when
    call_command("import_regions", no_progress=True, stdout=StringIO())
    # then
    counts = {level: Region.objects.filter(level=level).count() for level in range(1, 6)}
    assert counts == {1: 1, 2: 1, 3: 6, 4: 77, 5: 1729}
    village = Region.objects.get(code="140521100001")
    assert village.parent_id == "140521100"
    assert village.full_name == "晋城市沁水县龙港镇柳庄社区居委会"
    assert Region.objects.get(code="14").parent_id is None


@pytest.mark.django_db
def test_import_is_idempotent_and_updates_names():
    regions_import(directory=JINCHENG_DIR)
    Region.objects.filter(code="140521").update(name="旧名")
    # when: imported again
    result = regions_import(directory=JINCHENG_DIR)
    # then: nothing duplicated, the name restored
    assert result.total == 1814
    assert Region.objects.count() == 1814
    assert Region.objects.get(code="140521").name == "沁水县"


@pytest.mark.django_db
def test_import_only_one_county_keeps_its_ancestors():
    regions_import(directory=JINCHENG_DIR, prefixes=("140521",))
    assert set(Region.objects.filter(level__lte=3).values_list("code", flat=True)) == {"14", "1405", "140521"}
    assert not Region.objects.filter(code__startswith="140525").exists()
    assert (
        Region.objects.filter(level=5).count() == Region.objects.filter(code__startswith="140521", level=5).count() > 0
    )


@pytest.mark.django_db
def test_import_of_unknown_code_is_an_error():
    with pytest.raises(RegionImportError):
        regions_import(directory=JINCHENG_DIR, prefixes=("99",))


@pytest.mark.django_db
def test_import_from_missing_folder_names_the_file(tmp_path):
    with pytest.raises(CommandError, match="provinces"):
        call_command("import_regions", str(tmp_path), no_progress=True)


@pytest.mark.django_db
def test_import_rejects_a_code_of_the_wrong_length(tmp_path):
    for stem, text in {
        "provinces": "code,name\n14,山西省\n",
        "cities": "code,name,provinceCode\n14055,坏市,14\n",
    }.items():
        (tmp_path / f"{stem}.csv").write_text(text, encoding="utf-8")
    for stem in ("areas", "streets", "villages"):
        with gzip.open(tmp_path / f"{stem}.csv.gz", "wt") as fh:
            fh.write("code,name,cityCode,areaCode,streetCode\n")
    with pytest.raises(RegionImportError, match="14055"):
        regions_import(directory=tmp_path)


def test_level_of_code_length():
    assert [Region.level_of(c) for c in ("14", "1405", "140521", "140521100", "140521100001")] == [1, 2, 3, 4, 5]
    with pytest.raises(ValueError):
        Region.level_of("1405211")
