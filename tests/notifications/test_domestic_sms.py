"""Aliyun and Tencent Cloud SMS: the real SDKs against local fakes that check their signatures."""

import datetime
import json

import pytest
from django.utils import timezone

from notifications.models import Message, ProviderTemplate, SmsOptOut
from notifications.services import (
    message_batch_deliver,
    message_deliver,
    outbox_dispatch,
    outbox_recover,
    sms_batch_send,
    sms_send_template,
)
from tests.notifications.conftest import provider_codes, twilio_settings
from tests.notifications.standins.twilio_fake import FakeTwilio

pytestmark = pytest.mark.django_db

REMINDER = "notifications.reminder"
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def reminder(phone: str, n: int = 0, **kwargs) -> Message:
    params = {"volunteer": "王丽", "task": f"打电话{n}", "due": "11月30日"}
    return sms_send_template(phone=phone, template=REMINDER, params=params | kwargs, urgent=True)


def sent_params(provider: str, fake, index: int = 0):
    """The template code and variables of the index-th accepted message, as the provider saw them."""
    record = fake.created[index]
    return record["template"], record["params"]


def test_a_reminder_goes_out_with_the_approved_code_and_variables_and_the_row_records_the_provider_id(domestic):
    provider, fake = domestic
    # when
    message = message_deliver(message_id=reminder("+8613800000101").pk)
    # then
    assert message.status == Message.Status.SENT
    assert message.provider == provider
    code, params = sent_params(provider, fake)
    assert code == provider_codes(provider)[REMINDER]
    if provider == "aliyun":
        assert params == {"volunteer": "王丽", "task": "打电话0", "due": "11月30日"}
        assert fake.requests[0]["SignName"] == "爱心妈妈"
        assert fake.requests[0]["PhoneNumbers"] == "13800000101"
    else:
        assert params == ["王丽", "打电话0", "11月30日"]  # TemplateParamSet in the template's order
        assert fake.requests[0]["SignName"] == "爱心妈妈"
        assert fake.requests[0]["PhoneNumberSet"] == ["+8613800000101"]
    assert message.provider_id == fake.created[0]["id"]
    assert fake.rejected == []


def test_a_wrong_secret_fails_the_providers_signature_check_and_nothing_is_sent(domestic, settings):
    provider, fake = domestic
    if provider == "aliyun":
        settings.ALIYUN_SMS_ACCESS_KEY_SECRET = "not-the-secret"
    else:
        settings.TENCENT_SMS_SECRET_KEY = "not-the-secret"
    message = message_deliver(message_id=reminder("+8613800000102").pk)
    assert message.status == Message.Status.FAILED
    assert fake.rejected == [{"aliyun": "SignatureDoesNotMatch", "tencent": "AuthFailure.SignatureFailure"}[provider]]
    assert fake.created == []


THROTTLE = {"aliyun": "isv.BUSINESS_LIMIT_CONTROL", "tencent": "LimitExceeded.PhoneNumberDailyLimit"}
INVALID = {"aliyun": "isv.MOBILE_NUMBER_ILLEGAL", "tencent": "InvalidParameterValue.IncorrectPhoneNumber"}
REFUSED = {"aliyun": "isv.CUSTOMER_REFUSED", "tencent": "FailedOperation.PhoneNumberInBlacklist"}
UNAPPROVED = {"aliyun": "isv.SMS_TEMPLATE_ILLEGAL", "tencent": "FailedOperation.TemplateIncorrectOrUnapproved"}


def test_throttling_is_retried_later_with_backoff(domestic, settings):
    provider, fake = domestic
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    fake.script["+8613800000103" if provider == "tencent" else "13800000103"] = [THROTTLE[provider]]
    message = message_deliver(message_id=reminder("+8613800000103").pk)
    assert message.status == Message.Status.PENDING
    assert (
        datetime.timedelta(seconds=48) <= message.next_attempt_at - message.claimed_at <= datetime.timedelta(seconds=72)
    )
    assert THROTTLE[provider] in message.last_error
    # then: the next attempt goes through
    again = message_deliver(message_id=message.pk, now=message.next_attempt_at)
    assert again.status == Message.Status.SENT
    assert len(fake.created) == 1


