"""Sign-ups: capacity under a row lock, a first-come waiting list, offers that lapse and pass on."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from backend.activities import services
from backend.activities.models import Activity, Signup
from backend.ops.errors import ServiceError
from notifications.models import Message
from tests.activities.factories import ActivityFactory, guardian_signup
from tests.children.factories import ChildFactory

pytestmark = pytest.mark.django_db


def test_places_are_given_until_full_then_the_waiting_list_takes_over(regions):
    activity = ActivityFactory(capacity_guardians=2)
    first, second, third, fourth = (guardian_signup(activity, n) for n in range(4))
    assert [s.status for s in (first, second, third, fourth)] == ["confirmed", "confirmed", "waiting", "waiting"]
    assert services.signup_position(third) == 1
    assert services.signup_position(fourth) == 2


def test_cancellation_frees_the_place_for_the_first_on_the_waiting_list(regions):
    activity = ActivityFactory(capacity_guardians=1, offer_hours=24)
    holder = guardian_signup(activity, 1)
    early, late = guardian_signup(activity, 2), guardian_signup(activity, 3)
    # when
    services.signup_cancel(signup=holder)
    # then: the earlier waiter is offered the place for 24 hours, by SMS with a link
    early.refresh_from_db()
    late.refresh_from_db()
    assert early.status == Signup.Status.OFFERED
    assert late.status == Signup.Status.WAITING
    assert early.offered_until - timezone.now() > datetime.timedelta(hours=23)
    offer = Message.objects.get(template="activities.offer", recipient=early.phone)
    assert "/g/s/" in offer.body
    assert Message.objects.filter(template="activities.cancelled", recipient=holder.phone).exists()


def test_an_offer_not_taken_in_time_passes_to_the_next(regions):
    activity = ActivityFactory(capacity_guardians=1, offer_hours=24)
    holder = guardian_signup(activity, 1)
    early, late = guardian_signup(activity, 2), guardian_signup(activity, 3)
    services.signup_cancel(signup=holder)
    # when: a day and a minute later the periodic task runs
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=24, minutes=1)):
        assert services.offers_expire() == 1
        early.refresh_from_db()
        late.refresh_from_db()
        assert early.status == Signup.Status.LAPSED
        assert late.status == Signup.Status.OFFERED
        with pytest.raises(ServiceError):
            services.offer_accept(signup=early)
        services.offer_accept(signup=late)
    late.refresh_from_db()
    assert late.status == Signup.Status.CONFIRMED


def test_an_accepted_offer_holds_and_nobody_else_is_offered(regions):
    activity = ActivityFactory(capacity_guardians=1)
    holder = guardian_signup(activity, 1)
    early, late = guardian_signup(activity, 2), guardian_signup(activity, 3)
    services.signup_cancel(signup=holder)
    services.offer_accept(signup=early)
    assert services.offers_expire() == 0
    late.refresh_from_db()
    assert late.status == Signup.Status.WAITING


def test_a_newcomer_never_jumps_the_queue_while_an_offer_is_open(regions):
    activity = ActivityFactory(capacity_guardians=1)
    holder = guardian_signup(activity, 1)
    guardian_signup(activity, 2)
    services.signup_cancel(signup=holder)
    newcomer = guardian_signup(activity, 3)
    assert newcomer.status == Signup.Status.WAITING


def test_signing_up_twice_is_refused_and_outside_the_window_too(regions):
    activity = ActivityFactory()
    guardian_signup(activity, 1)
    with pytest.raises(ServiceError) as exc:
        guardian_signup(activity, 1)
    assert exc.value.field == "audience"
    closed = ActivityFactory(
        signup_closes_at=timezone.now() - datetime.timedelta(minutes=1),
        signup_opens_at=timezone.now() - datetime.timedelta(days=2),
    )
    with pytest.raises(ServiceError, match="报名已截止"):
        guardian_signup(closed, 2)


def test_a_camp_child_needs_the_guardians_consent(regions):
    activity = ActivityFactory(kind=Activity.Kind.CAMP)
    child = ChildFactory()
    with pytest.raises(ServiceError) as exc:
        services.signup_create(activity=activity, audience="child", channel="staff", child=child)
    assert exc.value.field == "consent_by"
    signup = services.signup_create(
        activity=activity, audience="child", channel="staff", child=child, consent_by="王奶奶", consent_relation="祖母"
    )
    assert signup.consent_at is not None and signup.consent_by == "王奶奶"


def test_an_audience_without_places_cannot_sign_up(regions):
    activity = ActivityFactory(capacity_volunteers=0)
    assert "volunteer" not in activity.audiences
    with pytest.raises(ServiceError) as exc:
        guardian_signup(ActivityFactory(capacity_guardians=0), 1)
    assert exc.value.field == "audience"


def test_a_lecture_series_has_one_session_per_occurrence(regions):
    import recurrence

    start = datetime.datetime(2027, 3, 6, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    rule = recurrence.Recurrence(rrules=[recurrence.Rule(recurrence.WEEKLY, count=4)])
    activity = ActivityFactory(
        kind=Activity.Kind.LECTURE,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        recurrence=rule,
        signup_closes_at=start,
    )
    sessions = list(activity.sessions.all())
    assert [s.number for s in sessions] == [1, 2, 3, 4]
    assert sessions[3].starts_at == start + datetime.timedelta(weeks=3)
    assert sessions[3].minutes == 120


@pytest.mark.django_db(transaction=True)
def test_concurrent_signups_never_exceed_capacity(regions):
    # given: 3 places and 12 guardians signing up at the same moment, each on its own connection
    activity = ActivityFactory(capacity_guardians=3)
    barrier = threading.Barrier(12)
    errors = []

    def sign_up(n):
        try:
            barrier.wait()
            guardian_signup(activity, n)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then
    assert errors == []
    statuses = list(Signup.objects.filter(activity=activity).values_list("status", flat=True))
    assert statuses.count("confirmed") == 3
    assert statuses.count("waiting") == 9
