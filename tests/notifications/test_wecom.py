"""WeCom group robots: markdown digests, 20 a minute per robot, and the key kept secret."""

import datetime

import pytest
import time_machine
from django.db import connection

from notifications.models import Message
from notifications.services import message_deliver, wecom_digest_send
from tests.notifications.factories import WeComRobotFactory

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@time_machine.travel(datetime.datetime(2026, 11, 23, 10, 0, 5, tzinfo=SHANGHAI), tick=False)
def test_a_digest_is_posted_as_markdown_to_the_robot(fake_wechat, regions):
    robot = WeComRobotFactory(key="key-qinshui-0001")
    fake_wechat.robot_keys.add("key-qinshui-0001")
    message = wecom_digest_send(robot=robot, title="沁水县本周关爱情况", summary="本周共记录关爱 126 次。")
    result = message_deliver(message_id=message.pk)
    assert result.status == Message.Status.SENT
    assert fake_wechat.robot_posts == [
        {
            "msgtype": "markdown",
            "markdown": {"content": "### 沁水县本周关爱情况\n本周共记录关爱 126 次。\n> 详情请登录平台查看"},
        }
    ]
    assert message.region_id == "140521"


def test_a_robot_gets_at_most_20_a_minute_and_the_rest_wait_for_the_next_minute(fake_wechat, regions):
    robot = WeComRobotFactory(key="key-qinshui-0002")
    fake_wechat.robot_keys.add("key-qinshui-0002")
    start = datetime.datetime(2026, 11, 23, 10, 0, 5, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False):
        messages = [wecom_digest_send(robot=robot, title=f"摘要{i}", summary="内容") for i in range(25)]
        results = [message_deliver(message_id=m.pk) for m in messages]
    assert [r.status for r in results].count(Message.Status.SENT) == 20
    waiting = [r for r in results if r.status == Message.Status.PENDING]
    assert len(waiting) == 5
    assert {r.next_attempt_at for r in waiting} == {datetime.datetime(2026, 11, 23, 10, 1, tzinfo=SHANGHAI)}
    assert all(r.attempts == 0 for r in waiting)
    assert len(fake_wechat.robot_posts) == 20
    with time_machine.travel(start + datetime.timedelta(minutes=1), tick=False):
        later = [message_deliver(message_id=r.pk) for r in waiting]
    assert all(r.status == Message.Status.SENT for r in later)


def test_the_robot_key_is_encrypted_at_rest_and_never_in_errors(fake_wechat, regions):
    robot = WeComRobotFactory(key="key-secret-zzz-9999")  # not known to the fake: WeCom answers 93000
    with connection.cursor() as cursor:
        cursor.execute("select key from notifications_wecomrobot where id = %s", [robot.pk])
        stored = cursor.fetchone()[0]
    assert "key-secret-zzz-9999" not in stored
    # in the daytime: a digest written in quiet hours waits for the morning
    with time_machine.travel(datetime.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI), tick=False):
        result = message_deliver(message_id=wecom_digest_send(robot=robot, title="t", summary="s").pk)
    assert result.status == Message.Status.FAILED
    assert result.error_code == "93000"
    assert "key-secret" not in result.last_error
    assert "key-secret" not in result.recipient
    assert robot.masked_key == "key-…99"
