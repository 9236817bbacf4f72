"""The workspace's pairing pages: runs, proposals and pairings. Form -> one service or selector -> render."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backend.ops.errors import ServiceError
from backend.volunteers.staff.access import region_staff_required
from backend.volunteers.staff.pages import audit_list, form_error, paginate, query_without_page, workbook_response
from pairing import selectors, services
from pairing.models import Pairing, PairingRun, Proposal
from pairing.staff.forms import (
    ApproveForm,
    PairingEndForm,
    PairingFilterForm,
    PairingNewForm,
    ProposalEditForm,
    ProposalFilterForm,
    RejectForm,
    RunStartForm,
)
from pairing.staff.rows import pairing_rows, proposal_rows


def _next_or(request, name: str) -> str:
    """Return the page to go back to: the list with its filters, if the form said so."""
    target = request.POST.get("next", "")
    if target.startswith("/staff/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse(name)


def _one(qs, pk):
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


# --- runs ------------------------------------------------------------------------------


@region_staff_required
@require_http_methods(["GET", "POST"])
def run_list(request):
    """List the region's runs and start a new one."""
    form = RunStartForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.pairing_run_start(
                user=request.user, programme=form.cleaned_data["programme"], region=form.cleaned_data["region"]
            )
            messages.success(request, _("结对计算已开始"))
            return redirect("pairing_staff:run", pk=run.pk)
        except ServiceError as exc:
            form_error(form, exc)
    page = paginate(request, selectors.pairing_run_list(user=request.user).order_by("-created_at", "-id"))
    return render(
        request,
        "pairing/staff/run_list.html",
        {"form": form, "page": page, "runs": [(r, selectors.run_figures(run=r)) for r in page.object_list]},
        status=400 if request.method == "POST" else 200,
    )


@region_staff_required
@require_GET
def run_detail(request, pk: int):
    """Show a run: its progress while it works (htmx polls), its figures in words when done."""
    run = _one(selectors.pairing_run_list(user=request.user), pk)
    context = {"run": run, "figures": selectors.run_figures(run=run), "finished": run.status in _FINISHED}
    if request.headers.get("HX-Request") == "true":
        return render(request, "pairing/staff/_run_progress.html", context)
    return render(request, "pairing/staff/run_detail.html", context)


_FINISHED = (PairingRun.Status.DONE, PairingRun.Status.FAILED)


# --- proposals ---------------------------------------------------------------------------


def _proposals(request, form):
    qs = selectors.proposal_list(user=request.user).select_related("run__programme", "volunteer__village")
    filters = form.filters() if form.is_bound else {}
    if "status" not in (request.GET or {}):
        filters["status"] = Proposal.Status.PROPOSED
    return selectors.proposal_filter(qs, **filters)


@region_staff_required
@require_GET
def proposal_list(request):
    """List proposals by run and by village, with reasons, score and approval chain in words."""
    form = ProposalFilterForm(request.GET or None, user=request.user)
    page = paginate(request, _proposals(request, form))
    rows = proposal_rows(page.object_list, user=request.user)
    audit_list(request, object_type="child", ids=[r["proposal"].child_id for r in rows], region_code="")
    return render(
        request,
        "pairing/staff/proposal_list.html",
        {"form": form, "page": page, "rows": rows, "query": query_without_page(request)},
    )


@region_staff_required
@require_GET
def proposal_export(request):
    form = ProposalFilterForm(request.GET or None, user=request.user)
    rows = proposal_rows(_proposals(request, form), user=request.user)
    audit_list(request, object_type="child", ids=[r["proposal"].child_id for r in rows], region_code="", export=True)
    return workbook_response(
        title=_("结对建议"),
        headers=[_("儿童"), _("村（社区）"), _("建议的爱心妈妈"), _("理由"), _("匹配分"), _("状态"), _("待审批层级")],
        rows=(
            [r["child"], r["village"], r["helper"], r["reasons"], r["proposal"].score, r["status"], r["waiting"]]
            for r in rows
        ),
        filename="proposals",
    )


@region_staff_required
@require_GET
def proposal_detail(request, pk: int):
    """One proposal with its chain, and the forms to approve, reject or change the volunteer."""
    proposal = _one(selectors.proposal_list(user=request.user).select_related("run__programme"), pk)
    return _proposal_page(request, proposal)


