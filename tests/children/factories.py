"""Factories for children's files."""

import datetime
import itertools

import factory
from django.utils import timezone

from backend.children.models import Child, Concern
from backend.privacy.idnumbers import id_number_compose, id_number_hash, mask_id_number

_sequence = itertools.count(1)


def birth_date_for_age(age: int, *, today: datetime.date | None = None) -> datetime.date:
    """Return a birth date giving exactly ``age`` years today (a month past the birthday)."""
    today = today or timezone.localdate()
    day = today - datetime.timedelta(days=30)
    try:
        return day.replace(year=day.year - age)
    except ValueError:  # 29 February
        return day.replace(year=day.year - age, day=28)


def make_id_number(birth: datetime.date, *, county: str = "140521", female: bool = True, seq: int | None = None) -> str:
    """Return a valid 18-digit ID number for a birth date (the check digit computed)."""
    seq = next(_sequence) % 500 if seq is None else seq
    return id_number_compose(place=county, birth=birth, order=seq, female=female)


def with_bad_check_digit(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    class Params:
        age = 10

    family_name = "王"
    given_name = factory.Sequence(lambda n: f"小红{n}")
    gender = "F"
    birth_date = factory.LazyAttribute(lambda o: birth_date_for_age(o.age))
    id_number = factory.LazyAttribute(lambda o: make_id_number(o.birth_date, female=o.gender == "F"))
    id_number_hash = factory.LazyAttribute(lambda o: id_number_hash(o.id_number))
    id_number_masked = factory.LazyAttribute(lambda o: mask_id_number(o.id_number))
    village_id = "140521100001"  # 沁水县龙港镇柳庄社区
    address_detail = "柳庄社区3排5号"
    school = "龙港镇中心小学"
    grade = "四年级"
    category = Child.Category.LEFT_BEHIND
    guardian_name = "王建国"
    guardian_relation = Child.GuardianRelation.GRANDPARENT
    guardian_phone = "+8613912345678"
    parents_work_place = "广东省东莞市"
    needs = factory.LazyFunction(lambda: ["study"])
    consent_given_by = "王建国"
    consent_relation = "祖父"
    consent_given_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))


class ConcernFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Concern

    child = factory.SubFactory(ChildFactory)
    severity = Concern.Severity.HIGH
    category = Concern.Category.NEGLECT
    description = "孩子连续几天没有吃早饭，祖母生病住院。"


def child_values(**overrides) -> dict:
    """Return valid input for child_create / the API (village as a code)."""
    birth = overrides.pop("birth_date", None) or birth_date_for_age(overrides.pop("age", 10))
    values = {
        "family_name": "李",
        "given_name": "明明",
        "id_number": make_id_number(birth, female=False),
        "village_id": "140521100001",
        "category": Child.Category.LEFT_BEHIND,
        "guardian_name": "李大山",
        "guardian_relation": Child.GuardianRelation.GRANDPARENT,
        "guardian_phone": "13912345678",
        "needs": ["study", "safety"],
        "consent_given_by": "李大山",
        "consent_relation": "祖父",
        "consent_given_on": timezone.localdate(),
    }
    values.update(overrides)
    return values
