"""factory_boy factories for the foundation's models; apps add their own beside their tests."""

import factory

from backend.accounts.models import User
from backend.programmes.models import Programme

TEST_PASSWORD = "Correct-Horse-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Faker("name", locale="zh_CN")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or TEST_PASSWORD)
        if create:
            self.save(update_fields=["password"])


class StaffFactory(UserFactory):
    role = User.Role.STAFF
    is_staff = True
    home_region_id = "1405"


class ChildDirectorFactory(UserFactory):
    role = User.Role.CHILD_DIRECTOR
    is_staff = True

    @factory.post_generation
    def village_codes(self, create, extracted, **kwargs):
        if create and extracted:
            self.villages.set(extracted)


class VolunteerUserFactory(UserFactory):
    role = User.Role.VOLUNTEER
    phone = factory.Sequence(lambda n: f"+86138{n:08d}")


class SuperuserFactory(UserFactory):
    is_staff = True
    is_superuser = True


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("slug",)

    name = "晋城市爱心妈妈结对关爱"
    slug = "jincheng"
    region_id = "1405"


def outbox_code(message) -> str:
    """Return the one-time code a queued message carries (sealed in the row: notifications/services/secrets.py)."""
    from notifications.services.secrets import message_secrets_open

    return message_secrets_open(message)[0]["code"]