def test_an_invalid_number_fails_at_once_without_opting_out(domestic):
    provider, fake = domestic
    fake.script["+8613800000104" if provider == "tencent" else "13800000104"] = [INVALID[provider]]
    message = message_deliver(message_id=reminder("+8613800000104").pk)
    assert message.status == Message.Status.FAILED
    assert message.attempts == 1
    assert not SmsOptOut.objects.exists()


def test_a_number_that_refused_fails_and_is_opted_out_so_later_messages_are_not_sent(domestic):
    provider, fake = domestic
    fake.script["+8613800000105" if provider == "tencent" else "13800000105"] = [REFUSED[provider]]
    first = message_deliver(message_id=reminder("+8613800000105").pk)
    assert first.status == Message.Status.FAILED
    assert SmsOptOut.objects.get(phone="+8613800000105").source == SmsOptOut.Source.PROVIDER
    second = message_deliver(message_id=reminder("+8613800000105", 1).pk)
    assert second.status == Message.Status.CANCELLED
    assert len(fake.requests) == 1


def test_a_template_the_provider_has_not_approved_fails_and_tells_staff_what_to_check(domestic):
    provider, fake = domestic
    fake.templates.pop(provider_codes(provider)[REMINDER])
    message = message_deliver(message_id=reminder("+8613800000106").pk)
    assert message.status == Message.Status.FAILED
    assert "短信服务商模板" in message.last_error
    assert UNAPPROVED[provider] in message.last_error


def test_a_template_without_an_approved_code_fails_naming_the_template_and_sends_nothing(domestic, settings):
    provider, fake = domestic
    settings.SMS_PROVIDER_TEMPLATES = {provider: {}}
    message = message_deliver(message_id=reminder("+8613800000107").pk)
    assert message.status == Message.Status.FAILED
    assert message.error_code == "template-code"
    assert REMINDER in message.last_error
    assert fake.requests == []


def test_a_code_entered_in_the_admin_wins_over_settings(domestic):
    provider, fake = domestic
    code = "SMS_900000001" if provider == "aliyun" else "9000001"
    fake.approve(code, ["volunteer", "task", "due"])
    ProviderTemplate.objects.create(provider=provider, template=REMINDER, code=code)
    message_deliver(message_id=reminder("+8613800000108").pk)
    assert fake.created[0]["template"] == code


@pytest.mark.parametrize(
    "params, problem",
    [
        ({"task": "见 t.cn/abc"}, "链接"),
        ({"task": "好" * 40}, "超过"),
        ({"task": "【假签名】"}, "【】"),
    ],
)
def test_variable_values_breaking_the_providers_rules_fail_before_anything_is_sent(domestic, params, problem):
    provider, fake = domestic
    message = message_deliver(message_id=reminder("+8613800000109", **params).pk)
    assert message.status == Message.Status.FAILED
    assert message.error_code == "template-param"
    assert "task" in message.last_error and problem in message.last_error
    assert fake.requests == []


def test_tencents_twelve_character_rule_applies_unless_the_row_says_otherwise(fake_tencent):
    long_task = "本月请给结对的孩子打一次电话"  # 14 characters
    assert message_deliver(message_id=reminder("+8613800000110", task=long_task).pk).status == Message.Status.FAILED
    ProviderTemplate.objects.create(
        provider="tencent", template=REMINDER, code=provider_codes("tencent")[REMINDER], max_length=20
    )
    assert message_deliver(message_id=reminder("+8613800000111", task=long_task).pk).status == Message.Status.SENT


def test_a_batch_goes_to_aliyun_in_one_sendbatchsms_with_each_numbers_own_variables(fake_aliyun):
    messages = [reminder(f"+861380000020{i}", i) for i in range(5)]
    # when
    accepted = message_batch_deliver(message_ids=[m.pk for m in messages], provider="aliyun")
    # then
    assert accepted == 5
    assert [r["action"] for r in fake_aliyun.requests] == ["SendBatchSms"]
    assert [c["params"]["task"] for c in fake_aliyun.created] == [f"打电话{i}" for i in range(5)]
    rows = Message.objects.filter(pk__in=[m.pk for m in messages])
    assert {r.status for r in rows} == {Message.Status.SENT}
    assert {r.provider_id for r in rows} == {fake_aliyun.created[0]["id"]}  # one BizId for the batch


