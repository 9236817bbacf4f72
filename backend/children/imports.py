"""Bulk import of children from a spreadsheet: upload → ImportJob → checked → written.

Nothing is written unless every row is clean, or the uploader chose "import the valid
rows only". A re-upload never duplicates: a row whose ID number belongs to an active
child in the uploader's region updates that file (history source "import").
"""

import base64
import os

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.selectors import user_region_scope
from backend.audit.models import AuditEvent
from backend.audit.services import audit_record, common_region_code
from backend.children.models import Child, ChildChange, ImportJob
from backend.children.services import child_apply, child_update
from backend.children.spreadsheets import SpreadsheetError, convert_row, error_entry, read_table
from backend.children.validation import EDITABLE_FIELDS, child_clean
from backend.ops.errors import ServiceError
from backend.privacy.idnumbers import id_number_hash
from backend.regions.models import Region

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Errors kept on the job (a wholly wrong file would otherwise store one per cell).
MAX_ERRORS = 2000
BATCH = 1000


def import_job_create(*, created_by, file_name: str, content: bytes, import_valid_rows: bool = False) -> ImportJob:
    """Store an upload (encrypted) as a pending import job and queue its processing."""
    from backend.children.tasks import child_import_run_task

    extension = os.path.splitext(file_name or "")[1].lower().lstrip(".")
    if extension not in ImportJob.Format.values:
        raise ServiceError(_("请上传 .xlsx 或 .csv 文件"), field="file")
    if not content:
        raise ServiceError(_("文件是空的"), field="file")
    if len(content) > MAX_UPLOAD_BYTES:
        raise ServiceError(_("文件不能超过20MB"), field="file")
    with transaction.atomic():
        job = ImportJob.objects.create(
            created_by=created_by,
            file_name=os.path.basename(file_name)[:200],
            file_format=extension,
            content=base64.b64encode(content).decode(),
            import_valid_rows=import_valid_rows,
        )
        child_import_run_task.delay_on_commit(job.pk)
    return job


class _Villages:
    """Resolve a village cell (12-digit code or full name) to a Region, within the user's scope."""

    def __init__(self, user):
        self.scope = user_region_scope(user)
        self.by_code: dict[str, Region | None] = {}
        self.by_name: dict[str, Region | None] = {}
        if not self.scope.everything and self.scope.prefixes:
            for code, name, full_name in Region.objects.filter(
                self.scope.q("code"), level=Region.Level.VILLAGE
            ).values_list("code", "name", "full_name"):
                region = Region(code=code, name=name, full_name=full_name, level=Region.Level.VILLAGE)
                self.by_code[code] = region
                self.by_name[full_name] = region
            self.complete = True
        else:
            self.complete = False

    def __call__(self, value: str) -> Region | None:
        value = (value or "").strip().removeprefix("山西省")
        if value.isdigit():
            if value not in self.by_code and not self.complete:
                self.by_code[value] = Region.objects.filter(code=value, level=Region.Level.VILLAGE).first()
            found = self.by_code.get(value)
            if found is None and self.complete and len(value) == 12:
                # Outside the scope: say so rather than "unknown".
                found = Region.objects.filter(code=value, level=Region.Level.VILLAGE).first()
            return found
        if value not in self.by_name:
            self.by_name[value] = Region.objects.filter(full_name=value, level=Region.Level.VILLAGE).first()
        return self.by_name[value]


def _progress(job: ImportJob, done: int, total: int) -> None:
    # Checking is 90% of the work; writing the rest.
    percent = min(90, int(done * 90 / max(total, 1)))
    if percent != job.progress:
        job.progress = percent
        ImportJob.objects.filter(pk=job.pk).update(progress=percent)


def _finish(job: ImportJob, **fields) -> ImportJob:
    fields.setdefault("finished_at", timezone.now())
    fields["content"] = ""  # the upload is not kept once processed
    for key, value in fields.items():
        setattr(job, key, value)
    job.save(update_fields=list(fields))
    return job


