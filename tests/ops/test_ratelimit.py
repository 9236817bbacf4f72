import datetime

import pytest
import time_machine
from django.core.cache import cache

from backend.ops.ratelimit import RateLimited, client_ip, rate_limit_hit, rate_limit_peek, rate_limit_reset


def test_hits_within_the_limit_are_allowed_and_the_next_is_refused():
    with time_machine.travel(datetime.datetime(2026, 3, 1, 10, 0, 5, tzinfo=datetime.UTC), tick=False):
        results = [rate_limit_hit(scope="t", key="+8613800000000", limit=3, window=60) for _ in range(4)]
    assert [r.allowed for r in results] == [True, True, True, False]
    assert results[-1].count == 4
    assert results[-1].retry_after == 55


def test_limit_resets_when_the_window_passes():
    start = datetime.datetime(2026, 3, 1, 10, 0, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(2):
            rate_limit_hit(scope="t", key="k", limit=2, window=60)
        assert not rate_limit_hit(scope="t", key="k", limit=2, window=60).allowed
        traveller.shift(datetime.timedelta(seconds=61))
        assert rate_limit_hit(scope="t", key="k", limit=2, window=60).allowed


def test_keys_and_scopes_are_counted_separately():
    rate_limit_hit(scope="a", key="k", limit=1, window=60)
    assert rate_limit_hit(scope="a", key="other", limit=1, window=60).allowed
    assert rate_limit_hit(scope="b", key="k", limit=1, window=60).allowed
    assert not rate_limit_hit(scope="a", key="k", limit=1, window=60).allowed


def test_peek_does_not_count_and_reset_forgets():
    rate_limit_hit(scope="p", key="k", limit=2, window=60)
    assert rate_limit_peek(scope="p", key="k", limit=2, window=60).allowed
    assert rate_limit_peek(scope="p", key="k", limit=2, window=60).count == 1
    rate_limit_hit(scope="p", key="k", limit=2, window=60)
    assert not rate_limit_peek(scope="p", key="k", limit=2, window=60).allowed
    rate_limit_reset(scope="p", key="k", window=60)
    assert rate_limit_peek(scope="p", key="k", limit=2, window=60).count == 0


def test_the_key_is_not_stored_in_clear():
    rate_limit_hit(scope="s", key="+8613912345678", limit=1, window=60)
    keys = [k.decode() for k in cache._cache.get_client().keys("*")]
    assert keys and not any("13912345678" in k for k in keys)


def test_rate_limited_error_is_a_429_with_minutes_in_chinese():
    error = RateLimited(retry_after=130)
    assert error.status_code == 429
    assert "3分钟" in error.message


def test_client_ip_is_the_address_our_proxy_appended(rf, settings):
    # The first entry is the client's own claim; the last is what our proxy saw.
    settings.RATE_LIMIT_TRUSTED_PROXIES = "1"
    request = rf.get("/", HTTP_X_FORWARDED_FOR="10.0.0.9, 172.16.0.1", REMOTE_ADDR="127.0.0.1")
    assert client_ip(request) == "172.16.0.1"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.1.1.1")) == "10.1.1.1"


def test_with_nothing_in_front_x_forwarded_for_is_ignored(rf, settings):
    # Finding (issue 15): the setting was never read and one proxy was assumed, so a client
    # talking to the server directly chose its own address (a new value reset the limits).
    settings.RATE_LIMIT_TRUSTED_PROXIES = "0"
    assert client_ip(rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="198.51.100.4")) == "198.51.100.4"


def test_forwarded_addresses_are_believed_only_from_the_configured_proxies(rf, settings):
    settings.RATE_LIMIT_TRUSTED_PROXIES = "10.0.0.0/8, 192.0.2.1"
    via_proxies = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9, 10.1.2.3", REMOTE_ADDR="192.0.2.1")
    assert client_ip(via_proxies) == "203.0.113.9"
    direct = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="198.51.100.4")
    assert client_ip(direct) == "198.51.100.4"


def test_a_bad_trusted_proxies_setting_names_the_setting(rf, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.RATE_LIMIT_TRUSTED_PROXIES = "the load balancer"
    with pytest.raises(ImproperlyConfigured, match="RATE_LIMIT_TRUSTED_PROXIES"):
        client_ip(rf.get("/"))
