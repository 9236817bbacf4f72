"""The children's and concerns' pages of the workspace: a form, one service or selector, render.

Every read of children's data is audited with the ids shown (the existing audit service).
"""

from __future__ import annotations

import tempfile
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backend.audit.models import AuditEvent
from backend.audit.services import audit_record, common_region_code
from backend.children import services
from backend.children.selectors import can_reveal_id_number, is_region_staff
from backend.children.spreadsheets import ledger_write
from backend.children.staff import forms
from backend.children.staff.selectors import (
    staff_child_file,
    staff_children,
    staff_concern,
    staff_concerns,
)
from backend.ops.errors import ServiceError
from backend.workspace.access import staff_page
from backend.workspace.forms import form_add_service_errors

PAGE_SIZE = 50
CHILD = "children.child"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _audit_children(request, action, children, detail=""):
    children = list(children)
    if not children:
        return
    audit_record(
        actor=request.user,
        action=action,
        object_type=CHILD,
        object_ids=[c.pk for c in children],
        region_code=common_region_code([c.village_id for c in children]),
        request=request,
        detail=detail,
    )


def _page(request, qs):
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def _file_or_404(request, pk) -> dict:
    data = staff_child_file(user=request.user, pk=pk)
    if data is None:
        raise Http404
    return data


# --- children ------------------------------------------------------------------------


@staff_page
@require_GET
def child_list(request):
    """List and search her region's children; filters stay in the query string."""
    form = forms.ChildFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if request.GET else {}
    page, query = _page(request, staff_children(user=request.user, filters=filters))
    _audit_children(request, AuditEvent.Action.LIST, page.object_list, detail="workspace children list")
    return render(
        request,
        "children/staff/list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "export_query": urlencode({k: v for k, v in request.GET.items() if k != "page"}),
            "can_export": is_region_staff(request.user),
        },
    )


@staff_page
@require_GET
def child_export(request):
    """Export the ledger of what the list shows (her region, filtered), audited."""
    if not is_region_staff(request.user):
        raise PermissionDenied
    form = forms.ChildFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if request.GET else {}
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # closed by FileResponse
    children = staff_children(user=request.user, filters=filters)
    ids = ledger_write(user=request.user, path=handle.name, children=children)
    region = filters.get("region") or ("" if request.user.is_superuser else request.user.home_region_id)
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        object_type=CHILD,
        object_ids=ids,
        region_code=region or "",
        request=request,
        detail=f"ledger (workspace list): {len(ids)} children",
    )
    handle.seek(0)
    name = f"ledger-{region or 'all'}-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX)


@staff_page
@require_http_methods(["GET", "POST"])
def child_create(request):
    """Register a child's file (一人一档) with the existing validation."""
    form = forms.ChildForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            child = services.child_create(created_by=request.user, values=form.values())
        except (ServiceError, ValidationError) as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("已登记建档"))
            return redirect("children_staff:file", pk=child.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "children/staff/form.html", {"form": form, "child": None}, status=status)


@staff_page
@require_http_methods(["GET", "POST"])
def child_edit(request, pk: int):
    """Change a child's file; every change goes to its history."""
    child = _file_or_404(request, pk)["child"]
    if request.method == "POST":
        form = forms.ChildForm(request.POST, user=request.user, editing=True)
    else:
        form = forms.ChildForm(initial=forms.ChildForm.initial_for(child), user=request.user, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.child_update(child=child, changed_by=request.user, changes=form.values())
        except (ServiceError, ValidationError) as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存 %(n)s 处修改") % {"n": len(changes)} if changes else _("没有修改"))
            return redirect("children_staff:file", pk=child.pk)
    else:
        _audit_children(request, AuditEvent.Action.VIEW, [child], detail="workspace edit form")
    status = 400 if request.method == "POST" else 200
    return render(request, "children/staff/form.html", {"form": form, "child": child}, status=status)


def _file_context(request, pk, **extra) -> dict:
    data = _file_or_404(request, pk)
    return {
        **data,
        "can_reveal": can_reveal_id_number(request.user),
        "reveal_form": forms.RevealForm(),
        "exit_form": forms.ChildExitForm(),
        "today": timezone.localdate(),
        **extra,
    }


@staff_page
@require_GET
def child_file(request, pk: int):
    """Show everything of one child in one place; the read is audited."""
    context = _file_context(request, pk)
    _audit_children(request, AuditEvent.Action.VIEW, [context["child"]], detail="workspace file")
    return render(request, "children/staff/file.html", context)


@staff_page
@require_GET
def child_print(request, pk: int):
    """The file as an A4 page for the paper 档案; the read is audited."""
    context = _file_context(request, pk)
    _audit_children(request, AuditEvent.Action.VIEW, [context["child"]], detail="workspace print")
    return render(request, "children/staff/print.html", context)


@staff_page
@require_POST
def child_reveal(request, pk: int):
    """Show the full ID number to a role allowed to see it, with the reason asked; audited."""
    context = _file_context(request, pk)
    if not context["can_reveal"]:
        raise PermissionDenied
    form = forms.RevealForm(request.POST)
    if not form.is_valid():
        context["reveal_form"] = form
        context["reveal_open"] = True
        return render(request, "children/staff/file.html", context, status=400)
    context["revealed_id"] = services.child_id_number_reveal(
        child=context["child"], user=request.user, request=request, reason=form.cleaned_data["reason"]
    )
    return render(request, "children/staff/file.html", context)


@staff_page
@require_POST
def child_exit(request, pk: int):
    """Close a child's file (退出) with a reason (confirmed on the page)."""
    context = _file_context(request, pk)
    form = forms.ChildExitForm(request.POST)
    if form.is_valid():
        try:
            services.child_exit(
                child=context["child"],
                exited_by=request.user,
                reason=form.cleaned_data["reason"],
                exited_on=form.cleaned_data["exited_on"],
                note=form.cleaned_data["note"] or "",
            )
        except (ServiceError, ValidationError) as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("档案已退出"))
            return redirect("children_staff:file", pk=pk)
    context["exit_form"] = form
    return render(request, "children/staff/file.html", context, status=400)


