"""Pieces every list page of the workspace shares: pages of 50 rows, the query string, the export."""

import io

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from backend.audit.models import AuditEvent
from backend.audit.services import audit_record

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def form_error(form, exc) -> None:
    """Put a service's message beside its field (or above the form when it names none)."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def paginate(request, qs, per_page: int = PAGE_SIZE):
    """Return the requested page of a list (a bad page number gives the nearest page)."""
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    """Return the list's filters as a query string, to keep them on the page links and the export."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def workbook_response(*, title: str, headers: list[str], rows, filename: str) -> HttpResponse:
    """Return one sheet of rows as an Excel download."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(header) * 2 + 4))
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=str(header))
        cell.font = Font(bold=True)
        header_cells.append(cell)
    ws.append(header_cells)
    for row in rows:
        ws.append([str(v) if v is not None and not isinstance(v, int | float) else v for v in row])
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.xlsx"'
    return response


def audit_list(
    request, *, object_type: str, ids, region_code: str = "", export: bool = False, detail: str = ""
) -> None:
    """Record that a page (or its export) showed these records (region: the user's, unless given)."""
    ids = list(ids)
    if not ids:
        return
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT if export else AuditEvent.Action.LIST,
        object_type=object_type,
        object_ids=ids,
        region_code=region_code or getattr(request.user, "home_region_id", None) or "",
        request=request,
        detail=detail,
    )
