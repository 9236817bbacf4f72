"""The nav: one list of sections; those not built yet and those not hers are hidden."""

import pytest

from backend.workspace.nav import SECTIONS, nav_items
from tests.factories import ChildDirectorFactory

pytestmark = pytest.mark.django_db


def test_officer_sees_the_sections_that_resolve_and_home_is_current_only_on_itself(qinshui_officer):
    items = nav_items(user=qinshui_officer, current_path="/staff/")
    names = [i["name"] for i in items]
    assert names[0] == "workspace:home" and items[0]["current"]
    assert "dashboard:home" in names
    assert all(i["url"].startswith("/staff/") for i in items)
    on_dashboard = nav_items(user=qinshui_officer, current_path="/staff/dashboard/")
    assert [i["name"] for i in on_dashboard if i["current"]] == ["dashboard:home"]


def test_a_child_director_does_not_see_federation_sections(regions):
    director = ChildDirectorFactory(village_codes=["140521100001"])
    names = [i["name"] for i in nav_items(user=director, current_path="/staff/")]
    federation = {name for _label, name, who in SECTIONS if who == "federation"}
    assert names and not set(names) & federation


def test_an_unresolvable_section_is_hidden(qinshui_officer, monkeypatch):
    import backend.workspace.nav as nav

    monkeypatch.setattr(nav, "SECTIONS", (*SECTIONS, ("未建", "nowhere:list", "all")))
    assert "nowhere:list" not in [i["name"] for i in nav.nav_items(user=qinshui_officer, current_path="/staff/")]