def _proposal_page(request, proposal, **forms):
    row = proposal_rows([proposal], user=request.user)[0]
    audit_list(request, object_type="child", ids=[proposal.child_id], region_code=proposal.child.village_id)
    context = {
        "proposal": proposal,
        "row": row,
        "approve_form": forms.get("approve_form") or ApproveForm(),
        "reject_form": forms.get("reject_form") or RejectForm(),
        "edit_form": forms.get("edit_form") or ProposalEditForm(user=request.user, proposal=proposal),
    }
    return render(request, "pairing/staff/proposal_detail.html", context, status=400 if forms else 200)


@region_staff_required
@require_POST
def proposal_approve(request, pk: int):
    proposal = _one(selectors.proposal_list(user=request.user), pk)
    form = ApproveForm(request.POST)
    if form.is_valid():
        try:
            proposal = services.proposal_approve(
                proposal=proposal, user=request.user, override_note=form.cleaned_data["override_note"]
            )
            if proposal.status == Proposal.Status.APPROVED:
                messages.success(request, _("已批准，结对已建立并短信告知爱心妈妈"))
            else:
                messages.success(request, _("已审批，等待上一级审批"))
            return redirect(_next_or(request, "pairing_staff:proposals"))
        except ServiceError as exc:
            form_error(form, exc)
    return _proposal_page(request, proposal, approve_form=form)


