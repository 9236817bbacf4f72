"""The service record in the workspace: a volunteer's ledger, 补录 and its approval, honours, certificates, export."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backend.audit.models import AuditEvent
from backend.audit.services import audit_record
from backend.children.selectors import can_reveal_id_number
from backend.ops.errors import ServiceError
from backend.records import selectors, services
from backend.records.certificate_pdf import certificate_pdf
from backend.records.exports import national_headers, national_rows
from backend.records.models import Certificate, ServiceEntry
from backend.records.staff import forms
from backend.regions.models import Region
from backend.volunteers.selectors import volunteer_get
from backend.volunteers.staff.access import region_staff_required
from backend.volunteers.staff.forms import SelectionForm
from backend.volunteers.staff.pages import audit_list, form_error, paginate, query_without_page, workbook_response
from backend.workspace.forms import form_add_service_errors


def _volunteer_or_404(request, pk: int):
    volunteer = volunteer_get(user=request.user, pk=pk)
    if volunteer is None:
        raise Http404
    return volunteer


def _certificate_or_404(request, pk: int) -> Certificate:
    certificate = selectors.certificate_get(user=request.user, pk=pk)
    if certificate is None:
        raise Http404
    return certificate


@region_staff_required
@require_GET
def home(request):
    """The record's to-do: pending entries (with bulk approval), nominations and certificate requests."""
    pending = selectors.entry_list(user=request.user, status=ServiceEntry.Status.PENDING)
    page = paginate(request, pending)
    return render(
        request,
        "records/staff/home.html",
        {
            "page": page,
            "query": query_without_page(request),
            "nominations": selectors.nominations_to_decide(user=request.user)[:20],
            "requests": selectors.certificate_list(user=request.user, status=Certificate.Status.REQUESTED)[:20],
            "export_form": forms.ExportForm(),
        },
    )


def _ledger_context(request, volunteer, **forms_given) -> dict:
    today = timezone.localdate()
    context = {
        "volunteer": volunteer,
        "summary": selectors.record_summary(volunteer=volunteer, today=today),
        "entries": selectors.entry_list(user=request.user, volunteer=volunteer)[:100],
        "trainings": selectors.trainings_of(volunteer=volunteer),
        "evaluations": selectors.evaluations_of(volunteer=volunteer),
        "nominations": volunteer.nominations.select_related("awarding_region", "current_region").order_by("-year"),
        "certificates": selectors.certificate_list(user=request.user).filter(volunteer=volunteer),
        "supplement_form": forms.SupplementForm(),
        "training_form": forms.TrainingForm(),
        "evaluation_form": forms.EvaluationForm(),
        "period_form": forms.PeriodForm(),
        "nomination_form": None,
        "decision_form": forms.DecisionForm(),
    }
    if request.user.is_superuser or len(request.user.home_region_id or "") in (6, 9):
        context["nomination_form"] = forms.NominationForm(user=request.user, volunteer=volunteer)
    context.update(forms_given)
    return context


@region_staff_required
@require_GET
def ledger(request, pk: int):
    """Her service record: figures, entries, trainings, honours, evaluations, certificates, and the forms."""
    volunteer = _volunteer_or_404(request, pk)
    return render(request, "records/staff/ledger.html", _ledger_context(request, volunteer))


