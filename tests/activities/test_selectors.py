"""The guardian's page finds her children by the keyed hash of her number, within the activity's region."""

import pytest

from backend.activities.selectors import guardian_children
from backend.children.models import Child, guardian_phone_hash
from backend.children.services import child_update
from tests.activities.factories import ActivityFactory
from tests.children.factories import ChildFactory, birth_date_for_age, make_id_number

pytestmark = pytest.mark.django_db


def test_her_children_are_found_by_her_number_written_either_way_and_no_one_elses(regions):
    camp = ActivityFactory(kind="camp")
    hers = [ChildFactory(guardian_phone="139 1234 0000"), ChildFactory(guardian_phone="+8613912340000")]
    ChildFactory(guardian_phone="13900000001")  # another family's
    ChildFactory(guardian_phone="")  # no number on file
    assert {c.pk for c in guardian_children(phone="+8613912340000", activity=camp)} == {c.pk for c in hers}


def test_the_lookup_reads_no_encrypted_number(regions, monkeypatch):
    camp = ActivityFactory(kind="camp")
    child = ChildFactory(guardian_phone="13912340000")

    def no_decryption(token):
        raise AssertionError("a guardian's number was decrypted")

    monkeypatch.setattr("backend.privacy.fields.decrypt_text", no_decryption)
    assert [c.pk for c in guardian_children(phone="+8613912340000", activity=camp)] == [child.pk]


def test_a_changed_number_finds_her_under_the_new_one_only(regions, qinshui_officer):
    camp = ActivityFactory(kind="camp")
    child = ChildFactory(guardian_phone="13912340000")
    child_update(child=child, changed_by=qinshui_officer, changes={"guardian_phone": "13912349999"})
    assert guardian_children(phone="+8613912340000", activity=camp) == []
    assert [c.pk for c in guardian_children(phone="+8613912349999", activity=camp)] == [child.pk]
    assert Child.objects.get(pk=child.pk).guardian_phone_hash == guardian_phone_hash("13912349999")


def test_children_outside_the_activitys_region_or_exited_are_not_found(regions):
    camp = ActivityFactory(kind="camp")
    ChildFactory(guardian_phone="13912340000", status="exited", exit_reason="moved_away", exited_on="2026-01-01")
    zezhou_village = regions.filter(code__startswith="140525", code__regex=r"^\d{12}$").order_by("code").first()
    ChildFactory(
        guardian_phone="13912340000",
        village_id=zezhou_village.code,
        id_number=make_id_number(birth_date_for_age(10), county="140525"),
    )
    assert camp.region_id == "140521"
    assert guardian_children(phone="+8613912340000", activity=camp) == []
    assert guardian_children(phone="not a number", activity=camp) == []


def test_a_number_that_is_no_phone_has_no_hash():
    assert guardian_phone_hash("") == guardian_phone_hash("12") == ""
    assert guardian_phone_hash("13912340000") == guardian_phone_hash("+86 139-1234-0000") != ""


def test_the_migration_gives_files_on_record_their_hash(regions):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("backend.children.migrations.0007_guardian_phone_hash")
    child = ChildFactory(guardian_phone="13912340000")
    Child.objects.filter(pk=child.pk).update(guardian_phone_hash="")  # as before the migration
    migration.hash_existing(apps, None)
    assert Child.objects.get(pk=child.pk).guardian_phone_hash == guardian_phone_hash("+8613912340000")
