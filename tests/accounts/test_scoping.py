import pytest

from backend.accounts.selectors import REGION_FIELDS, user_region_scope, user_regions
from backend.programmes.selectors import programme_list_for
from backend.regions.models import Region
from tests.factories import ChildDirectorFactory, ProgrammeFactory, SuperuserFactory, VolunteerUserFactory

pytestmark = pytest.mark.django_db


def _codes(qs):
    return set(qs.values_list("code", flat=True))


def test_county_officer_of_qinshui_never_sees_zezhou(qinshui_officer):
    seen = _codes(user_regions(qinshui_officer))
    assert "140521100001" in seen
    assert not any(code.startswith("140525") for code in seen)
    assert not user_region_scope(qinshui_officer).contains("140525100001")


def test_city_officer_sees_every_county(city_officer, regions):
    seen = _codes(user_regions(city_officer))
    assert seen == _codes(Region.objects.filter(code__startswith="1405"))
    assert {"140521", "140525", "140581"} <= seen


def test_town_officer_sees_only_her_town(longgang_officer, regions):
    seen = _codes(user_regions(longgang_officer))
    assert seen == _codes(Region.objects.filter(code__startswith="140521100"))
    assert "140521101001" not in seen  # 中村镇, same county
    assert "140521" not in seen  # not the county above her


def test_child_director_sees_only_her_villages(regions):
    director = ChildDirectorFactory(village_codes=["140521100001", "140521100002"])
    assert _codes(user_regions(director)) == {"140521100001", "140521100002"}


def test_volunteer_and_anonymous_see_no_region(regions):
    from django.contrib.auth.models import AnonymousUser

    assert user_region_scope(VolunteerUserFactory()).is_empty
    assert user_region_scope(AnonymousUser()).is_empty
    assert not user_regions(VolunteerUserFactory()).exists()


def test_deactivated_officer_sees_nothing(qinshui_officer):
    qinshui_officer.is_active = False
    assert user_region_scope(qinshui_officer).is_empty


def test_superuser_sees_everything(regions):
    assert user_regions(SuperuserFactory()).count() == Region.objects.count()


def test_county_officer_works_in_city_programme_but_not_another_county(qinshui_officer, zezhou_officer):
    city = ProgrammeFactory(slug="city", region_id="1405")
    zezhou = ProgrammeFactory(slug="zezhou", region_id="140525")
    qinshui = ProgrammeFactory(slug="qinshui", region_id="140521")
    assert set(programme_list_for(user=qinshui_officer)) == {city, qinshui}
    assert set(programme_list_for(user=zezhou_officer)) == {city, zezhou}


def test_scope_filter_on_a_foreign_key_field(qinshui_officer):
    # the same scope filters any model by its region code field
    programmes = [ProgrammeFactory(slug=f"p{code}", region_id=code) for code in ("140521100", "140525100")]
    scoped = ProgrammeFactory._meta.model.objects.filter(user_region_scope(qinshui_officer).q("region_id"))
    assert list(scoped) == [programmes[0]]


def _platform_models():
    from django.apps import apps

    from backend.accounts.selectors import PLATFORM_MODULES

    return [m for m in apps.get_models() if m.__module__.startswith(PLATFORM_MODULES)]


def test_every_platform_model_says_where_its_region_is_or_why_it_has_none():
    from backend.accounts.selectors import NOT_REGION_BOUND

    labels = {m._meta.label_lower for m in _platform_models()}
    unclassified = labels - set(REGION_FIELDS) - set(NOT_REGION_BOUND)
    assert not unclassified, f"add to REGION_FIELDS or NOT_REGION_BOUND: {sorted(unclassified)}"
    assert not set(REGION_FIELDS) & set(NOT_REGION_BOUND)
    assert not (set(REGION_FIELDS) | set(NOT_REGION_BOUND)) - labels, "a listed model no longer exists"
    assert all(reason.strip() for reason in NOT_REGION_BOUND.values())


@pytest.mark.parametrize("label", sorted(REGION_FIELDS))
def test_each_region_lookup_is_a_real_path(label, qinshui_officer):
    from django.apps import apps

    from backend.accounts.selectors import scoped_queryset

    model = apps.get_model(label)
    list(scoped_queryset(qinshui_officer, model)[:1])  # a wrong lookup raises FieldError here


def test_an_unclassified_platform_model_is_refused_not_shown_whole(qinshui_officer, monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from backend.accounts import selectors
    from backend.children.models import ImportJob

    monkeypatch.delitem(selectors.NOT_REGION_BOUND, "children.importjob")
    with pytest.raises(ImproperlyConfigured, match="children.importjob"):
        selectors.scoped_queryset(qinshui_officer, ImportJob)
    from django.contrib.auth.models import Group

    assert selectors.scoped_queryset(qinshui_officer, Group).model is Group  # Django's own apps pass