def _ledger_post(request, pk: int, form_class, key: str, act, done: str):
    """Validate a ledger form, call the service; on an error show the ledger with it beside its field."""
    volunteer = _volunteer_or_404(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(volunteer, form)
            messages.success(request, done)
            return redirect("records_staff:ledger", pk=volunteer.pk)
        except ServiceError as exc:
            form_error(form, exc)
    return render(request, "records/staff/ledger.html", _ledger_context(request, volunteer, **{key: form}), status=400)


@region_staff_required
@require_POST
def supplement(request, pk: int):
    def act(volunteer, form):
        services.service_entry_supplement(by=request.user, volunteer=volunteer, **form.cleaned_data)

    return _ledger_post(
        request, pk, forms.SupplementForm, "supplement_form", act, _("补录已提交，等待另一位工作人员审核")
    )


@region_staff_required
@require_POST
def training(request, pk: int):
    def act(volunteer, form):
        services.training_record(by=request.user, volunteer=volunteer, **form.cleaned_data)

    return _ledger_post(request, pk, forms.TrainingForm, "training_form", act, _("培训记录已保存"))


@region_staff_required
@require_POST
def evaluation(request, pk: int):
    def act(volunteer, form):
        services.evaluation_record(by=request.user, volunteer=volunteer, **form.cleaned_data)

    return _ledger_post(request, pk, forms.EvaluationForm, "evaluation_form", act, _("年度评价已保存"))


@region_staff_required
@require_POST
def certificate_issue(request, pk: int):
    def act(volunteer, form):
        services.certificate_issue(by=request.user, volunteer=volunteer, **form.cleaned_data)

    return _ledger_post(request, pk, forms.PeriodForm, "period_form", act, _("证明已出具，公示7天后生效"))


@region_staff_required
@require_POST
def nominate(request, pk: int):
    volunteer = _volunteer_or_404(request, pk)
    form = forms.NominationForm(request.POST, user=request.user, volunteer=volunteer)
    if form.is_valid():
        try:
            data = dict(form.cleaned_data)
            data.pop("awarding_region")
            services.nomination_raise(by=request.user, volunteer=volunteer, awarding_region=form.region(), **data)
            messages.success(request, _("推荐已提交"))
            return redirect("records_staff:ledger", pk=volunteer.pk)
        except ServiceError as exc:
            form_error(form, exc)
    context = _ledger_context(request, volunteer, nomination_form=form)
    return render(request, "records/staff/ledger.html", context, status=400)


@region_staff_required
@require_POST
def entry_decide(request, pk: int):
    """Approve or reject one pending entry."""
    entry = selectors.entry_get(user=request.user, pk=pk)
    if entry is None:
        raise Http404
    form = forms.DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.service_entry_decide(entry=entry, by=request.user, **form.cleaned_data)
            messages.success(request, _("已审核"))
        except ServiceError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("请选择审核结果"))
    return redirect("records_staff:ledger", pk=entry.volunteer_id)


@region_staff_required
@require_POST
def entries_bulk_approve(request):
    """Approve the ticked pending entries after a confirm page."""
    candidates = selectors.entry_list(user=request.user, status=ServiceEntry.Status.PENDING)
    form = SelectionForm(request.POST, allowed_ids=candidates.values_list("pk", flat=True))
    if not form.is_valid():
        messages.error(request, _("请先勾选待审核的记录"))
        return redirect("records_staff:home")
    chosen = list(candidates.filter(pk__in=form.cleaned_data["ids"]))
    if not form.cleaned_data["confirmed"]:
        return render(request, "records/staff/bulk_confirm.html", {"chosen": chosen})
    result = services.service_entries_approve_bulk(by=request.user, entry_ids=[e.pk for e in chosen])
    messages.success(request, _("已批量通过 %(n)d 条记录") % {"n": len(result["approved"])})
    for skipped in result["skipped"]:
        e = skipped["entry"]
        messages.warning(request, f"{e.volunteer.name} {e.served_on:%m月%d日}：{skipped['error']}")
    return redirect("records_staff:home")


@region_staff_required
@require_GET
def nomination_list(request):
    """The nominations of the region, and those the user's level decides."""
    today = timezone.localdate()
    page = paginate(request, selectors.nomination_list(user=request.user))
    rows = [
        {
            "n": n,
            "criteria": selectors.honour_criteria(volunteer=n.volunteer, today=today),
            "mine": _decides(request, n),
        }
        for n in page.object_list
    ]
    return render(
        request,
        "records/staff/nominations.html",
        {"page": page, "rows": rows, "query": query_without_page(request), "form": forms.DecisionForm()},
    )


def _decides(request, nomination) -> bool:
    user = request.user
    return nomination.status == "in_review" and (
        user.is_superuser or user.home_region_id == nomination.current_region_id
    )


@region_staff_required
@require_POST
def nomination_decide(request, pk: int):
    nomination = selectors.nomination_get(user=request.user, pk=pk)
    if nomination is None:
        raise Http404
    form = forms.DecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(_("请选择审核结果"), field="approve")
        services.nomination_decide(
            nomination=nomination, by=request.user, approve=form.cleaned_data["approve"], note=form.cleaned_data["note"]
        )
        messages.success(request, _("已记录审核意见"))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("records_staff:nominations")


