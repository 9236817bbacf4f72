"""Factories and helpers for recruitment tests."""

import datetime
import itertools

import factory
from django.utils import timezone

from backend.privacy.idnumbers import id_number_compose, id_number_hash
from backend.volunteers.models import Application, CaringUnit, Team, Volunteer
from notifications.models import Message
from tests.factories import ProgrammeFactory, VolunteerUserFactory, outbox_code

_sequence = itertools.count(1)


def make_id_number(
    *, birth: str = "19800101", place: str = "140521", female: bool = True, seq: int | None = None
) -> str:
    """Return a valid 18-digit ID number (check digit computed) for a birth date and birthplace."""
    n = next(_sequence) if seq is None else seq
    born = datetime.datetime.strptime(birth, "%Y%m%d").date()
    return id_number_compose(place=place, birth=born, order=n, female=female)


def application_answers(**overrides) -> dict:
    """Return a complete, valid public application (as the API takes it), with ``overrides``."""
    data = {
        "name": "王芳",
        "gender": "F",
        "id_number": make_id_number(),
        "phone": "13800138000",
        "village": "140521100001",
        "skills": ["teaching"],
        "capacity": 2,
        "availability": ["weekends"],
        "declarations": ["no_criminal_record", "good_health"],
        "consent": True,
    }
    data.update(overrides)
    return data


def api_phone_code(api, phone: str = "13800138000") -> str:
    """Ask the public API for an SMS code and return it, read from the outbox as the phone would."""
    response = api.post("/api/volunteers/phone-codes/", {"phone": phone}, format="json")
    assert response.status_code == 202, response.content
    return outbox_code(Message.objects.filter(template="phone_code").latest("id"))


def make_uscc(base: str = "91140500MA0K") -> str:
    """Return a valid Unified Social Credit Code from a 12-character start plus a counter."""
    from stdnum.cn import uscc

    body = f"{base}{next(_sequence):05d}"[:17]
    return body + uscc.calc_check_digit(body)


class CaringUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaringUnit

    name = factory.Sequence(lambda n: f"爱心单位{n}")
    uscc = factory.LazyFunction(make_uscc)
    region_id = "140521"
    contact_name = "李主任"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"关爱小分队{n}")
    programme = factory.SubFactory(ProgrammeFactory)
    region_id = "140521100"


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    reference = factory.Sequence(lambda n: f"ZM26T{n:05d}")
    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"王芳{n}")
    gender = "F"
    id_number = factory.LazyFunction(make_id_number)
    id_number_hash = factory.LazyAttribute(lambda o: id_number_hash(o.id_number))
    birth_date = factory.LazyAttribute(
        lambda o: datetime.date(int(o.id_number[6:10]), int(o.id_number[10:12]), int(o.id_number[12:14]))
    )
    phone = factory.Sequence(lambda n: f"+86139{n:08d}")
    phone_verified_at = factory.LazyFunction(timezone.now)
    village_id = "140521100001"
    skills = ["teaching"]
    capacity = 2
    availability = ["weekends"]
    declarations = ["good_health", "no_criminal_record"]
    consent_at = factory.LazyFunction(timezone.now)


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer

    user = factory.SubFactory(VolunteerUserFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"张丽{n}")
    gender = "F"
    birth_date = datetime.date(1980, 1, 1)
    id_number = factory.LazyFunction(make_id_number)
    id_number_hash = factory.LazyAttribute(lambda o: id_number_hash(o.id_number))
    phone = factory.LazyAttribute(lambda o: o.user.phone)
    village_id = "140521100001"
    skills = ["teaching"]
    capacity = 2
