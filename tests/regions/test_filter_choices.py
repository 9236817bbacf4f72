"""The regions a staff list may be narrowed to: the two levels below the officer's own."""

import pytest

from backend.regions.selectors import region_filter_choices
from tests.factories import ChildDirectorFactory

pytestmark = pytest.mark.django_db


def test_a_county_officer_gets_her_towns_each_followed_by_its_villages(qinshui_officer):
    choices = region_filter_choices(user=qinshui_officer)
    codes = [code for code, _name in choices]
    assert codes[0] == "140521100" and choices[0][1] == "龙港镇"
    assert codes[1].startswith("140521100") and len(codes[1]) == 12 and choices[1][1].startswith("　")
    assert all(code.startswith("140521") for code in codes)


def test_a_town_officer_gets_her_villages_and_a_child_director_hers(longgang_officer, regions):
    assert {len(c) for c, _n in region_filter_choices(user=longgang_officer)} == {12}
    director = ChildDirectorFactory(village_codes=["140521100001"])
    assert region_filter_choices(user=director) == [("140521100001", "柳庄社区居委会")]
