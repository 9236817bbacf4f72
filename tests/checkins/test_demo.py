import pytest

from backend.checkins.models import CheckIn, ContactRule, DueState, Escalation, Reminder
from backend.children.models import Concern
from backend.demo.context import DemoContext

pytestmark = pytest.mark.django_db


def _seed() -> DemoContext:
    from backend.accounts import demo as accounts_demo
    from backend.checkins import demo as checkins_demo
    from backend.children import demo as children_demo
    from backend.programmes import demo as programmes_demo
    from backend.volunteers import demo as volunteers_demo
    from pairing import demo as pairing_demo

    context = DemoContext()
    for module in (accounts_demo, programmes_demo, children_demo, volunteers_demo, pairing_demo, checkins_demo):
        module.seed(context)
    return context


def test_demo_has_history_lapses_thanks_a_worry_reminders_and_an_escalation(regions, at):
    at("2026-11-23 10:00")
    context = _seed()
    assert ContactRule.objects.count() == 2
    checkins = CheckIn.objects.count()
    assert checkins > 20
    assert CheckIn.objects.filter(acknowledged_at__isnull=False).count() == 3
    assert CheckIn.objects.filter(worried=True).count() == 1
    assert Concern.objects.filter(description__contains="爱心妈妈关爱记录中的担心").count() == 1
    assert DueState.objects.exists() and Reminder.objects.exists()
    assert Escalation.objects.exists()
    assert any("关爱记录演示" in note for note in context.notes)
    # a small table of volunteers to sign in as: paired, lapsed and new, each with her number
    table = [note for note in context.notes if note.startswith("  +86")]
    assert [("已结对" in t, "久未联系" in t, "新爱心妈妈" in t) for t in table] == [
        (True, False, False),
        (False, True, False),
        (False, False, True),
    ]
    # seeding again adds nothing
    counts = (CheckIn.objects.count(), Reminder.objects.count(), Escalation.objects.count())
    _seed()
    assert (CheckIn.objects.count(), Reminder.objects.count(), Escalation.objects.count()) == counts