# --- concerns ------------------------------------------------------------------------


@staff_page
@require_GET
def concern_list(request):
    """Concerns of her region: not closed by default, open and urgent first, then oldest."""
    form = forms.ConcernFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    page, query = _page(request, staff_concerns(user=request.user, filters=filters))
    _audit_children(request, AuditEvent.Action.LIST, [c.child for c in page.object_list], detail="workspace concerns")
    return render(
        request, "children/staff/concern_list.html", {"form": form, "page": page, "query": query, "now": timezone.now()}
    )


@staff_page
@require_http_methods(["GET", "POST"])
def concern_raise(request, pk: int):
    """Raise a concern (or a mandatory report) about a child of her region."""
    child = _file_or_404(request, pk)["child"]
    form = forms.ConcernRaiseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            concern = services.concern_raise(child=child, raised_by=request.user, **form.cleaned_data)
        except (ServiceError, ValidationError) as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("已报告，编号 %(ref)s") % {"ref": concern.reference})
            return redirect("concerns_staff:detail", pk=concern.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "children/staff/concern_raise.html", {"form": form, "child": child}, status=status)


ACTIONS = {
    "acknowledge": (forms.ConcernAcknowledgeForm, services.concern_acknowledge, gettext_lazy("已受理")),
    "refer": (forms.ConcernReferForm, services.concern_refer, gettext_lazy("已转介")),
    "follow-up": (forms.ConcernFollowUpForm, services.concern_follow_up, gettext_lazy("已记录跟进")),
    "close": (forms.ConcernCloseForm, services.concern_close, gettext_lazy("已办结")),
}


def _concern_or_404(request, pk):
    concern = staff_concern(user=request.user, pk=pk)
    if concern is None:
        raise Http404
    return concern


def _key(action: str) -> str:
    return action.replace("-", "_")


def _action_form(action: str, data=None):
    # Four forms on one page: their own element ids (their field names stay plain).
    return ACTIONS[action][0](data, auto_id=f"id_{_key(action)}_%s")


def _concern_context(concern, **bound) -> dict:
    return {
        "concern": concern,
        "now": timezone.now(),
        "steps": list(concern.steps.all()),
        **{f"{_key(name)}_form": bound.get(name) or _action_form(name) for name in ACTIONS},
    }


@staff_page
@require_GET
def concern_detail(request, pk: int):
    """A concern with the history of every step and the forms of the next ones."""
    concern = _concern_or_404(request, pk)
    _audit_children(request, AuditEvent.Action.VIEW, [concern.child], detail=f"workspace concern {concern.pk}")
    return render(request, "children/staff/concern_detail.html", _concern_context(concern))


@staff_page
@require_POST
def concern_act(request, pk: int, action: str):
    """Acknowledge (受理), refer (转介), follow up (跟进) or close (办结) a concern."""
    if action not in ACTIONS:
        raise Http404
    concern = _concern_or_404(request, pk)
    _form_class, service, done = ACTIONS[action]
    form = _action_form(action, request.POST)
    if form.is_valid():
        try:
            service(concern=concern, user=request.user, **form.cleaned_data)
        except (ServiceError, ValidationError) as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("concerns_staff:detail", pk=concern.pk)
    concern = _concern_or_404(request, pk)
    return render(
        request, "children/staff/concern_detail.html", _concern_context(concern, **{action: form}), status=400
    )
