"""A run's rows are written with COPY: every value arrives as it was, whatever characters it holds."""

import pytest
from django.db import connection

from pairing import engine
from pairing.bulk_write import JsonCache, copy_text
from pairing.models import PairingRun, Proposal, RunUnmatched
from pairing.selectors import helper_key
from pairing.services import run_result_save

pytestmark = pytest.mark.django_db

AWKWARD = ("同村 / same village", 'a "quoted"\tword', "back\\slash", "two\nlines\r", "\\N", "")


def test_copy_text_escapes_what_the_text_format_treats_specially():
    assert copy_text(None) == "\\N"
    assert copy_text("\\N") == "\\\\N"
    assert copy_text("a\tb\nc\rd\\e") == "a\\tb\\nc\\rd\\\\e"
    assert (copy_text(True), copy_text(False), copy_text(-12)) == ("t", "f", "-12")


def test_the_same_reasons_are_encoded_once():
    cache = JsonCache()
    first = cache[("同村", "教师 ↔ 学业")]
    assert cache[("同村", "教师 ↔ 学业")] is first
    assert first == '["同村", "教师 ↔ 学业"]'


@pytest.mark.parametrize("vendor", ["postgresql", "sqlite"])
def test_proposals_and_unmatched_rows_round_trip_through_copy(
    vendor, monkeypatch, programme, make_child, make_volunteer
):
    # the development database (SQLite) takes the same rows through bulk_create
    monkeypatch.setattr(connection, "vendor", vendor)
    # given: a solve's result whose words hold every character COPY's text format escapes
    child, other = make_child(), make_child()
    volunteer = make_volunteer()
    run = PairingRun.objects.create(programme=programme, region_id="140521")
    result = engine.Result(
        proposals=(
            engine.Proposal(child.pk, helper_key(volunteer.pk), None, -15, 15, (), AWKWARD),
            engine.Proposal(other.pk, helper_key(volunteer.pk), None, 10, -10, (), AWKWARD[:1]),
        ),
        unmatched=(engine.Unmatched(other.pk, engine.UnmatchedCode.SHORT, 1, "人数少于所需\t（高风险）\\", 25),),
        stats=engine.Stats(),
    )
    # when
    run_result_save(run=run, result=result)
    # then
    rows = {p.child_id: p for p in Proposal.objects.filter(run=run)}
    assert rows[child.pk].reasons == list(AWKWARD)
    assert rows[other.pk].reasons == ["同村 / same village"]
    assert (rows[child.pk].volunteer_id, rows[child.pk].team_id, rows[child.pk].score) == (volunteer.pk, None, 15)
    assert rows[child.pk].status == Proposal.Status.PROPOSED
    assert rows[child.pk].edited is False and rows[child.pk].rejection_reason == ""
    assert rows[child.pk].created_at is not None and rows[child.pk].decided_at is None
    [left] = RunUnmatched.objects.filter(run=run)
    assert (left.child_id, left.code, left.missing, left.reason, left.priority) == (
        other.pk,
        "short",
        1,
        "人数少于所需\t（高风险）\\",
        25,
    )