def test_a_batch_to_tencent_puts_identical_variables_in_one_request_and_the_rest_each_in_its_own(fake_tencent):
    same = [reminder(f"+861380000030{i}", 7) for i in range(3)]
    different = [reminder(f"+861380000031{i}", i) for i in range(2)]
    accepted = message_batch_deliver(message_ids=[m.pk for m in same + different], provider="tencent")
    assert accepted == 5
    assert sorted(len(r["PhoneNumberSet"]) for r in fake_tencent.requests) == [1, 1, 3]
    serials = set(Message.objects.filter(pk__in=[m.pk for m in same]).values_list("provider_id", flat=True))
    assert len(serials) == 3  # a SerialNo per number


def test_one_bad_number_in_an_aliyun_batch_fails_alone_and_the_rest_go(fake_aliyun):
    good = [reminder(f"+861380000040{i}", i) for i in range(3)]
    fake_aliyun.script["13800000401"] = [INVALID["aliyun"], INVALID["aliyun"]]
    message_batch_deliver(message_ids=[m.pk for m in good], provider="aliyun")
    statuses = dict(Message.objects.filter(pk__in=[m.pk for m in good]).values_list("recipient", "status"))
    assert statuses == {"+8613800000400": "sent", "+8613800000401": "failed", "+8613800000402": "sent"}


def test_a_batch_task_claims_a_providers_due_rows_itself_never_a_number_twice_and_hands_on_when_full(
    fake_aliyun, settings, monkeypatch
):
    # given: six due reminders for Aliyun (one number twice), one for later, one abroad
    settings.OUTBOX_SEND_BATCH = 4
    settings.SMS_CHANNEL = "mainland:aliyun,other:twilio"
    successors = []
    from notifications import tasks

    monkeypatch.setattr(tasks.sms_batch_send_task, "delay", lambda provider: successors.append(provider))
    messages = [reminder(f"+861380000050{i % 5}", i) for i in range(6)]  # +...500 gets two
    later = reminder("+8613800000509", 9)
    abroad = reminder("+85251234560", 10)
    Message.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + datetime.timedelta(hours=1))
    # when: the first batch task runs
    assert sms_batch_send(provider="aliyun") == 4
    # then: four due numbers went in one SendBatchSms, each once; a full batch handed on
    assert [len(json.loads(r["PhoneNumberJson"])) for r in fake_aliyun.requests] == [4]
    assert successors == ["aliyun"]
    # when: the successor runs, it takes the rest (the second message to +...500 included)
    assert sms_batch_send(provider="aliyun") == 2
    assert successors == ["aliyun"]  # not full: the chain ends
    assert sorted(c["to"] for c in fake_aliyun.created).count("+8613800000500") == 2
    sent = set(Message.objects.filter(status=Message.Status.SENT).values_list("pk", flat=True))
    assert sent == {m.pk for m in messages}
    assert Message.objects.get(pk=later.pk).status == Message.Status.PENDING
    assert Message.objects.get(pk=abroad.pk).status == Message.Status.PENDING  # Twilio's, not Aliyun's
    assert sms_batch_send(provider="aliyun") == 0


def test_a_batch_task_sends_a_few_full_batches_in_a_row_and_hands_on_once(fake_aliyun, settings, monkeypatch):
    # given: nine due reminders, batches of two
    from notifications import tasks
    from notifications.services import sms_batches_send

    settings.OUTBOX_SEND_BATCH = 2
    successors = []
    monkeypatch.setattr(tasks.sms_batch_send_task, "delay", lambda provider: successors.append(provider))
    for i in range(9):
        reminder(f"+861380000060{i}", i)

    def numbers_per_request() -> list[int]:  # one number goes as SendSms
        return [len(json.loads(r.get("PhoneNumberJson", '[""]'))) for r in fake_aliyun.requests]

    # when: a task sends three batches at most
    assert sms_batches_send(provider="aliyun", batches=3) == 6
    # then: three requests of two, one successor for the rest
    assert numbers_per_request() == [2, 2, 2]
    assert successors == ["aliyun"]
    # when: the successor runs, it stops at the batch that was not full
    assert sms_batches_send(provider="aliyun", batches=3) == 3
    assert numbers_per_request()[3:] == [2, 1]
    assert successors == ["aliyun", "aliyun"]
    assert sorted(c["to"] for c in fake_aliyun.created) == [f"+861380000060{i}" for i in range(9)]


