"""The ledger of service entries: hours from check-ins, staff's 补录, approval one by one or in bulk."""

import datetime

import pghistory
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.selectors import user_region_scope
from backend.checkins.models import CheckIn
from backend.ops.errors import ServiceError
from backend.records.models import RecordRules, ServiceEntry
from backend.volunteers.models import Volunteer

MAX_CONTENT = 200


def rules_of(programme) -> RecordRules:
    """Return the programme's counting rules (the defaults when it has set none)."""
    return RecordRules.objects.filter(programme=programme).first() or RecordRules(programme=programme)


def _day_usage(*, volunteer: Volunteer, served_on: datetime.date, exclude_pk: int | None = None) -> tuple[int, int]:
    """Return (approved minutes, entries not rejected) of her day."""
    qs = ServiceEntry.objects.filter(volunteer=volunteer, served_on=served_on)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    got = qs.aggregate(
        minutes=Sum("minutes", filter=Q(status=ServiceEntry.Status.APPROVED)),
        entries=Count("pk", filter=~Q(status=ServiceEntry.Status.REJECTED)),
    )
    return got["minutes"] or 0, got["entries"]


def cap_problem(*, rules: RecordRules, minutes: int, day_minutes: int) -> str:
    """Return why these minutes may not count on a day that already has ``day_minutes`` ("" if they may)."""
    if minutes > rules.max_minutes_per_entry:
        return _("超过每条记录%(n)d分钟的上限") % {"n": rules.max_minutes_per_entry}
    if day_minutes + minutes > rules.max_minutes_per_day:
        return _("当天累计将超过%(n)d分钟的上限") % {"n": rules.max_minutes_per_day}
    return ""


def _status_by_rules(entry: ServiceEntry, rules: RecordRules) -> None:
    """Set the status of an entry that came from her own logging (a check-in, an attended session).

    Minutes within the programme's caps count at once unless the programme wants that source
    approved; minutes over a cap, or an entry past the day's number of entries, wait for staff.
    An entry of no minutes is only recorded.
    """
    if entry.minutes == 0:
        entry.status = ServiceEntry.Status.RECORDED
        return
    day_minutes, day_entries = _day_usage(volunteer=entry.volunteer, served_on=entry.served_on)
    problem = cap_problem(rules=rules, minutes=entry.minutes, day_minutes=day_minutes)
    if day_entries >= rules.max_entries_per_day:
        problem = _("当天已有%(n)d条记录") % {"n": day_entries}
    if problem or entry.source in rules.approval_sources:
        entry.status = ServiceEntry.Status.PENDING
        entry.status_note = problem
    else:
        entry.status = ServiceEntry.Status.APPROVED
        entry.status_note = _("按项目规则自动确认")
        entry.approved_at = timezone.now()


def _history(by, label: str):
    return pghistory.context(user=getattr(by, "pk", None), action=label)


def service_entry_from_checkin(*, checkin: CheckIn) -> ServiceEntry:
    """Put a check-in's minutes in her record (once; a second call returns the same entry).

    Minutes within the programme's caps count at once unless the programme wants check-ins
    approved; minutes over a cap, or an entry past the day's limit, wait for staff.
    """
    existing = ServiceEntry.objects.filter(checkin=checkin).first()
    if existing is not None:
        return existing
    volunteer = checkin.volunteer
    rules = rules_of(volunteer.programme)
    minutes = checkin.duration_minutes or 0
    entry = ServiceEntry(
        volunteer=volunteer,
        source=ServiceEntry.Source.CHECKIN,
        checkin=checkin,
        served_on=checkin.occurred_on,
        minutes=minutes,
        # The kind of care in words; never the note, which may name a child.
        content=str(checkin.get_kind_display()),
        entered_by=checkin.logged_by or volunteer.user,
    )
    _status_by_rules(entry, rules)
    with _history(checkin.logged_by or volunteer.user, "checkin"):
        entry.save()
    return entry


