"""Staff pages: the coverage dashboard of a region, drill-down, and its Excel export."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from backend.audit.models import AuditEvent
from backend.audit.services import audit_children_shown
from backend.dashboard.api.serializers import dashboard_json
from backend.dashboard.exports import dashboard_workbook
from backend.dashboard.selectors import dashboard_children_shown, dashboard_data, dashboard_region, region_breadcrumbs
from backend.workspace.access import staff_page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _reverse_or_empty(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def _chart_data(payload: dict) -> dict:
    # Only what the charts draw: the lists are on the page already, as HTML.
    return {
        "rows": [{k: r[k] for k in ("code", "name", "registered", "paired", "coverage")} for r in payload["rows"]],
        "checkins_by_month": payload["checkins_by_month"],
        "load_buckets": payload["load_buckets"],
    }


@require_GET
@staff_page
def dashboard_page(request, code: str | None = None):
    """Show the figures of a region and of each region one level below it."""
    region = dashboard_region(user=request.user, code=code)
    data = dashboard_data(region=region, today=timezone.localdate())
    audit_children_shown(
        request=request,
        action=AuditEvent.Action.LIST,
        children=dashboard_children_shown(data),
        detail=f"dashboard {region.code if region else 'all'}",
    )
    context = {
        **data,
        "breadcrumbs": region_breadcrumbs(user=request.user, region=region),
        "chart_data": _chart_data(dashboard_json(data)),
        "chart_labels": {
            "coverage": _("覆盖率"),
            "target": _("全覆盖 100%"),
            "checkins": _("关爱记录"),
            "volunteers": _("人数"),
        },
        "export_url": reverse("dashboard:region-export", args=[region.code])
        if region
        else reverse("dashboard:home-export"),
        # The ledger of the region on the page (a town's page exports the town, not the county).
        "ledger_url": _reverse_or_empty("children-api:ledger") + (f"?region={region.code}" if region else ""),
        "pairing_run_url": "/admin/pairing/pairingrun/add/" + (f"?region={region.code}" if region else ""),
        "is_village": region is not None and not data["rows"],
    }
    return render(request, "dashboard/region.html", context)


@require_GET
@staff_page
def dashboard_export(request, code: str | None = None):
    """Download the page's figures as Excel, one sheet per table; the export is audited."""
    region = dashboard_region(user=request.user, code=code)
    today = timezone.localdate()
    data = dashboard_data(region=region, today=today, full_lists=True)
    content = dashboard_workbook(data)
    # Every child the workbook names: unpaired, in a lapsed pairing, with an open concern.
    audit_children_shown(
        request=request,
        action=AuditEvent.Action.EXPORT,
        children=dashboard_children_shown(data),
        detail=f"dashboard export {region.code if region else 'all'}",
    )
    response = HttpResponse(content, content_type=XLSX)
    name = f"dashboard-{region.code if region else 'all'}-{today:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