def test_a_batch_holds_back_a_volunteers_message_in_her_own_quiet_hours(fake_aliyun, settings):
    from notifications.models import DeliveryPreference
    from tests.factories import UserFactory
    from tests.notifications.factories import MessageFactory

    settings.QUIET_HOURS = (datetime.time(0, 0), datetime.time(0, 0))  # the platform has none
    now = datetime.datetime(2026, 11, 23, 13, 0, tzinfo=SHANGHAI)
    params = {"volunteer": "王丽", "task": "打电话", "due": "明天"}
    hers, other = (
        MessageFactory(recipient=f"+861380000051{i}", params=params, next_attempt_at=now, urgent=False)
        for i in range(2)
    )
    user = UserFactory(role="volunteer")
    Message.objects.filter(pk=hers.pk).update(user=user)
    DeliveryPreference.objects.create(
        user=user, quiet_hours_start=datetime.time(12, 0), quiet_hours_end=datetime.time(14, 0)
    )
    assert sms_batch_send(provider="aliyun", now=now) == 1
    hers.refresh_from_db()
    assert hers.status == Message.Status.PENDING and hers.attempts == 0
    assert hers.next_attempt_at == datetime.datetime(2026, 11, 23, 14, 0, tzinfo=SHANGHAI)
    assert [c["to"] for c in fake_aliyun.created] == [other.recipient]


def test_a_batch_holds_back_the_programmes_quiet_hours_and_the_rate_limit_and_cancels_opted_out_numbers(
    fake_aliyun, settings, regions
):
    from notifications.services.subscribers import sms_opt_out
    from tests.factories import ProgrammeFactory
    from tests.notifications.factories import MessageFactory

    # given: at 13:00, a programme quiet from 12:00 to 14:00, the platform never quiet, five texts an hour
    settings.QUIET_HOURS = (datetime.time(0, 0), datetime.time(0, 0))
    settings.OUTBOX_RATE_LIMIT = (2, 3600)
    now = datetime.datetime(2026, 11, 23, 13, 0, tzinfo=SHANGHAI)
    programme = ProgrammeFactory(quiet_hours_start=datetime.time(12, 0), quiet_hours_end=datetime.time(14, 0))
    params = {"volunteer": "王丽", "task": "打电话", "due": "明天"}

    def due(phone: str, **kwargs) -> Message:
        return MessageFactory(recipient=phone, params=params, next_attempt_at=now, **{"urgent": False} | kwargs)

    quiet = due("+8613800000520", programme=programme)
    quiet_but_urgent = due("+8613800000521", programme=programme, urgent=True)
    busy, busy_but_urgent = due("+8613800000522"), due("+8613800000523", urgent=True)
    for phone in (busy.recipient, busy_but_urgent.recipient):
        for minutes in (50, 20):  # two sent in the last hour: the limit
            MessageFactory(
                recipient=phone,
                status=Message.Status.SENT,
                sent_at=now - datetime.timedelta(minutes=minutes),
                next_attempt_at=None,
            )
    refused, free = due("+8613800000524", urgent=True), due("+8613800000525")
    sms_opt_out(phone=refused.recipient, source="keyword", keyword="TD")
    # when
    assert sms_batch_send(provider="aliyun", now=now) == 3
    # then: what may go now went, once; the rest waits (not an attempt) or is cancelled
    assert sorted(c["to"] for c in fake_aliyun.created) == sorted(
        [quiet_but_urgent.recipient, busy_but_urgent.recipient, free.recipient]
    )
    rows = {m.pk: m for m in Message.objects.filter(pk__in=[quiet.pk, busy.pk, refused.pk])}
    assert (rows[quiet.pk].status, rows[quiet.pk].attempts) == (Message.Status.PENDING, 0)
    assert rows[quiet.pk].next_attempt_at == datetime.datetime(2026, 11, 23, 14, 0, tzinfo=SHANGHAI)
    assert (rows[busy.pk].status, rows[busy.pk].attempts) == (Message.Status.PENDING, 0)
    assert rows[busy.pk].next_attempt_at == now - datetime.timedelta(minutes=50) + datetime.timedelta(hours=1)
    assert (rows[refused.pk].status, rows[refused.pk].error_code) == (Message.Status.CANCELLED, "opt-out")
    assert rows[refused.pk].provider_id == ""  # the batch's tag was this attempt's only