def service_entry_from_attendance(*, attendance) -> ServiceEntry | None:
    """Put a volunteer's attended activity session in her record (once); None for other participants.

    The session's length is her service time; the programme's caps and approval rules apply
    as to a check-in. The content is the activity's kind and title, never a child's name.
    """
    signup = attendance.signup
    if signup.volunteer_id is None or signup.audience != "volunteer":
        return None
    existing = ServiceEntry.objects.filter(attendance=attendance).first()
    if existing is not None:
        return existing
    volunteer = signup.volunteer
    session = attendance.session
    activity = session.activity
    rules = rules_of(volunteer.programme)
    served_on = timezone.localdate(session.starts_at)
    minutes = min(attendance.minutes, 24 * 60)
    entry = ServiceEntry(
        volunteer=volunteer,
        source=ServiceEntry.Source.EVENT,
        attendance=attendance,
        served_on=served_on,
        starts_at=timezone.localtime(session.starts_at).time(),
        ends_at=timezone.localtime(session.ends_at).time()
        if timezone.localdate(session.ends_at) == served_on
        else None,
        minutes=minutes,
        content=f"{activity.get_kind_display()}：{activity.title}"[:200],
        entered_by=attendance.checked_in_by,
    )
    _status_by_rules(entry, rules)
    with _history(attendance.checked_in_by, "attendance"):
        entry.save()
    return entry


def service_entry_attendance_withdrawn(*, attendance, by) -> None:
    """A tick taken back: its entry leaves the record (the history keeps it)."""
    with _history(by, "attendance withdrawn"):
        ServiceEntry.objects.filter(attendance=attendance).delete()


def service_entries_sync(*, since: datetime.date | None = None) -> int:
    """Put every check-in and attended session without an entry (since a date) in the record; return how many."""
    qs = CheckIn.objects.filter(service_entry__isnull=True).select_related("volunteer__programme", "volunteer__user")
    if since is not None:
        qs = qs.filter(occurred_on__gte=since)
    added = 0
    for checkin in qs.order_by("occurred_on", "id").iterator(chunk_size=500):
        with transaction.atomic():
            service_entry_from_checkin(checkin=checkin)
        added += 1
    from backend.activities.models import Attendance

    attended = Attendance.objects.filter(
        service_entry__isnull=True, signup__audience="volunteer", signup__volunteer__isnull=False
    ).select_related("signup__volunteer__programme", "session__activity", "checked_in_by")
    if since is not None:
        attended = attended.filter(session__starts_at__date__gte=since)
    for attendance in attended.order_by("session__starts_at", "id").iterator(chunk_size=500):
        with transaction.atomic():
            service_entry_from_attendance(attendance=attendance)
        added += 1
    return added


def _in_reach(by, volunteer: Volunteer) -> None:
    if by is None or not (by.is_superuser or by.is_federation_staff):
        raise ServiceError(_("只有妇联工作人员可以操作服务记录"), field="volunteer")
    if not user_region_scope(by).contains(volunteer.village_id):
        raise ServiceError(_("爱心妈妈不存在"), field="volunteer")


@transaction.atomic
def service_entry_supplement(
    *,
    by,
    volunteer: Volunteer,
    served_on: datetime.date,
    starts_at: datetime.time,
    ends_at: datetime.time,
    minutes: int,
    content: str,
    reason: str,
) -> ServiceEntry:
    """Enter service afterwards (补录) with its period and reason; it waits for another staff member's approval."""
    _in_reach(by, volunteer)
    content = (content or "").strip()
    reason = (reason or "").strip()
    if not content:
        raise ServiceError(_("请写明服务内容"), field="content")
    if len(content) > MAX_CONTENT:
        raise ServiceError(_("服务内容不能超过200字"), field="content")
    if not reason:
        raise ServiceError(_("请写明补录理由"), field="reason")
    if served_on > timezone.localdate():
        raise ServiceError(_("服务日期不能晚于今天"), field="served_on")
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise ServiceError(_("结束时间应晚于开始时间"), field="ends_at")
    entry = ServiceEntry(
        volunteer=volunteer,
        source=ServiceEntry.Source.STAFF,
        served_on=served_on,
        starts_at=starts_at,
        ends_at=ends_at,
        minutes=minutes or 0,
        content=content,
        reason=reason,
        status=ServiceEntry.Status.PENDING,
        entered_by=by,
    )
    if not 0 < entry.minutes <= entry.period_minutes():
        raise ServiceError(
            _("服务时长应大于0，且不能超过活动时长（%(n)d分钟）") % {"n": entry.period_minutes()}, field="minutes"
        )
    rules = rules_of(volunteer.programme)
    if entry.minutes > rules.max_minutes_per_entry:
        raise ServiceError(_("超过每条记录%(n)d分钟的上限") % {"n": rules.max_minutes_per_entry}, field="minutes")
    _minutes, day_entries = _day_usage(volunteer=volunteer, served_on=served_on)
    if day_entries >= rules.max_entries_per_day:
        raise ServiceError(_("当天已有%(n)d条记录，达到每天的上限") % {"n": day_entries}, field="served_on")
    entry.full_clean()
    with _history(by, "supplement"):
        entry.save()
    return entry