@region_staff_required
@require_GET
def certificate_list(request):
    page = paginate(request, selectors.certificate_list(user=request.user, status=request.GET.get("status") or None))
    return render(
        request,
        "records/staff/certificates.html",
        {
            "page": page,
            "query": query_without_page(request),
            "today": timezone.localdate(),
            "statuses": Certificate.Status.choices,
        },
    )


@region_staff_required
@require_GET
def certificate_detail(request, pk: int):
    certificate = _certificate_or_404(request, pk)
    return render(
        request,
        "records/staff/certificate.html",
        {
            "c": certificate,
            "today": timezone.localdate(),
            "reason_form": forms.ReasonForm(),
            "decision_form": forms.DecisionForm(),
        },
    )


@region_staff_required
@require_POST
def certificate_revoke(request, pk: int):
    certificate = _certificate_or_404(request, pk)
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.certificate_revoke(certificate=certificate, by=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("证明已撤销"))
            return redirect("records_staff:certificate", pk=certificate.pk)
        except ServiceError as exc:
            form_error(form, exc)
    context = {
        "c": certificate,
        "today": timezone.localdate(),
        "reason_form": form,
        "decision_form": forms.DecisionForm(),
    }
    return render(request, "records/staff/certificate.html", context, status=400)


@region_staff_required
@require_POST
def certificate_decide(request, pk: int):
    certificate = _certificate_or_404(request, pk)
    form = forms.DecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(_("请选择审核结果"), field="approve")
        services.certificate_decide(
            certificate=certificate,
            by=request.user,
            approve=form.cleaned_data["approve"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("已处理证明申请"))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("records_staff:certificate", pk=certificate.pk)


def pdf_response(request, certificate: Certificate, *, full_id: bool) -> HttpResponse:
    """Return the final PDF (audited), or a page saying when it can be had."""
    today = timezone.localdate()
    if not certificate.is_final(today):
        return render(request, "records/not_final.html", {"c": certificate, "today": today}, status=409)
    pdf = certificate_pdf(certificate, full_id=full_id, today=today)
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        object_type="volunteer",
        object_ids=[certificate.volunteer_id],
        region_code=certificate.volunteer.village_id,
        request=request,
        detail=f"certificate {certificate.number}",
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.number}.pdf"'
    return response


@region_staff_required
@require_GET
def certificate_download(request, pk: int):
    certificate = _certificate_or_404(request, pk)
    return pdf_response(request, certificate, full_id=can_reveal_id_number(request.user))


@region_staff_required
@require_GET
def export(request):
    """Download the region's approved entries in the national system's fields; audited."""
    form = forms.ExportForm(request.GET or None)
    start = end = None
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    entries = list(
        selectors.export_entries(user=request.user, start=start, end=end).select_related("volunteer__programme")
    )
    audit_list(
        request,
        object_type="volunteer",
        ids=sorted({e.volunteer_id for e in entries}),
        export=True,
        detail="service records (national format)",
    )
    return workbook_response(
        title=_("志愿服务记录"),
        headers=national_headers(),
        rows=national_rows(entries, user=request.user),
        filename="service-records",
    )


@region_staff_required
@require_http_methods(["GET", "POST"])
def issuer_settings(request):
    """Her federation's issuing details (出具单位): name, responsible person, handler, contact, seal."""
    if request.user.is_superuser or not request.user.home_region_id:
        raise Http404
    issuer = services.issuer_for(region=Region.objects.get(code=request.user.home_region_id))
    initial = {f: getattr(issuer, f) for f in ("name", "responsible_person", "handler", "contact")}
    form = forms.IssuerForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.issuer_update(by=request.user, **form.cleaned_data)
        except ServiceError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("出具单位信息已保存，新出具的证明将使用这些信息"))
            return redirect("records_staff:issuer")
    return render(
        request,
        "records/staff/issuer.html",
        {"form": form, "issuer": issuer},
        status=400 if request.method == "POST" else 200,
    )
