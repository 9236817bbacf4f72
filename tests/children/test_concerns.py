"""Concerns and mandatory reports: every step in the history, deadlines, escalation through the outbox."""

import datetime
import threading

import pytest
from django.http import Http404
from django.utils import timezone

from backend.children.models import Concern, ConcernEscalation, ConcernStep
from backend.children.services import (
    concern_acknowledge,
    concern_close,
    concern_escalate,
    concern_escalations_dispatch,
    concern_follow_up,
    concern_raise,
    concern_refer,
)
from backend.ops.errors import ConflictError, ServiceError
from notifications.models import Message
from tests.children.factories import ChildFactory
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 12, 1, 2, 0, tzinfo=datetime.UTC)


@pytest.fixture
def county_with_phone(regions):
    return StaffFactory(username="qinshui-phone", home_region_id="140521", phone="+8613900000521")


@pytest.fixture
def city_with_phone(regions):
    return StaffFactory(username="city-phone", home_region_id="1405", phone="+8613900001405")


def _raise(user, severity="urgent", now=T0, child=None):
    child = child or ChildFactory()
    return concern_raise(
        child=child, raised_by=user, severity=severity, category="neglect", description="连续三天无人做饭", now=now
    )


def test_raise_acknowledge_refer_follow_up_close_is_kept_step_by_step(liuzhuang_director, longgang_officer):
    concern = _raise(liuzhuang_director)
    assert concern.acknowledge_due_at == T0 + datetime.timedelta(hours=24)
    concern_acknowledge(concern=concern, user=longgang_officer, now=T0 + datetime.timedelta(hours=2))
    concern_refer(
        concern=concern,
        user=longgang_officer,
        referred_to="social_work",
        note="约社工周三家访",
        now=T0 + datetime.timedelta(hours=3),
    )
    concern_follow_up(concern=concern, user=liuzhuang_director, note="社工已家访，奶奶同意每天送饭")
    concern = concern_close(concern=concern, user=longgang_officer, note="照料已恢复", outcome="referred")
    assert (concern.status, concern.outcome, concern.referred_to) == ("closed", "referred", "social_work")
    kinds = list(concern.steps.values_list("kind", flat=True))
    assert kinds == ["raised", "acknowledged", "referred", "follow_up", "closed"]
    step = concern.steps.get(kind="referred")
    assert (step.by, step.note, step.get_referred_to_display()) == (longgang_officer, "约社工周三家访", "社工站")
    # acknowledged in time: nobody above is told
    assert not ConcernEscalation.objects.filter(concern=concern, status="pending").exists()


def test_referral_needs_a_known_place_and_a_note(liuzhuang_director, longgang_officer):
    concern = _raise(liuzhuang_director)
    with pytest.raises(ServiceError) as exc:
        concern_refer(concern=concern, user=longgang_officer, referred_to="hospital", note="x")
    assert exc.value.field == "referred_to"
    with pytest.raises(ServiceError) as exc:
        concern_refer(concern=concern, user=longgang_officer, referred_to="police", note="  ")
    assert exc.value.field == "note"
    assert concern.steps.count() == 1  # nothing half-written


def test_closing_twice_or_with_an_unknown_outcome_is_refused(liuzhuang_director, longgang_officer):
    concern = _raise(liuzhuang_director)
    with pytest.raises(ServiceError) as exc:
        concern_close(concern=concern, user=longgang_officer, note="好了", outcome="vanished")
    assert exc.value.field == "outcome"
    concern_close(concern=concern, user=longgang_officer, note="好了", outcome="resolved")
    with pytest.raises(ConflictError):
        concern_follow_up(concern=concern, user=longgang_officer, note="再看看")


def test_staff_of_another_county_cannot_handle_or_raise_it(liuzhuang_director, zezhou_officer):
    concern = _raise(liuzhuang_director)
    for act in (
        lambda: concern_acknowledge(concern=concern, user=zezhou_officer),
        lambda: concern_refer(concern=concern, user=zezhou_officer, referred_to="police", note="x"),
        lambda: concern_follow_up(concern=concern, user=zezhou_officer, note="x"),
        lambda: concern_close(concern=concern, user=zezhou_officer, note="x"),
        lambda: _raise(zezhou_officer, child=concern.child),
    ):
        with pytest.raises(Http404):
            act()
    assert Concern.objects.get(pk=concern.pk).status == "open"


