"""Attendance: tick a participant present at a session (or scan her confirmation's QR code)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from backend.activities.models import Attendance, Session, Signup
from backend.ops.errors import ServiceError


@transaction.atomic
def attendance_mark(*, session: Session, signup: Signup, by, present: bool = True) -> Attendance | None:
    """Tick a confirmed participant present (idempotent) or take the tick back."""
    if signup.activity_id != session.activity_id:
        raise ServiceError(_("该报名不属于这场活动"), field="signup")
    if signup.status != Signup.Status.CONFIRMED:
        raise ServiceError(_("只有报名成功的人可以签到"), field="signup")
    from backend.records.services import service_entry_attendance_withdrawn, service_entry_from_attendance

    if not present:
        for attendance in Attendance.objects.filter(session=session, signup=signup):
            service_entry_attendance_withdrawn(attendance=attendance, by=by)
            attendance.delete()
        return None
    existing = Attendance.objects.filter(session=session, signup=signup).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                session=session, signup=signup, minutes=session.minutes, checked_in_by=by
            )
    except IntegrityError:
        return Attendance.objects.get(session=session, signup=signup)
    # A volunteer's attended session is service time in her record (志愿服务记录).
    service_entry_from_attendance(attendance=attendance)
    return attendance