@region_staff_required
@require_POST
def proposal_reject(request, pk: int):
    proposal = _one(selectors.proposal_list(user=request.user), pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.proposal_reject(proposal=proposal, user=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("已驳回该结对建议"))
            return redirect("pairing_staff:proposals")
        except ServiceError as exc:
            form_error(form, exc)
    return _proposal_page(request, proposal, reject_form=form)


@region_staff_required
@require_POST
def proposal_edit(request, pk: int):
    proposal = _one(selectors.proposal_list(user=request.user).select_related("run__programme"), pk)
    form = ProposalEditForm(request.POST, user=request.user, proposal=proposal)
    if form.is_valid():
        try:
            services.proposal_edit(proposal=proposal, user=request.user, volunteer=form.cleaned_data["volunteer"])
            messages.success(
                request, _("已改为%(name)s，批准时将重新检查") % {"name": form.cleaned_data["volunteer"].name}
            )
            return redirect("pairing_staff:proposal", pk=proposal.pk)
        except ServiceError as exc:
            form_error(form, exc)
    return _proposal_page(request, proposal, edit_form=form)


@region_staff_required
@require_POST
def proposal_bulk_approve(request):
    """Approve the ticked proposals at the user's level, after a confirm page."""
    from backend.volunteers.staff.forms import SelectionForm

    waiting = selectors.proposal_list(user=request.user).filter(status=Proposal.Status.PROPOSED)
    form = SelectionForm(request.POST, allowed_ids=waiting.values_list("pk", flat=True))
    if not form.is_valid():
        messages.error(request, _("请先勾选待审批的结对建议"))
        return redirect("pairing_staff:proposals")
    chosen = list(waiting.filter(pk__in=form.cleaned_data["ids"]).order_by("id"))
    if not form.cleaned_data["confirmed"]:
        return render(
            request,
            "pairing/staff/proposal_bulk_confirm.html",
            {"rows": proposal_rows(chosen, user=request.user)},
        )
    result = services.proposals_approve_bulk(proposals=chosen, user=request.user)
    messages.success(request, _("已批准 %(n)d 条结对建议") % {"n": len(result["approved"])})
    names = {p.pk: p.child.given_name for p in chosen}
    for failure in result["failed"]:
        messages.warning(request, f"{names.get(failure['id'], '')}：{failure['error']}")
    return redirect("pairing_staff:proposals")


# --- pairings --------------------------------------------------------------------------------


def _pairings(request, form):
    qs = selectors.pairing_list(user=request.user).select_related("volunteer__village")
    return selectors.pairing_filter(qs, **form.filters())


@region_staff_required
@require_GET
def pairing_list(request):
    form = PairingFilterForm(request.GET or None, user=request.user)
    page = paginate(request, _pairings(request, form))
    rows = pairing_rows(page.object_list)
    audit_list(request, object_type="child", ids=[r["pairing"].child_id for r in rows], region_code="")
    return render(
        request,
        "pairing/staff/pairing_list.html",
        {"form": form, "page": page, "rows": rows, "query": query_without_page(request)},
    )


@region_staff_required
@require_GET
def pairing_export(request):
    form = PairingFilterForm(request.GET or None, user=request.user)
    rows = pairing_rows(_pairings(request, form))
    audit_list(request, object_type="child", ids=[r["pairing"].child_id for r in rows], region_code="", export=True)
    return workbook_response(
        title=_("结对"),
        headers=[
            _("儿童"),
            _("村（社区）"),
            _("爱心妈妈或小分队"),
            _("状态"),
            _("结对日期"),
            _("结束日期"),
            _("结束原因"),
        ],
        rows=(
            [
                r["child"],
                r["village"],
                r["helper"],
                r["status"],
                r["pairing"].started_on.isoformat(),
                r["pairing"].ended_on.isoformat() if r["pairing"].ended_on else "",
                r["end_reason"],
            ]
            for r in rows
        ),
        filename="pairings",
    )


@region_staff_required
@require_GET
def pairing_detail(request, pk: int):
    pairing = _one(selectors.pairing_list(user=request.user), pk)
    return _pairing_page(request, pairing)


def _pairing_page(request, pairing, end_form=None, status=200):
    audit_list(request, object_type="child", ids=[pairing.child_id], region_code=pairing.child.village_id)
    return render(
        request,
        "pairing/staff/pairing_detail.html",
        {"pairing": pairing, "row": pairing_rows([pairing])[0], "end_form": end_form or PairingEndForm()},
        status=status,
    )


def _pairing_step(request, pk: int, service, done: str):
    pairing = _one(selectors.pairing_list(user=request.user), pk)
    try:
        service(pairing=pairing, user=request.user)
        messages.success(request, done)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("pairing_staff:pairing", pk=pairing.pk)


@region_staff_required
@require_POST
def pairing_pause(request, pk: int):
    """Pause an active pairing (no reminders while paused)."""
    return _pairing_step(request, pk, services.pairing_pause, _("结对已暂停"))


@region_staff_required
@require_POST
def pairing_resume(request, pk: int):
    """Resume a paused pairing."""
    return _pairing_step(request, pk, services.pairing_resume, _("结对已恢复"))


@region_staff_required
@require_POST
def pairing_end(request, pk: int):
    """End a pairing with a reason, after a confirm page."""
    pairing = _one(selectors.pairing_list(user=request.user), pk)
    form = PairingEndForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        if request.POST.get("confirmed") != "1":
            return render(
                request,
                "pairing/staff/pairing_end_confirm.html",
                {
                    "pairing": pairing,
                    "row": pairing_rows([pairing])[0],
                    "data": data,
                    "reason_label": Pairing.EndReason(data["reason"]).label,
                },
            )
        try:
            services.pairing_end(
                pairing=pairing,
                user=request.user,
                reason=data["reason"],
                note=data["note"],
                do_not_pair_again=data["do_not_pair_again"],
            )
            messages.success(request, _("结对已结束"))
            return redirect("pairing_staff:pairing", pk=pairing.pk)
        except ServiceError as exc:
            form_error(form, exc)
    return _pairing_page(request, pairing, end_form=form, status=400)


@region_staff_required
@require_http_methods(["GET", "POST"])
def pairing_new(request):
    """Pair by hand; a pairing against the programme's checks needs an override note."""
    initial = {"child": request.GET.get("child")} if request.GET.get("child") else None
    form = PairingNewForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["programme"] is None or data["child"] is None:
            form.add_error("child" if data["child"] is None else "programme", _("请重新选择"))
        else:
            try:
                pairing = services.pairing_create(
                    programme=data["programme"],
                    child=data["child"],
                    user=request.user,
                    volunteer=data["volunteer"],
                    team=data["team"],
                    override_note=data["override_note"],
                )
                messages.success(request, _("结对已建立，已短信告知爱心妈妈"))
                return redirect("pairing_staff:pairing", pk=pairing.pk)
            except ServiceError as exc:
                form_error(form, exc)
    status = 400 if request.method == "POST" else 200
    return render(request, "pairing/staff/pairing_new.html", {"form": form}, status=status)
