"""Writes to children's files: register, update (with history), exit, reveal; concerns in ``concerns``."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.audit.models import AuditEvent
from backend.audit.services import audit_record
from backend.children.models import Child, ChildChange, guardian_phone_hash
from backend.children.selectors import can_reveal_id_number
from backend.children.validation import EDITABLE_FIELDS, child_clean
from backend.ops.errors import ConflictError, ServiceError
from backend.privacy.idnumbers import id_number_hash, mask_id_number
from backend.privacy.phones import mask_phone


def _today() -> datetime.date:
    return timezone.localdate()


def _history_value(field: str, value) -> str:
    # The history is read by more people than may reveal: never keep a full number in it.
    if value in (None, ""):
        return ""
    if field == "id_number":
        return mask_id_number(value)
    if field == "guardian_phone":
        return mask_phone(value)
    if field == "address_detail":
        return _("（已记录）")
    if isinstance(value, list):
        return "、".join(str(Child.Need(v).label) if v in Child.Need.values else str(v) for v in value)
    return str(value)


def _raise_errors(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError({field: [message] for field, message in errors.items()})


def _check_not_registered(id_hash: str, *, exclude_pk: int | None = None) -> None:
    qs = Child.objects.filter(id_number_hash=id_hash, status=Child.Status.ACTIVE)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise ConflictError(
            _("该身份证号码的儿童已登记在册"),
            field="id_number",
            code="duplicate",
        )


def child_apply(child: Child, data: dict) -> None:
    """Set cleaned values and the derived ID columns on an instance (nothing is saved)."""
    for field in EDITABLE_FIELDS:
        setattr(child, field, data[field])
    child.id_number_hash = id_number_hash(data["id_number"])
    child.id_number_masked = mask_id_number(data["id_number"])
    child.guardian_phone_hash = guardian_phone_hash(data["guardian_phone"])  # bulk_create skips save()


@transaction.atomic
def child_create(*, created_by, values: dict, today: datetime.date | None = None) -> Child:
    """Register a child's file after checking every rule (ID, age, consent, region)."""
    data, errors = child_clean(values=values, user=created_by, today=today or _today())
    _raise_errors(errors)
    child = Child(created_by=created_by)
    child_apply(child, data)
    _check_not_registered(child.id_number_hash)
    try:
        with transaction.atomic():
            child.save()
    except IntegrityError as exc:
        raise ConflictError(_("该身份证号码的儿童已登记在册"), field="id_number") from exc
    ChildChange.objects.create(child=child, changed_by=created_by, field="*", new_value=_("登记建档"), source="create")
    return child


def _current_values(child: Child) -> dict:
    return {field: getattr(child, field) for field in EDITABLE_FIELDS}


@transaction.atomic
def child_update(
    *, child: Child, changed_by, changes: dict, source: str = "edit", today: datetime.date | None = None
) -> list[ChildChange]:
    """Change fields of a file, re-checking every rule; record each change in the history."""
    if child.status != Child.Status.ACTIVE:
        raise ServiceError(_("已退出的档案不能修改"), field="status")
    before = _current_values(child)
    merged = {**before, **{k: v for k, v in changes.items() if k in EDITABLE_FIELDS}}
    data, errors = child_clean(values=merged, user=changed_by, today=today or _today())
    # An existing file keeps its village if the user may no longer move children there:
    # only a changed village must lie inside the editor's region.
    if data.get("village_id") == before["village_id"]:
        errors.pop("village_id", None)
    # Age is checked at registration; a 17-year-old's file stays editable.
    if "birth_date" in errors and "birth_date" not in changes and "id_number" not in changes:
        errors.pop("birth_date")
    _raise_errors(errors)
    changed = [f for f in EDITABLE_FIELDS if data[f] != before[f]]
    if not changed:
        return []
    child_apply(child, data)
    if "id_number" in changed:
        _check_not_registered(child.id_number_hash, exclude_pk=child.pk)
    child.save()
    return ChildChange.objects.bulk_create(
        ChildChange(
            child=child,
            changed_by=changed_by,
            field=field,
            old_value=_history_value(field, before[field]),
            new_value=_history_value(field, data[field]),
            source=source,
        )
        for field in changed
    )


@transaction.atomic
def child_exit(
    *, child: Child, exited_by, reason: str, exited_on: datetime.date | None = None, note: str = ""
) -> Child:
    """Close a child's file (退出) with a reason and date."""
    if child.status == Child.Status.EXITED:
        raise ConflictError(_("该档案已退出"), field="status")
    if reason not in Child.ExitReason.values:
        raise ServiceError(_("请选择退出原因"), field="reason")
    if reason == Child.ExitReason.OTHER and not note.strip():
        raise ServiceError(_("原因为“其他”时请填写说明"), field="note")
    exited_on = exited_on or _today()
    if exited_on > _today():
        raise ServiceError(_("退出日期不能晚于今天"), field="exited_on")
    child.status = Child.Status.EXITED
    child.exit_reason = reason
    child.exit_note = note.strip()[:200]
    child.exited_on = exited_on
    child.save(update_fields=["status", "exit_reason", "exit_note", "exited_on", "updated_at"])
    # Her pairings end with her file (the pairing app keeps their history).
    from pairing.services import pairings_end_for_child

    pairings_end_for_child(child=child, note=str(Child.ExitReason(reason).label))
    ChildChange.objects.create(
        child=child,
        changed_by=exited_by,
        field="status",
        old_value=str(Child.Status.ACTIVE.label),
        new_value=f"{Child.Status.EXITED.label}：{Child.ExitReason(reason).label} {exited_on.isoformat()}",
        source="exit",
    )
    return child


def child_id_number_reveal(*, child: Child, user, request=None, reason: str = "") -> str:
    """Return a child's full ID number to a user allowed to see it, and audit the reveal (with her reason)."""
    if not can_reveal_id_number(user):
        raise PermissionError("reveal not allowed")
    audit_record(
        actor=user,
        action=AuditEvent.Action.REVEAL,
        object_type="children.child",
        object_ids=[child.pk],
        region_code=child.village_id,
        request=request,
        detail="id_number" + (f": {reason.strip()[:200]}" if reason and reason.strip() else ""),
    )
    return child.id_number


# Concerns (关注事项) and their handling steps and deadlines.
from backend.children.services.concerns import (  # noqa: E402
    concern_acknowledge,
    concern_close,
    concern_escalate,
    concern_escalations_dispatch,
    concern_follow_up,
    concern_raise,
    concern_refer,
)

__all__ = [
    "child_apply",
    "child_create",
    "child_exit",
    "child_id_number_reveal",
    "child_update",
    "concern_acknowledge",
    "concern_close",
    "concern_escalate",
    "concern_escalations_dispatch",
    "concern_follow_up",
    "concern_raise",
    "concern_refer",
]