@pytest.mark.parametrize(
    "rule",
    [
        "aliyun",
        "twilio",
        "mainland:aliyun,other:twilio",
        "+852:twilio,mainland:tencent,other:local",
        "mainland:aliyun,+852:tencent,+1:aliyun",
    ],
)
def test_the_databases_routing_agrees_with_sms_route_for_every_number(settings, rule):
    from django.db import connection

    from notifications.channels.routing import sms_route, sms_route_filter_sql, sms_route_sql

    settings.SMS_CHANNEL = rule
    numbers = ["+8613800000001", "+85251234567", "+15551234567", "+8529"]
    for number in numbers:
        Message.objects.create(channel="sms", recipient=number, body="x")
    Message.objects.create(channel="wechat", recipient="openid-1", body="x")
    route, params = sms_route_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT recipient, {route} FROM notifications_message", params)
        in_sql = dict(cursor.fetchall())
    assert in_sql == {**{n: sms_route(n) for n in numbers}, "openid-1": ""}
    for provider in ("aliyun", "tencent", "twilio", "local"):
        condition, params = sms_route_filter_sql(provider)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT recipient FROM notifications_message WHERE {condition}", params)
            carried = {row[0] for row in cursor.fetchall()}
        assert carried == {n for n in numbers if sms_route(n) == provider}, provider


def test_the_dispatcher_starts_batch_tasks_for_batching_providers_and_queues_others_one_each(settings, monkeypatch):
    settings.SMS_CHANNEL = "mainland:tencent,+852:twilio,other:local"
    settings.OUTBOX_SEND_BATCH = 2
    settings.OUTBOX_BATCH_TASKS = 2
    calls = []
    from notifications import tasks

    monkeypatch.setattr(tasks.message_send_task, "delay", lambda pk: calls.append(("single", pk)))
    monkeypatch.setattr(tasks.sms_batch_send_task, "delay", lambda p: calls.append(("batch", p)))
    mainland = [reminder(f"+861380000080{i}") for i in range(5)]
    hong_kong = reminder("+85251234568")
    other = reminder("+14155550100")  # the local outbox has no batches
    Message.objects.update(status=Message.Status.PENDING)
    calls.clear()
    # when
    assert outbox_dispatch() == 7
    # then: Tencent's and Twilio's rows stay pending for their batch tasks to claim; only the other is queued
    assert sorted(calls, key=str) == sorted(
        [("batch", "tencent"), ("batch", "tencent"), ("batch", "twilio"), ("single", other.pk)], key=str
    )
    statuses = dict(Message.objects.values_list("pk", "status"))
    assert {statuses[m.pk] for m in [*mainland, hong_kong]} == {Message.Status.PENDING}
    assert statuses[other.pk] == Message.Status.QUEUED


