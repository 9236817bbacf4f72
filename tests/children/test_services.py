import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from backend.children.models import Child, ChildChange, Concern
from backend.children.services import (
    child_create,
    child_exit,
    child_update,
    concern_acknowledge,
    concern_close,
    concern_raise,
)
from backend.ops.errors import ConflictError, ServiceError
from tests.children.factories import (
    ChildFactory,
    birth_date_for_age,
    child_values,
    make_id_number,
    with_bad_check_digit,
)

pytestmark = pytest.mark.django_db


def _errors(exc_info) -> dict:
    return exc_info.value.message_dict


def test_officer_registers_a_child_in_her_region(qinshui_officer):
    child = child_create(created_by=qinshui_officer, values=child_values())
    child.refresh_from_db()
    assert child.status == Child.Status.ACTIVE
    assert child.gender == "M"  # derived from the ID number
    assert child.id_number_masked.startswith("140521") and "*" in child.id_number_masked
    assert child.guardian_phone == "+8613912345678"
    assert child.needs == ["study", "safety"]
    assert ChildChange.objects.filter(child=child, source="create").count() == 1


def test_bad_check_digit_is_rejected_on_the_id_number(qinshui_officer):
    values = child_values()
    values["id_number"] = with_bad_check_digit(values["id_number"])
    with pytest.raises(ValidationError) as exc:
        child_create(created_by=qinshui_officer, values=values)
    assert "校验位" in _errors(exc)["id_number"][0]
    assert not Child.objects.exists()


def test_birth_date_must_agree_with_the_id_number(qinshui_officer):
    values = child_values(age=9)
    values["birth_date"] = birth_date_for_age(9) - datetime.timedelta(days=3)
    with pytest.raises(ValidationError) as exc:
        child_create(created_by=qinshui_officer, values=values)
    assert "出生日期与身份证号码不一致" in _errors(exc)["birth_date"][0]


def test_gender_must_agree_with_the_id_number(qinshui_officer):
    with pytest.raises(ValidationError) as exc:
        child_create(created_by=qinshui_officer, values=child_values(gender="F"))  # the number says male
    assert "gender" in _errors(exc)


def test_an_adult_cannot_be_registered(qinshui_officer):
    with pytest.raises(ValidationError) as exc:
        child_create(created_by=qinshui_officer, values=child_values(age=18))
    assert "18" in _errors(exc)["birth_date"][0]


def test_a_seventeen_year_old_can_be_registered_without_guardian_consent(qinshui_officer):
    child = child_create(
        created_by=qinshui_officer, values=child_values(age=17, consent_given_by="", consent_given_on=None)
    )
    assert child.pk


def test_under_fourteen_needs_guardian_consent(qinshui_officer):
    with pytest.raises(ValidationError) as exc:
        child_create(
            created_by=qinshui_officer, values=child_values(age=13, consent_given_by="", consent_given_on=None)
        )
    assert "14" in _errors(exc)["consent_given_by"][0]


def test_village_outside_the_officers_region_is_rejected(qinshui_officer):
    with pytest.raises(ValidationError) as exc:
        child_create(created_by=qinshui_officer, values=child_values(village_id="140525100001"))  # 泽州县
    assert "辖区" in _errors(exc)["village_id"][0]


def test_a_town_is_not_a_village(qinshui_officer):
    with pytest.raises(ValidationError) as exc:
        child_create(created_by=qinshui_officer, values=child_values(village_id="140521100"))
    assert "找不到" in _errors(exc)["village_id"][0]


def test_historic_birthplace_code_is_accepted_and_never_compared_with_the_village(qinshui_officer):
    # 142425 was a Jincheng county code before 1985; the child now lives in Qinshui
    birth = birth_date_for_age(8)
    values = child_values(id_number=make_id_number(birth, county="142425", female=False))
    assert child_create(created_by=qinshui_officer, values=values).pk


def test_in_difficulty_needs_a_subtype(qinshui_officer):
    with pytest.raises(ValidationError) as exc:
        child_create(created_by=qinshui_officer, values=child_values(category="in_difficulty"))
    assert "difficulty_subtype" in _errors(exc)
    child = child_create(
        created_by=qinshui_officer, values=child_values(category="in_difficulty", difficulty_subtype="orphan")
    )
    assert child.get_difficulty_subtype_display() == "孤儿"


