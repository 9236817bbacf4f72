import factory
from django.utils import timezone

from notifications.models import Message, WeComRobot


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    channel = Message.Channel.SMS
    recipient = factory.Sequence(lambda n: f"+86139{n:08d}")
    template = "notifications.reminder"
    body = factory.Sequence(lambda n: f"【爱心妈妈】提醒 {n}")
    status = Message.Status.PENDING
    next_attempt_at = factory.LazyFunction(timezone.now)
    urgent = True


class WeComRobotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WeComRobot

    region_id = "140521"
    name = "沁水县爱心妈妈群"
    key = factory.Sequence(lambda n: f"robot-key-{n:04d}-secret")
