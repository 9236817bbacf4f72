"""Factories for check-ins, contact rules and pairings used by the check-in tests."""

import datetime

import factory

from backend.checkins.models import CalendarEvent, CheckIn, CheckInChild, ContactRule
from pairing.models import Pairing
from tests.children.factories import ChildFactory
from tests.factories import ProgrammeFactory
from tests.volunteers.factories import VolunteerFactory


class ContactRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactRule

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"每月电话{n}")
    kinds = factory.LazyFunction(lambda: ["phone_call", "video_call", "home_visit"])
    every_days = 30
    lead_days = 3
    escalate_staff_days = 7
    escalate_county_days = 30


class CalendarEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarEvent

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"六一儿童节{n}")
    kind = CalendarEvent.Kind.FIXED
    month = 6
    day = 1


class PairingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pairing

    programme = factory.SubFactory(ProgrammeFactory)
    child = factory.SubFactory(ChildFactory)
    volunteer = factory.SubFactory(VolunteerFactory, programme=factory.SelfAttribute("..programme"))
    started_on = datetime.date(2027, 1, 1)


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    volunteer = factory.SubFactory(VolunteerFactory)
    kind = CheckIn.Kind.PHONE_CALL
    occurred_on = datetime.date(2027, 1, 1)


def checkin_for(pairing: Pairing, *, on: datetime.date, kind: str = CheckIn.Kind.PHONE_CALL) -> CheckIn:
    """Record a check-in row directly (bypassing the service), as history."""
    checkin = CheckInFactory(volunteer=pairing.volunteer, kind=kind, occurred_on=on)
    CheckInChild.objects.create(checkin=checkin, child=pairing.child, pairing=pairing, occurred_on=on)
    return checkin
