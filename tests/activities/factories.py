"""Factories for the activities app's tests."""

import datetime

import factory
from django.utils import timezone

from backend.activities.models import Activity

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity
        skip_postgeneration_save = True

    region_id = "140521"
    kind = Activity.Kind.CAMP
    title = factory.Sequence(lambda n: f"暑期关爱夏令营{n}")
    place = "龙港镇文化站"
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=6))
    capacity_children = 2
    capacity_guardians = 2
    capacity_volunteers = 2
    signup_opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    signup_closes_at = factory.LazyAttribute(lambda o: o.starts_at - datetime.timedelta(hours=1))

    @factory.post_generation
    def with_sessions(self, create, extracted, **kwargs):
        if create:
            from backend.activities.services import sessions_build

            sessions_build(activity=self)


def guardian_signup(activity, n: int, **kwargs):
    """Sign a guardian up (a distinct phone per n)."""
    from backend.activities.services import signup_create

    return signup_create(
        activity=activity,
        audience="guardian",
        channel="guardian",
        person_name=f"家长{n}",
        phone=f"+86139{n:08d}",
        **kwargs,
    )