def import_job_run(*, job: ImportJob) -> ImportJob:
    """Check every row of an import job and, if allowed, write the children."""
    claimed = ImportJob.objects.filter(
        pk=job.pk, status__in=[ImportJob.Status.PENDING, ImportJob.Status.RUNNING]
    ).update(status=ImportJob.Status.RUNNING, progress=0)
    if not claimed:
        return job  # already finished: a redelivered task does nothing
    job.refresh_from_db()
    user = job.created_by
    today = timezone.localdate()
    content = base64.b64decode(job.content or "")
    try:
        columns, rows = read_table(content, job.file_format)
        rows = list(rows)
    except SpreadsheetError as exc:
        return _finish(
            job,
            status=ImportJob.Status.REJECTED,
            progress=100,
            message=exc.message[:300],
            errors=[
                {"row": 1, "column": exc.column, "message": exc.message, "text": f"第1行 {exc.column}: {exc.message}"}
            ],
            error_count=1,
        )
    total = len(rows)
    ImportJob.objects.filter(pk=job.pk).update(total_rows=total)
    job.total_rows = total
    villages = _Villages(user)
    errors: list[dict] = []
    error_rows: set[int] = set()
    valid: list[tuple[int, dict]] = []
    first_row_of: dict[str, int] = {}
    for i, (number, cells) in enumerate(rows, start=1):
        values, row_errors = convert_row(cells)
        data, rule_errors = child_clean(values=values, user=user, today=today, resolve_village=villages)
        # A cell that could not be read at all is the error to show for that column.
        rule_errors.update(row_errors)
        if "id_number" not in rule_errors:
            h = id_number_hash(data["id_number"])
            if h in first_row_of:
                rule_errors["id_number"] = _("与第%(n)d行的身份证号码重复") % {"n": first_row_of[h]}
            else:
                first_row_of[h] = number
            data["_hash"] = h
        if rule_errors:
            error_rows.add(number)
            for field, message in rule_errors.items():
                if len(errors) < MAX_ERRORS:
                    errors.append(error_entry(number, field, str(message)))
        else:
            valid.append((number, data))
        if i % 200 == 0:
            _progress(job, i, total)

    # Rows whose child is already registered: update in the user's region, refuse elsewhere.
    existing: dict[str, Child] = {}
    hashes = [d["_hash"] for _n, d in valid]
    for start in range(0, len(hashes), BATCH):
        for child in Child.objects.filter(id_number_hash__in=hashes[start : start + BATCH], status=Child.Status.ACTIVE):
            existing[child.id_number_hash] = child
    scope = user_region_scope(user)
    still_valid = []
    for number, data in valid:
        child = existing.get(data["_hash"])
        if child is not None and not scope.contains(child.village_id):
            error_rows.add(number)
            if len(errors) < MAX_ERRORS:
                errors.append(error_entry(number, "id_number", _("该儿童已在其他辖区登记，请联系上级妇联")))
            continue
        still_valid.append((number, data))
    valid = still_valid
    errors.sort(key=lambda e: e["row"])

    if error_rows and not job.import_valid_rows:
        return _finish(
            job,
            status=ImportJob.Status.REJECTED,
            progress=100,
            errors=errors,
            error_count=len(error_rows),
            message=_("有%(n)d行存在错误，未导入任何数据") % {"n": len(error_rows)},
        )

    created_ids: list[int] = []
    updated_ids: list[int] = []
    unchanged = 0
    with transaction.atomic():
        new_children = []
        for _number, data in valid:
            child = existing.get(data["_hash"])
            if child is None:
                child = Child(created_by=user)
                child_apply(child, data)
                new_children.append(child)
                continue
            changes = {f: data[f] for f in EDITABLE_FIELDS if data[f] != getattr(child, f)}
            if not changes:
                unchanged += 1
                continue
            child_update(child=child, changed_by=user, changes=changes, source="import", today=today)
            updated_ids.append(child.pk)
        for start in range(0, len(new_children), BATCH):
            batch = Child.objects.bulk_create(new_children[start : start + BATCH])
            ChildChange.objects.bulk_create(
                ChildChange(child=c, changed_by=user, field="*", new_value=_("批量导入建档"), source="import")
                for c in batch
            )
            created_ids.extend(c.pk for c in batch)
        audit_record(
            actor=user,
            action=AuditEvent.Action.IMPORT,
            object_type="children.child",
            object_ids=created_ids + updated_ids,
            region_code=common_region_code(d["village_id"] for _n, d in valid),
            detail=f"import job {job.pk}: {job.file_name}"[:300],
        )
    return _finish(
        job,
        status=ImportJob.Status.DONE,
        progress=100,
        errors=errors,
        error_count=len(error_rows),
        created_count=len(created_ids),
        updated_count=len(updated_ids),
        unchanged_count=unchanged,
        message=_("新增%(c)d人，更新%(u)d人，未变化%(s)d人，跳过错误行%(e)d行")
        % {"c": len(created_ids), "u": len(updated_ids), "s": unchanged, "e": len(error_rows)},
    )