def test_the_same_id_number_cannot_be_registered_twice(qinshui_officer, zezhou_officer):
    values = child_values()
    child_create(created_by=qinshui_officer, values=values)
    with pytest.raises(ConflictError) as exc:
        child_create(created_by=zezhou_officer, values={**values, "village_id": "140525100001"})
    assert exc.value.field == "id_number"
    assert Child.objects.count() == 1


def test_an_exited_child_may_be_registered_again(qinshui_officer):
    values = child_values()
    first = child_create(created_by=qinshui_officer, values=values)
    child_exit(child=first, exited_by=qinshui_officer, reason="moved_away")
    assert child_create(created_by=qinshui_officer, values=values).pk != first.pk


def test_update_records_who_changed_what_with_the_id_number_masked(qinshui_officer):
    child = ChildFactory(age=12)
    old_number = child.id_number
    new_number = make_id_number(child.birth_date, female=True, seq=321)
    changes = child_update(
        child=child,
        changed_by=qinshui_officer,
        changes={"school": "沁水县第二中学", "id_number": new_number, "guardian_phone": "13800001111"},
    )
    by_field = {c.field: c for c in changes}
    assert set(by_field) == {"school", "id_number", "guardian_phone"}
    assert by_field["school"].old_value == "龙港镇中心小学"
    assert by_field["school"].new_value == "沁水县第二中学"
    assert by_field["school"].changed_by == qinshui_officer
    assert old_number not in by_field["id_number"].old_value
    assert new_number not in by_field["id_number"].new_value
    assert by_field["id_number"].new_value == new_number[:6] + "********" + new_number[-4:]
    assert "13800001111" not in by_field["guardian_phone"].new_value
    child.refresh_from_db()
    assert child.id_number == new_number


def test_update_without_a_change_writes_no_history(qinshui_officer):
    child = ChildFactory()
    assert child_update(child=child, changed_by=qinshui_officer, changes={"school": child.school}) == []


def test_update_rejects_moving_a_child_out_of_the_region(longgang_officer):
    child = ChildFactory()
    with pytest.raises(ValidationError):
        child_update(child=child, changed_by=longgang_officer, changes={"village_id": "140521101200"})
    child.refresh_from_db()
    assert child.village_id == "140521100001"


def test_exit_needs_a_reason_and_is_recorded(qinshui_officer):
    child = ChildFactory()
    with pytest.raises(ServiceError):
        child_exit(child=child, exited_by=qinshui_officer, reason="other", note="")
    child_exit(child=child, exited_by=qinshui_officer, reason="parents_returned")
    child.refresh_from_db()
    assert (child.status, child.exit_reason, child.exited_on) == ("exited", "parents_returned", timezone.localdate())
    assert child.changes.filter(source="exit").exists()
    with pytest.raises(ConflictError):
        child_exit(child=child, exited_by=qinshui_officer, reason="moved_away")


def test_concern_is_acknowledged_then_closed_with_a_note(qinshui_officer, liuzhuang_director):
    child = ChildFactory()
    concern = concern_raise(
        child=child, raised_by=liuzhuang_director, severity="urgent", category="dropping_out", description="两周未到校"
    )
    assert concern.status == Concern.Status.OPEN
    concern = concern_acknowledge(concern=concern, user=qinshui_officer)
    assert concern.status == Concern.Status.ACKNOWLEDGED
    with pytest.raises(ServiceError) as exc:
        concern_close(concern=concern, user=qinshui_officer, note="  ")
    assert exc.value.field == "note"
    concern = concern_close(concern=concern, user=qinshui_officer, note="已转介龙港镇社工站跟进")
    assert concern.status == Concern.Status.CLOSED and concern.closed_by == qinshui_officer
    with pytest.raises(ConflictError):
        concern_acknowledge(concern=concern, user=qinshui_officer)


def test_concern_needs_a_known_severity_and_description(liuzhuang_director):
    child = ChildFactory()
    with pytest.raises(ServiceError):
        concern_raise(child=child, raised_by=liuzhuang_director, severity="huge", category="other", description="x")
    with pytest.raises(ServiceError):
        concern_raise(child=child, raised_by=liuzhuang_director, severity="low", category="other", description=" ")
    assert not Concern.objects.exists()


def test_the_database_refuses_two_active_files_with_one_id_number(regions):
    from django.db import IntegrityError, transaction

    first = ChildFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ChildFactory(id_number=first.id_number)
    first.status, first.exit_reason, first.exited_on = "exited", "moved_away", timezone.localdate()
    first.save()
    assert ChildFactory(id_number=first.id_number).pk != first.pk
