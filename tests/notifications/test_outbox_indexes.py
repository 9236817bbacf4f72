"""The outbox's partial indexes serve the queries that need them (issue 21: fewer index writes per send).

Each test turns sequential scans off, so the plan names the index if, and only if, the
query's conditions imply the index's condition (a partial index the planner cannot prove
usable is never used, however large the table).
"""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from notifications.models import Message

pytestmark = pytest.mark.django_db


def plan(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()


def test_the_rate_limit_reads_sent_rows_through_the_partial_recipient_index():
    since = timezone.now() - datetime.timedelta(hours=1)
    queryset = Message.objects.filter(
        recipient__in=["+8613800000001", "+8613800000002"], channel=Message.Channel.SMS, sent_at__gte=since
    ).values_list("recipient", "sent_at")
    assert "message_recipient_sent_idx" in plan(queryset)


@pytest.mark.parametrize("ids", [["SM123"], ["900619746936498^0", "out:deadbeef"]])
def test_receipts_find_their_row_through_the_partial_provider_id_index(ids):
    queryset = Message.objects.filter(channel=Message.Channel.SMS, provider_id__in=ids).order_by("-pk")[:1]
    assert "message_provider_idx" in plan(queryset)


def test_due_rows_are_read_through_the_partial_pending_index():
    queryset = Message.objects.filter(status=Message.Status.PENDING, next_attempt_at__lte=timezone.now()).order_by(
        "next_attempt_at"
    )[:100]
    assert "message_pending_due_idx" in plan(queryset)


def test_the_outbox_has_no_index_on_status_alone_or_a_second_one_on_the_idempotency_key():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [Message._meta.db_table])
        definitions = [row[0] for row in cursor.fetchall()]
    assert not [d for d in definitions if "btree (status" in d]
    assert len([d for d in definitions if "idempotency_key" in d]) == 1


@pytest.mark.parametrize("rule", ["aliyun", "mainland:aliyun,other:twilio"])
def test_a_batch_claim_reads_due_rows_and_the_rate_limit_through_the_partial_indexes(settings, rule):
    from notifications.services.batch import claim_due_sql

    settings.SMS_CHANNEL = rule
    sql, params = claim_due_sql(timezone.now(), provider="aliyun", tag="t", limit=100)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "message_pending_due_idx" in plan
    assert "message_recipient_sent_idx" in plan


@pytest.mark.parametrize("rule", ["aliyun", "mainland:aliyun,other:twilio"])
def test_a_batch_claim_takes_the_first_due_rows_of_the_pending_index_not_every_due_row(settings, rule):
    # given: a backlog of due rows the planner knows about (sequential scans allowed)
    from notifications.services.batch import claim_due_sql

    settings.SMS_CHANNEL = rule
    now = timezone.now()
    Message.objects.bulk_create(
        Message(channel=Message.Channel.SMS, recipient=f"+86138{i:08d}", body="x", next_attempt_at=now)
        for i in range(2000)
    )
    sql, params = claim_due_sql(now, provider="aliyun", tag="t", limit=100)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Message._meta.db_table}")
        # when
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # then: a read of the partial index in due order, stopped after the batch; no scan and sort of the backlog
    assert "Index Scan using message_pending_due_idx" in plan
    assert "Sort Key: notifications_message.next_attempt_at" not in plan
