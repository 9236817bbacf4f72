"""Values in words: choice labels, Chinese dates, region names, hours since."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import timezone

from backend.children.models import Child
from backend.workspace.templatetags.workspace import cn_date, hours_since, labels, region_name


def test_labels_turns_a_list_of_codes_into_words():
    assert labels(["psychological", "safety"], "needs") == "心理关爱、安全保护"
    assert labels(["weekends"], "availability").startswith("周末")
    assert labels([], "needs") == ""
    assert labels(["study"], Child.Need.choices) == "学业辅导"


def test_cn_date_shows_the_year_only_when_not_this_year():
    today = datetime.date(2026, 12, 1)
    assert cn_date(datetime.date(2026, 12, 2), today) == "12月2日"
    assert cn_date(datetime.date(2025, 3, 9), today) == "2025年3月9日"
    assert cn_date(None) == ""


def test_cn_date_of_a_time_uses_the_local_day():
    # 23:30 UTC on 1 December is 2 December in Shanghai
    moment = datetime.datetime(2026, 12, 1, 23, 30, tzinfo=datetime.UTC)
    assert cn_date(moment, datetime.date(2026, 12, 2)) == "12月2日"


@pytest.mark.django_db
def test_region_name_of_a_code(regions):
    assert region_name("140521") == "沁水县"
    assert region_name("") == ""
    assert region_name("999999") == ""


def test_hours_since_counts_whole_hours():
    now = timezone.now()
    assert hours_since(now - datetime.timedelta(hours=25, minutes=59), now) == 25
    assert hours_since(now + datetime.timedelta(hours=1), now) == 0


def test_filters_load_in_a_template():
    html = Template('{% load workspace %}{{ needs|labels:"needs" }} {{ day|cn_date }}').render(
        Context({"needs": ["study"], "day": timezone.localdate()})
    )
    assert "学业辅导" in html and "月" in html
