import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from backend.volunteers.models import Application, ScreeningItem
from backend.volunteers.services import application_submit
from notifications.models import Message
from tests.volunteers.factories import ApplicationFactory, CaringUnitFactory, make_id_number

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)


def _submit(programme, **overrides):
    data = {
        "programme": programme,
        "name": "王芳",
        "gender": "F",
        "id_number": make_id_number(birth="19800101"),
        "phone": "13800138000",
        "phone_verified_at": timezone.now(),
        "village_code": "140521100001",
        "workplace": "沁水县第一中学",
        "occupation": "教师",
        "skills": ["teaching", "family_education"],
        "capacity": 2,
        "availability": ["weekends", "holidays"],
        "joins_team": True,
        "motivation": "想帮助村里的孩子",
        "declarations": ["no_criminal_record", "good_health"],
        "consent": True,
        "today": TODAY,
    }
    data.update(overrides)
    return application_submit(**data)


def _errors(exc_info) -> dict:
    return exc_info.value.message_dict


def test_valid_application_is_stored_with_the_id_encrypted_and_masked(programme):
    number = make_id_number(birth="19800101")
    application = _submit(programme, id_number=number)
    assert application.status == "pending"
    assert application.reference.startswith("ZM26") and len(application.reference) == 10
    assert application.id_number_masked == number[:6] + "********" + number[-4:]
    assert application.birth_date == datetime.date(1980, 1, 1)
    assert application.phone == "+8613800138000"
    with connection.cursor() as cursor:
        cursor.execute("select id_number from volunteers_application where id = %s", [application.pk])
        stored = cursor.fetchone()[0]
    assert number not in stored
    assert Application.objects.get(pk=application.pk).id_number == number


def test_applicant_is_texted_her_reference_without_her_id_number(programme):
    application = _submit(programme)
    message = Message.objects.get(template="application_received")
    assert message.recipient == "+8613800138000"
    assert application.reference in message.body
    assert application.id_number not in message.body
    assert application.id_number[-4:] not in message.body


def test_the_default_screening_checklist_is_created(programme):
    _submit(programme)
    assert set(ScreeningItem.objects.filter(programme=programme).values_list("code", flat=True)) == {
        "interview",
        "training",
        "references",
        "declarations",
    }


def test_unverified_phone_is_refused_on_the_code_field(programme):
    with pytest.raises(ValidationError) as info:
        _submit(programme, phone_verified_at=None)
    assert "code" in _errors(info)
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("field", "override", "fragment"),
    [
        ("id_number", {"id_number": "140521198001010022"}, "校验位"),
        ("id_number", {"id_number": "1405211980010100"}, "18位"),
        ("id_number", {"id_number": ""}, "身份证"),
        ("phone", {"phone": "12345"}, "手机"),
        ("name", {"name": " "}, "姓名"),
        ("gender", {"gender": "M"}, "性别"),
        ("village", {"village_code": "140521100"}, "村"),
        ("village", {"village_code": "999999999999"}, "村"),
        ("capacity", {"capacity": 0}, "1至10"),
        ("capacity", {"capacity": 11}, "1至10"),
        ("availability", {"availability": []}, "可服务时间"),
        ("availability", {"availability": ["midnight"]}, "无效"),
        ("skills", {"skills": ["astrology"]}, "特长"),
        ("declarations", {"declarations": ["good_health"]}, "无违法犯罪记录"),
        ("consent", {"consent": False}, "隐私"),
        ("caring_unit", {"caring_unit_id": 999999}, "爱心单位"),
    ],
)
def test_each_rule_reports_its_field_in_chinese(programme, field, override, fragment):
    with pytest.raises(ValidationError) as info:
        _submit(programme, **override)
    errors = _errors(info)
    assert field in errors, errors
    assert fragment in errors[field][0]
    assert not Application.objects.exists()


def test_several_mistakes_are_reported_together(programme):
    with pytest.raises(ValidationError) as info:
        _submit(programme, id_number="140521198001010022", capacity=0, consent=False)
    assert {"id_number", "capacity", "consent"} <= set(_errors(info))


def test_age_outside_the_programmes_range_is_refused(programme):
    programme.min_age, programme.max_age = 22, 60
    programme.save()
    young = make_id_number(birth="20050101")  # 21 on 2026-03-02
    with pytest.raises(ValidationError) as info:
        _submit(programme, id_number=young)
    assert "22至60周岁" in _errors(info)["id_number"][0]
    old = make_id_number(birth="19650301")  # 61 on 2026-03-02
    with pytest.raises(ValidationError):
        _submit(programme, id_number=old)
    just_60 = make_id_number(birth="19650303")  # still 60 on 2026-03-02
    assert _submit(programme, id_number=just_60).pk


def test_village_outside_the_programmes_area_is_refused(regions):
    from tests.factories import ProgrammeFactory

    qinshui = ProgrammeFactory(slug="qinshui", region_id="140521")
    with pytest.raises(ValidationError) as info:
        _submit(qinshui, village_code="140525100001")
    assert "招募范围" in _errors(info)["village"][0]


def test_historic_birthplace_code_is_valid_and_never_compared_with_the_village(programme):
    # 1424xx was a Jincheng county code before 1985; she now lives in a 140521 village
    number = make_id_number(birth="19800101", place="142425")
    application = _submit(programme, id_number=number, village_code="140525100001")
    assert application.village_id == "140525100001"


def test_birthplace_elsewhere_in_china_is_fine(programme):
    assert _submit(programme, id_number=make_id_number(place="110101")).pk


def test_declarations_required_are_read_from_the_programme(programme):
    programme.required_declarations = ["good_health"]
    programme.save()
    assert _submit(programme, declarations=["good_health"]).pk


def test_closed_recruitment_is_refused(programme):
    programme.recruitment_open = False
    programme.save()
    with pytest.raises(ValidationError) as info:
        _submit(programme)
    assert "招募" in _errors(info)["__all__"][0]


def test_gender_is_taken_from_the_id_number(programme):
    man = make_id_number(female=False)
    application = _submit(programme, id_number=man, gender="M")
    assert application.gender == "M"


def test_caring_unit_can_be_named(programme):
    unit = CaringUnitFactory()
    assert _submit(programme, caring_unit_id=unit.pk).caring_unit == unit


@pytest.mark.parametrize("status", ["pending", "more_info", "approved"])
def test_second_application_with_the_same_id_number_is_refused(programme, status):
    number = make_id_number()
    ApplicationFactory(programme=programme, id_number=number, status=status)
    with pytest.raises(ValidationError) as info:
        _submit(programme, id_number=number, phone="13900000001")
    assert "已有待审核或已通过的报名" in _errors(info)["id_number"][0]
    assert Application.objects.count() == 1


def test_second_application_with_the_same_mobile_is_refused(programme):
    ApplicationFactory(programme=programme, phone="+8613800138000")
    with pytest.raises(ValidationError) as info:
        _submit(programme)
    assert "手机号已有" in _errors(info)["phone"][0]


@pytest.mark.parametrize("status", ["rejected", "withdrawn"])
def test_she_may_apply_again_after_rejection_or_withdrawal(programme, status):
    number = make_id_number()
    ApplicationFactory(programme=programme, id_number=number, phone="+8613800138000", status=status)
    assert _submit(programme, id_number=number).status == "pending"


def test_database_refuses_a_racing_duplicate(programme):
    from django.db import IntegrityError, transaction

    first = ApplicationFactory(programme=programme)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationFactory(programme=programme, id_number=first.id_number)