@pytest.mark.parametrize("accepted", [True, False])
def test_a_batch_row_stuck_in_sending_is_reconciled_not_resent_when_the_provider_took_it(domestic, accepted):
    provider, fake = domestic
    message = reminder("+8613800000601")
    tag = "deadbeef0123456789ab"
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    if accepted:
        # the worker sent it with the batch's tag and died before writing the answer down
        code = provider_codes(provider)[REMINDER]
        fake.created.append(
            {
                "to": "+8613800000601",
                "template": code,
                "params": {},
                "tag": tag,
                "id": "BIZ-1",
                "sent_at": timezone.now().astimezone(datetime.UTC),
            }
        )
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENDING, provider=provider, provider_id=f"out:{tag}", claimed_at=long_ago, attempts=1
    )
    # when
    result = outbox_recover()
    # then
    message.refresh_from_db()
    if accepted:
        assert result["reconciled"] == 1
        assert message.status == Message.Status.SENT
        assert message.last_error.startswith("对账")
    else:
        assert result["resent"] == 1
        assert message.status == Message.Status.PENDING
        assert message.provider_id == ""
    assert len(fake.queries) >= 1
    assert len(fake.requests) == 0


def test_routing_sends_mainland_numbers_through_aliyun_and_others_through_twilio(fake_aliyun, settings):
    settings.SMS_CHANNEL = "mainland:aliyun,other:twilio"
    with FakeTwilio() as twilio:
        twilio_settings(settings, twilio.url)
        settings.SMS_CHANNEL = "mainland:aliyun,other:twilio"
        mainland = message_deliver(message_id=reminder("+8613800000701").pk)
        hong_kong = message_deliver(message_id=reminder("+85251234567").pk)
    assert (mainland.provider, hong_kong.provider) == ("aliyun", "twilio")
    assert [c["to"] for c in fake_aliyun.created] == ["+8613800000701"]
    assert [r["To"] for r in twilio.requests] == ["+85251234567"]


@pytest.mark.parametrize(
    "rule", ["mainland:aliyun,other:sendgrid", "mainland-aliyun", "china:aliyun", "mainland:aliyun"]
)
def test_a_bad_routing_rule_names_the_setting(settings, rule):
    from django.core.exceptions import ImproperlyConfigured

    from notifications.channels.routing import sms_route

    settings.SMS_CHANNEL = rule
    with pytest.raises(ImproperlyConfigured, match="SMS_CHANNEL"):
        sms_route("+15551234567")


def test_the_command_prints_every_sms_template_for_approval_in_the_providers_syntax(settings):
    from io import StringIO

    from django.core.management import call_command

    from notifications.templates import template_get

    settings.SMS_PROVIDER_TEMPLATES = {"aliyun": {"notifications.otp": "SMS_470000123"}}
    out = StringIO()
    call_command("sms_templates", "--provider", "aliyun", stdout=out)
    text = out.getvalue()
    assert "## notifications.otp" in text
    assert "正文：您的验证码是${code}，10分钟内有效。请勿告诉他人。" in text
    assert "SMS_470000123" in text
    assert "【爱心妈妈】" not in text.split("## ", 1)[1]  # the signature is not part of the text
    assert "notifications.wecom_digest" not in text
    out = StringIO()
    call_command("sms_templates", "--provider", "tencent", stdout=out)
    assert (
        "正文："
        + template_get("notifications.reminder")
        .text.replace("【爱心妈妈】", "")
        .format(volunteer="{1}", task="{2}", due="{3}")
        in out.getvalue()
    )


def test_a_one_time_code_sent_in_a_provider_batch_is_cleared_from_the_outbox(domestic):
    # given: two sign-in codes waiting for a batching provider
    name, fake = domestic
    codes = [
        sms_send_template(phone=f"+861380000060{i}", template="phone_code", params={"code": f"90817{i}", "minutes": 10})
        for i in range(2)
    ]
    assert all("_sealed" in Message.objects.get(pk=m.pk).params for m in codes)
    # when
    accepted = message_batch_deliver(message_ids=[m.pk for m in codes], provider=name)
    # then: the phones got the codes, and the rows no longer hold them in any form
    assert accepted == 2
    # (Aliyun's variables come by name, Tencent's in the template's order)
    sent = [list(c["params"].values()) if isinstance(c["params"], dict) else c["params"] for c in fake.created]
    assert sorted(v for values in sent for v in values if v.startswith("90817")) == ["908170", "908171"]
    for row in Message.objects.filter(pk__in=[m.pk for m in codes]):
        assert row.status == Message.Status.SENT
        assert "_sealed" not in row.params
        assert "90817" not in row.body and "90817" not in str(row.params)