def test_each_severity_has_its_deadline(liuzhuang_director):
    for severity, hours in (("urgent", 24), ("high", 72), ("medium", 168), ("low", 336)):
        concern = _raise(liuzhuang_director, severity=severity)
        assert concern.acknowledge_due_at - concern.created_at == datetime.timedelta(hours=hours)


def test_a_missed_deadline_tells_the_county_then_the_city(liuzhuang_director, county_with_phone, city_with_phone):
    concern = _raise(liuzhuang_director)
    # not yet due
    assert concern_escalations_dispatch(now=T0 + datetime.timedelta(hours=23)) == []
    # when the 24 hours pass unacknowledged
    late = T0 + datetime.timedelta(hours=25)
    ids = concern_escalations_dispatch(now=late)
    assert len(ids) == 1
    assert concern_escalate(escalation_id=ids[0], now=late) == 1
    # then the county officer gets a text naming the concern's number and town, not the child
    message = Message.objects.get(template="children.concern_escalated")
    assert message.recipient == county_with_phone.phone
    assert concern.reference in message.body and "龙港镇" in message.body
    assert concern.child.given_name not in message.body and "做饭" not in message.body
    step = concern.steps.get(kind=ConcernStep.Kind.ESCALATED)
    assert step.region_id == "140521" and step.by is None
    # a rerun of the same task does nothing
    assert concern_escalate(escalation_id=ids[0], now=late) is None
    assert Message.objects.filter(template="children.concern_escalated").count() == 1
    # a further day unacknowledged: the city
    later = late + datetime.timedelta(hours=25)
    ids = concern_escalations_dispatch(now=later)
    assert concern_escalate(escalation_id=ids[0], now=later) == 1
    assert Message.objects.filter(template="children.concern_escalated", recipient=city_with_phone.phone).exists()
    assert concern_escalations_dispatch(now=later + datetime.timedelta(days=30)) == []  # no level above the city


def test_acknowledged_before_the_deadline_nobody_is_told(liuzhuang_director, county_with_phone, longgang_officer):
    concern = _raise(liuzhuang_director)
    concern_acknowledge(concern=concern, user=longgang_officer, now=T0 + datetime.timedelta(hours=5))
    assert concern_escalations_dispatch(now=T0 + datetime.timedelta(hours=30)) == []
    assert not Message.objects.filter(template="children.concern_escalated").exists()


def test_acknowledged_after_the_dispatch_but_before_the_task_nobody_is_told(
    liuzhuang_director, county_with_phone, longgang_officer
):
    concern = _raise(liuzhuang_director)
    late = T0 + datetime.timedelta(hours=25)
    ids = concern_escalations_dispatch(now=late)
    # the task is still in the queue when the town officer acknowledges
    concern_acknowledge(concern=concern, user=longgang_officer, now=late)
    assert concern_escalate(escalation_id=ids[0], now=late) is None
    assert not Message.objects.filter(template="children.concern_escalated").exists()


def test_a_queued_escalation_whose_worker_died_is_queued_again(liuzhuang_director, county_with_phone):
    _raise(liuzhuang_director)
    late = T0 + datetime.timedelta(hours=25)
    first = concern_escalations_dispatch(now=late)
    assert concern_escalations_dispatch(now=late + datetime.timedelta(minutes=1)) == []
    assert concern_escalations_dispatch(now=late + datetime.timedelta(minutes=11)) == first


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_beat_task_escalates_through_a_real_worker(regions):
    from celery.contrib.testing.worker import start_worker

    from backend.children.tasks import concern_escalations_dispatch_task
    from celery_app import app
    from tests.factories import ChildDirectorFactory

    director = ChildDirectorFactory(username="esc-director", village_codes=["140521100001"])
    county = StaffFactory(username="esc-county", home_region_id="140521", phone="+8613900000522")
    concern = _raise(director, now=timezone.now() - datetime.timedelta(hours=30))
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        concern_escalations_dispatch_task.delay()
        waiter = threading.Event()
        for _ in range(200):
            if Message.objects.filter(template="children.concern_escalated", recipient=county.phone).exists():
                break
            waiter.wait(0.1)
    assert Message.objects.filter(template="children.concern_escalated", recipient=county.phone).exists()
    assert Concern.objects.get(pk=concern.pk).escalated_at is not None
