"""`make run`'s pairing demo shows what end reasons and priorities do."""

from io import StringIO

import pytest
from django.core.management import call_command

from pairing.models import Pairing, PairingRun, RunUnmatched

pytestmark = pytest.mark.django_db


def test_demo_re_pairs_after_a_declined_pair_and_a_school_change_and_shows_priorities(regions):
    call_command("seed_demo", stdout=StringIO())
    declined = Pairing.objects.get(end_reason=Pairing.EndReason.FAMILY_DECLINED)
    school = Pairing.objects.get(end_reason=Pairing.EndReason.SCHOOL_CHANGED)
    again = PairingRun.objects.filter(region_id="140521").order_by("-id").first()
    # the family that declined is never proposed the same volunteer again ...
    assert declined.do_not_pair_again
    assert not again.proposals.filter(child=declined.child, volunteer=declined.volunteer).exists()
    # ... the child who changed school is, with her own volunteer and the keep bonus
    resumed = again.proposals.get(child=school.child, volunteer=school.volunteer)
    assert any("延续原结对" in r for r in resumed.reasons)
    assert resumed.reasons[0] == "困境儿童优先"
    # 泽州县's proposals and unmatched list say why
    zezhou = PairingRun.objects.get(region_id="140525")
    assert zezhou.proposals.filter(reasons__contains=["困境儿童优先"]).exists()
    assert RunUnmatched.objects.filter(run=zezhou).exists()
