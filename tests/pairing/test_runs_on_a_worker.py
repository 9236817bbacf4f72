import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import close_old_connections

from celery_app import app
from pairing.models import Pairing, PairingRun, Proposal
from pairing.services import PairingError, pairing_create, pairing_run_start, proposal_approve
from tests.children.factories import ChildFactory
from tests.factories import ProgrammeFactory, StaffFactory
from tests.volunteers.factories import VolunteerFactory


def _wait_for(predicate, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_city_run_is_split_by_county_and_solved_by_parallel_tasks_on_a_worker(regions):
    # given: children and volunteers in two counties
    programme = ProgrammeFactory()
    officer = StaffFactory(username="city-run", home_region_id="1405")
    for village in ("140521100001", "140521100002", "140525100001", "140525100002"):
        ChildFactory(village_id=village)
        VolunteerFactory(village_id=village, programme=programme, capacity=1)
    # when: the run goes through the broker to a real worker
    with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=20):
        run = pairing_run_start(user=officer, programme=programme, region=regions.get(code="1405"))
        assert _wait_for(lambda: PairingRun.objects.get(pk=run.pk).status == PairingRun.Status.DONE)
    # then
    run.refresh_from_db()
    assert run.parts_total == 2
    assert sorted(run.parts.values_list("region_code", flat=True)) == ["140521", "140525"]
    assert run.progress == 100
    assert run.stats["covered"] == 4
    assert Proposal.objects.filter(run=run).count() == 4
    # no proposal crosses a county line (the default limit is the county)
    for p in Proposal.objects.filter(run=run).select_related("child", "volunteer"):
        assert p.child.village_id[:6] == p.volunteer.village_id[:6]


@pytest.mark.django_db(transaction=True)
def test_two_officers_approving_at_once_cannot_overfill_a_volunteer(regions):
    programme = ProgrammeFactory()
    officers = [StaffFactory(username=f"o{i}", home_region_id="140521") for i in range(2)]
    volunteer = VolunteerFactory(village_id="140521100001", programme=programme, capacity=1)
    children = [ChildFactory(village_id="140521100001") for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(officer, child):
        close_old_connections()
        try:
            barrier.wait()
            pairing_create(programme=programme, child=child, volunteer=volunteer, user=officer)
            outcomes.append("ok")
        except PairingError as exc:
            outcomes.append(exc.code)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=approve, args=(o, c)) for o, c in zip(officers, children, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["capacity", "ok"]
    assert Pairing.objects.filter(volunteer=volunteer).count() == 1


@pytest.mark.django_db(transaction=True)
def test_bulk_style_approval_of_two_proposals_for_a_full_volunteer_pairs_only_one(regions):
    from pairing.models import PairingRun as Run

    programme = ProgrammeFactory()
    officer = StaffFactory(username="bulk", home_region_id="140521")
    volunteer = VolunteerFactory(village_id="140521100001", programme=programme, capacity=1)
    run = Run.objects.create(programme=programme, region_id="140521", status=Run.Status.DONE)
    proposals = [
        Proposal.objects.create(run=run, child=ChildFactory(village_id="140521100001"), volunteer=volunteer)
        for _ in range(2)
    ]
    proposal_approve(proposal=proposals[0], user=officer)
    with pytest.raises(PairingError):
        proposal_approve(proposal=proposals[1], user=officer)
    assert Pairing.objects.count() == 1
    proposals[1].refresh_from_db()
    assert proposals[1].status == Proposal.Status.PROPOSED
