import pytest

from backend.children.models import Child, Concern
from backend.demo.context import DemoContext

pytestmark = pytest.mark.django_db


def _seed():
    from backend.accounts import demo as accounts_demo
    from backend.children import demo as children_demo

    context = DemoContext()
    accounts_demo.seed(context)
    children_demo.seed(context)
    return context


def test_demo_children_are_realistic_and_seeding_twice_adds_nothing(regions):
    _seed()
    count, concerns = Child.objects.count(), Concern.objects.count()
    assert 110 <= count <= 130
    assert Child.objects.filter(village__pk__startswith="140521").count() > 40
    assert Child.objects.filter(village__pk__startswith="140525").count() > 40
    assert Child.objects.filter(village_id="140521100001").exists()  # the demo child director's village
    assert Child.objects.filter(category="left_behind").count() > Child.objects.filter(category="in_difficulty").count()
    assert Child.objects.filter(category="in_difficulty").values("difficulty_subtype").distinct().count() >= 3
    assert Child.objects.filter(volunteers_wanted=2).exists()
    assert Concern.objects.filter(status="open").count() >= 3
    _seed()
    assert (Child.objects.count(), Concern.objects.count()) == (count, concerns)
