"""Demo check-ins: default rules, a few months of care for most 沁水县 pairings (some lapsed),
thanks from staff, one worried visit with a concern, then the nightly pass (reminders, escalation)."""

import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from backend.checkins.models import CheckIn, CheckInChild
from backend.checkins.services import (
    checkin_acknowledge,
    checkin_create,
    contact_rules_default,
    due_nightly,
    due_refresh,
    today_local,
)
from backend.volunteers.models import Volunteer
from pairing.models import Pairing

HISTORY_DAYS = 150
CALLS = [CheckIn.Kind.PHONE_CALL, CheckIn.Kind.PHONE_CALL, CheckIn.Kind.VIDEO_CALL]
NOTES = ["聊了学校的事", "孩子期中考试进步了", "问了奶奶的身体", "约好下周一起写作业", ""]


def _helper(pairing: Pairing) -> Volunteer | None:
    if pairing.volunteer_id:
        return pairing.volunteer
    return Volunteer.objects.filter(team_id=pairing.team_id, status=Volunteer.Status.ACTIVE).order_by("id").first()


def seed(context) -> None:
    programme = context.objects["programme"]
    contact_rules_default(programme)
    if CheckIn.objects.filter(volunteer__programme=programme).exists():
        context.notes.extend(volunteers_table(programme=programme))
        return
    rng = context.rng
    today = today_local()
    pairings = list(
        Pairing.objects.filter(programme=programme, status=Pairing.Status.ACTIVE)
        .select_related("volunteer", "child")
        .order_by("id")
    )
    with transaction.atomic():
        # The demo's pairings were approved today; give them a history of a few months.
        Pairing.objects.filter(
            pk__in=[p.pk for p in pairings], started_on__gte=today - datetime.timedelta(days=7)
        ).update(started_on=today - datetime.timedelta(days=HISTORY_DAYS))
        lapsed = 0
        for index, pairing in enumerate(pairings):
            helper = _helper(pairing)
            if helper is None:
                continue
            # One in five has lapsed: no contact for the last two and a half months.
            stop = today - datetime.timedelta(days=75 if index % 5 == 4 else rng.randint(3, 25))
            lapsed += index % 5 == 4
            day = today - datetime.timedelta(days=HISTORY_DAYS - rng.randint(3, 15))
            while day <= stop:
                kind = CheckIn.Kind.HOME_VISIT if rng.random() < 0.3 else rng.choice(CALLS)
                checkin = CheckIn.objects.create(
                    volunteer=helper,
                    kind=kind,
                    occurred_on=day,
                    duration_minutes=rng.choice([10, 15, 20, 30, 60]),
                    note=rng.choice(NOTES),
                    source=CheckIn.Source.WEB,
                    logged_by=helper.user,
                )
                CheckInChild.objects.create(checkin=checkin, child=pairing.child, pairing=pairing, occurred_on=day)
                day += datetime.timedelta(days=rng.randint(20, 34))
    due_refresh(today=today, full=True)

    staff = context.objects.get("user:qinshui")
    acknowledged = 0
    if staff is not None:
        for checkin in CheckIn.objects.filter(volunteer__programme=programme).order_by("-occurred_on", "id")[:3]:
            checkin_acknowledge(checkin=checkin, user=staff)
            acknowledged += 1
    worried = next((p for p in pairings if _helper(p) is not None), None)
    if worried is not None:
        checkin_create(
            volunteer=_helper(worried),
            children=[worried.child],
            kind=CheckIn.Kind.HOME_VISIT,
            occurred_on=today,
            duration_minutes=40,
            note="孩子说爷爷最近常喝酒，晚上没人做饭，孩子有些害怕。",
            worried=True,
            source=CheckIn.Source.WEB,
            logged_by=_helper(worried).user,
        )
    figures = due_nightly(today=today)
    context.notes.append(
        f"关爱记录演示：{CheckIn.objects.filter(volunteer__programme=programme).count()} check-ins "
        f"for {len(pairings)} active pairings ({lapsed} lapsed), {acknowledged} thanked, 1 worried; "
        f"nightly pass at {timezone.localtime():%H:%M}: {figures['reminders']} reminders queued, "
        f"escalations {dict((int(k), v) for k, v in figures['escalated'].items())}. Volunteers sign in at /v/login/"
        " with a number below; the SMS code appears in admin → 本地发件箱)"
    )
    context.notes.extend(volunteers_table(programme=programme))


def volunteers_table(*, programme) -> list[str]:
    """Return a small table of demo volunteers to sign in as at /v/: one new, one paired, one lapsed."""
    today = today_local()
    active = Volunteer.objects.filter(programme=programme, status=Volunteer.Status.ACTIVE, team__isnull=True)
    paired_ids = set(
        Pairing.objects.filter(programme=programme, status=Pairing.Status.ACTIVE).values_list("volunteer_id", flat=True)
    )
    last = {
        row["volunteer_id"]: row["last"]
        for row in CheckIn.objects.filter(volunteer__programme=programme)
        .values("volunteer_id")
        .annotate(last=Max("occurred_on"))
    }
    new = active.exclude(pk__in=paired_ids).order_by("id").first()
    paired = [v for v in active.filter(pk__in=paired_ids).order_by("id") if v.pk in last]
    recent = next((v for v in paired if (today - last[v.pk]).days <= 30), None)
    lapsed = next((v for v in paired if (today - last[v.pk]).days > 60), None)
    rows = [
        (recent, "已结对：孩子、待办、三步记录"),
        (lapsed, "久未联系：已逾期的待办"),
        (new, "新爱心妈妈：还没有结对"),
    ]
    lines = ["", "爱心妈妈演示账号（/v/login/，验证码见本地发件箱）："]
    lines.append(f"  {'手机号':<16} {'姓名':<12} 看到什么")
    for volunteer, shows in rows:
        if volunteer is not None:
            lines.append(f"  {volunteer.phone:<16} {volunteer.name:<12} {shows}")
    return lines
