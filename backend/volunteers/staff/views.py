"""The workspace's applications and volunteers pages: form -> one service or selector -> render."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backend.ops.errors import ServiceError
from backend.volunteers import selectors, services
from backend.volunteers.models import Volunteer
from backend.volunteers.staff.access import region_staff_required
from backend.volunteers.staff.forms import (
    ApplicationFilterForm,
    DecisionForm,
    SelectionForm,
    VolunteerFilterForm,
    VolunteerMessageForm,
    VolunteerStatusForm,
    chinese_choices,
)
from backend.volunteers.staff.pages import audit_list, form_error, paginate, query_without_page, workbook_response
from backend.volunteers.staff.rows import application_rows, decision_rows, status_change_rows, volunteer_rows

# --- applications ----------------------------------------------------------------------


@region_staff_required
@require_GET
def application_list(request):
    """List the region's applications, waiting first, with filters kept in the query string."""
    form = ApplicationFilterForm(request.GET or None, user=request.user)
    page = paginate(request, selectors.application_queue(user=request.user, **form.filters()))
    return render(
        request,
        "volunteers/staff/application_list.html",
        {
            "form": form,
            "page": page,
            "rows": application_rows(page.object_list),
            "query": query_without_page(request),
            "waiting": selectors.application_list(user=request.user, status="pending").count(),
        },
    )


@region_staff_required
@require_GET
def application_export(request):
    """Download the filtered list (all pages) of the user's region as Excel; audited."""
    form = ApplicationFilterForm(request.GET or None, user=request.user)
    qs = selectors.application_queue(user=request.user, **form.filters())
    rows = application_rows(qs)
    audit_list(
        request,
        object_type="application",
        ids=[r["application"].pk for r in rows],
        region_code=request.user.home_region_id or "",
        export=True,
    )
    headers = [_("报名编号"), _("姓名"), _("居住村（社区）"), _("爱心单位"), _("专业特长"), _("状态"), _("筛查清单")]
    headers += [_("提交时间"), _("提示")]
    return workbook_response(
        title=_("报名申请"),
        headers=headers,
        rows=(
            [
                r["application"].reference,
                r["application"].name,
                r["village"],
                r["unit"],
                r["skills"],
                r["status"],
                _("已完成") if r["checklist_complete"] else _("未完成"),
                timezone.localtime(r["application"].created_at).strftime("%Y-%m-%d %H:%M"),
                "、".join(str(f) for f in r["flags"]),
            ]
            for r in rows
        ),
        filename="applications",
    )


@region_staff_required
@require_http_methods(["GET", "POST"])
def application_review(request, pk: int):
    """Tick the screening checklist and take a decision: approve, reject or ask for more."""
    application = selectors.application_get(user=request.user, pk=pk)
    if application is None:
        raise Http404
    services.screening_items_ensure(programme=application.programme)
    checklist = selectors.screening_checklist(application=application)
    form = DecisionForm(request.POST or None, user=request.user, application=application, checklist=checklist)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["action"]:
                services.application_decide(
                    application=application,
                    by=request.user,
                    action=form.cleaned_data["action"],
                    reason=form.cleaned_data["reason"],
                    team=form.team_object(),
                    checks=form.checks(),
                )
                messages.success(request, _("已记录审核决定：%(ref)s") % {"ref": application.reference})
                return redirect("applications_staff:list")
            services.screening_checks_save(application=application, by=request.user, checks=form.checks())
            messages.success(request, _("筛查清单已保存"))
            return redirect("applications_staff:review", pk=application.pk)
        except ServiceError as exc:
            form_error(form, exc)
    return render(
        request,
        "volunteers/staff/application_review.html",
        {
            "application": application,
            "row": application_rows([application])[0],
            "form": form,
            "duplicates": selectors.application_duplicates(application=application)[:10],
            "decisions": decision_rows(application.decisions.all()),
        },
        status=400 if request.method == "POST" else 200,
    )


@region_staff_required
@require_POST
def application_bulk_approve(request):
    """Approve the ticked applications whose checklist is complete, after a confirm page."""
    candidates = selectors.application_queue(user=request.user, status="pending")
    form = SelectionForm(request.POST, allowed_ids=candidates.values_list("pk", flat=True))
    if not form.is_valid():
        messages.error(request, _("请先勾选待审核的报名"))
        return redirect("applications_staff:list")
    chosen = list(candidates.filter(pk__in=form.cleaned_data["ids"]))
    if not form.cleaned_data["confirmed"]:
        return render(
            request,
            "volunteers/staff/application_bulk_confirm.html",
            {
                "ready": [a for a in chosen if a.checklist_complete],
                "not_ready": [a for a in chosen if not a.checklist_complete],
            },
        )
    result = services.applications_approve_bulk(applications=chosen, by=request.user)
    messages.success(request, _("已批量通过 %(n)d 份报名") % {"n": len(result["approved"])})
    for skipped in result["skipped"]:
        messages.warning(request, f"{skipped['reference']} {skipped['name']}：{skipped['error']}")
    return redirect("applications_staff:list")