def _check_approver(*, entry: ServiceEntry, by) -> None:
    _in_reach(by, entry.volunteer)
    if entry.status != ServiceEntry.Status.PENDING:
        raise ServiceError(_("这条记录不在待审核状态"), field="status")
    if entry.source == ServiceEntry.Source.STAFF and entry.entered_by_id == by.pk and not by.is_superuser:
        raise ServiceError(_("补录的记录须由另一位工作人员审核"), field="status")


@transaction.atomic
def service_entry_decide(
    *, entry: ServiceEntry, by, approve: bool, note: str = "", minutes: int | None = None
) -> ServiceEntry:
    """Approve (within the caps; the minutes may be lowered) or reject a pending entry."""
    entry = ServiceEntry.objects.select_for_update().select_related("volunteer__programme").get(pk=entry.pk)
    _check_approver(entry=entry, by=by)
    note = (note or "").strip()[:300]
    if approve:
        if minutes is not None:
            if not 0 < minutes <= entry.minutes:
                raise ServiceError(_("核定时长应大于0且不超过录入的时长"), field="minutes")
            entry.minutes = minutes
        day_minutes, _entries = _day_usage(volunteer=entry.volunteer, served_on=entry.served_on, exclude_pk=entry.pk)
        problem = cap_problem(rules=rules_of(entry.volunteer.programme), minutes=entry.minutes, day_minutes=day_minutes)
        if problem:
            raise ServiceError(problem, field="minutes")
        entry.status = ServiceEntry.Status.APPROVED
    else:
        if not note:
            raise ServiceError(_("请写明不通过的理由"), field="note")
        entry.status = ServiceEntry.Status.REJECTED
    entry.status_note = note
    entry.approved_by = by
    entry.approved_at = timezone.now()
    with _history(by, "approve" if approve else "reject"):
        entry.save(update_fields=["minutes", "status", "status_note", "approved_by", "approved_at"])
    return entry


@transaction.atomic
def service_entries_approve_bulk(*, by, entry_ids: list[int]) -> dict:
    """Approve many pending entries in one update (each within the caps); return approved ids and skipped ones."""
    entries = list(
        ServiceEntry.objects.select_for_update()
        .select_related("volunteer__programme")
        .filter(pk__in=entry_ids, status=ServiceEntry.Status.PENDING)
        .order_by("volunteer_id", "served_on", "id")
    )
    approved, skipped = [], []
    added: dict[tuple[int, datetime.date], int] = {}
    for entry in entries:
        try:
            _check_approver(entry=entry, by=by)
        except ServiceError as exc:
            skipped.append({"entry": entry, "error": exc.message})
            continue
        key = (entry.volunteer_id, entry.served_on)
        day_minutes, _entries = _day_usage(volunteer=entry.volunteer, served_on=entry.served_on)
        problem = cap_problem(
            rules=rules_of(entry.volunteer.programme),
            minutes=entry.minutes,
            day_minutes=day_minutes + added.get(key, 0),
        )
        if problem:
            skipped.append({"entry": entry, "error": problem})
            continue
        added[key] = added.get(key, 0) + entry.minutes
        approved.append(entry.pk)
    if approved:
        with _history(by, "bulk_approve"):
            # One UPDATE; the history triggers record every row it changes.
            ServiceEntry.objects.filter(pk__in=approved).update(
                status=ServiceEntry.Status.APPROVED,
                approved_by=by,
                approved_at=timezone.now(),
                status_note=_("批量审核通过"),
            )
    return {"approved": approved, "skipped": skipped}