# --- volunteers ------------------------------------------------------------------------


def _volunteer_or_404(request, pk: int) -> Volunteer:
    volunteer = selectors.volunteer_get(user=request.user, pk=pk)
    if volunteer is None:
        raise Http404
    return volunteer


@region_staff_required
@require_GET
def volunteer_list(request):
    """List the region's volunteers with their load, filtered."""
    form = VolunteerFilterForm(request.GET or None, user=request.user)
    qs = selectors.volunteer_annotate_load(selectors.volunteer_list(user=request.user, **form.filters()))
    page = paginate(request, qs.order_by("village_id", "name", "id"))
    return render(
        request,
        "volunteers/staff/volunteer_list.html",
        {"form": form, "page": page, "rows": volunteer_rows(page.object_list), "query": query_without_page(request)},
    )


@region_staff_required
@require_GET
def volunteer_export(request):
    form = VolunteerFilterForm(request.GET or None, user=request.user)
    qs = selectors.volunteer_annotate_load(selectors.volunteer_list(user=request.user, **form.filters()))
    rows = volunteer_rows(qs.order_by("village_id", "name", "id"))
    audit_list(
        request,
        object_type="volunteer",
        ids=[r["volunteer"].pk for r in rows],
        region_code=request.user.home_region_id or "",
        export=True,
    )
    return workbook_response(
        title=_("爱心妈妈"),
        headers=[
            _("姓名"),
            _("居住村（社区）"),
            _("爱心单位"),
            _("关爱小分队"),
            _("专业特长"),
            _("结对/可结对"),
            _("状态"),
        ],
        rows=(
            [
                r["volunteer"].name,
                r["village"],
                r["unit"],
                r["team"],
                r["skills"],
                f"{r['volunteer'].load}/{r['volunteer'].capacity}",
                r["status"],
            ]
            for r in rows
        ),
        filename="volunteers",
    )


@region_staff_required
@require_GET
def volunteer_profile(request, pk: int):
    """Show a volunteer: her children, check-ins, load, team, unit, status and its history."""
    volunteer = _volunteer_or_404(request, pk)
    profile = selectors.volunteer_profile(user=request.user, volunteer=volunteer)
    volunteer.load = profile["load"]
    child_ids = [p.child_id for p in profile["current_pairings"] + profile["past_pairings"]]
    audit_list(
        request,
        object_type="child",
        ids=child_ids,
        region_code=volunteer.village_id,
        detail=f"volunteer profile {volunteer.pk}",
    )
    return render(
        request,
        "volunteers/staff/volunteer_profile.html",
        {
            **profile,
            "row": volunteer_rows([volunteer])[0],
            "status_changes": status_change_rows(profile["status_changes"]),
            "status_form": VolunteerStatusForm(volunteer=volunteer)
            if volunteer.status != Volunteer.Status.ENDED
            else None,
            "message_form": VolunteerMessageForm(volunteer=volunteer, user=request.user)
            if volunteer.status != Volunteer.Status.ENDED
            else None,
            "sent": selectors.volunteer_messages(volunteer=volunteer)[:10],
        },
    )


@region_staff_required
@require_POST
def volunteer_status(request, pk: int):
    """Suspend, end (after a confirm page) or reinstate a volunteer."""
    volunteer = _volunteer_or_404(request, pk)
    form = VolunteerStatusForm(request.POST, volunteer=volunteer)
    if form.is_valid():
        data = form.cleaned_data
        if data["status"] == Volunteer.Status.ENDED and request.POST.get("confirmed") != "1":
            return render(
                request,
                "volunteers/staff/volunteer_exit_confirm.html",
                {
                    "volunteer": volunteer,
                    "data": data,
                    "reason_label": dict(chinese_choices(Volunteer.ExitReason.choices)).get(data["reason"], ""),
                    "pairings": selectors.volunteer_profile(user=request.user, volunteer=volunteer)["current_pairings"],
                },
            )
        try:
            services.volunteer_status_change(
                volunteer=volunteer, by=request.user, status=data["status"], reason=data["reason"], note=data["note"]
            )
            messages.success(request, _("状态已变更，已短信告知她"))
            return redirect("volunteers_staff:profile", pk=volunteer.pk)
        except ServiceError as exc:
            form_error(form, exc)
    return render(request, "volunteers/staff/volunteer_status.html", {"volunteer": volunteer, "form": form})


@region_staff_required
@require_POST
def volunteer_message(request, pk: int):
    """Send her one of the staff's message templates through the outbox."""
    volunteer = _volunteer_or_404(request, pk)
    form = VolunteerMessageForm(request.POST, volunteer=volunteer, user=request.user)
    if form.is_valid():
        try:
            services.volunteer_message_send(
                volunteer=volunteer, by=request.user, template=form.cleaned_data["template"]
            )
            messages.success(request, _("消息已放入发件箱，将尽快发出"))
            return redirect("volunteers_staff:profile", pk=volunteer.pk)
        except ServiceError as exc:
            form_error(form, exc)
    return render(request, "volunteers/staff/volunteer_message.html", {"volunteer": volunteer, "form": form})
