"""Staff screens of pairings and the compute subsidy: the pairing queue and page, the claim queue (with the
year's budget and what remains) and page, the versioned rules, the budgets, and the reports with their export."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ..enums import PairingOutcome, PairingState, SubsidyClaimState
from ..models import Pairing, SubsidyClaim, SubsidyDocument, SubsidyRule
from ..permissions import can
from ..services import pairings as pairing_services
from ..services import subsidy_claims as claim_services
from ..services import subsidy_reports, subsidy_rules
from ..services.applications import ServiceError
from ..workflow import TransitionError, available_actions
from .process_documents import file_response
from .review_common import paginate, staff_view

STATUS = {"forbidden": 403, "four_eyes": 403, "conflict": 409, "duplicate": 409, "invalid_transition": 409,
          "over_budget": 409, "no_budget": 409, "required": 400}
DATE = forms.DateInput(attrs={"type": "date"})
WAITING = "waiting"


class PairingFilter(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[(WAITING, _("Waiting for staff")), ("", _("All")), *PairingState.choices])


class PairingDecisionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.ChoiceField(label=_("What the pairing formed"), required=False,
                                choices=[("", "—"), *[c for c in PairingOutcome.choices if c[0]]])
    evidence = forms.CharField(label=_("Evidence (document, notice or case reference)"), max_length=2000,
                               required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ClaimFilter(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[(WAITING, _("Waiting for staff")), ("", _("All")), *SubsidyClaimState.choices])
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)


class ClaimDecisionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    approved_amount = forms.CharField(label=_("Amount approved (yuan)"), max_length=30, required=False)
    payment_reference = forms.CharField(label=_("Payment reference"), max_length=60, required=False)
    paid_on = forms.DateField(label=_("Paid on"), required=False, widget=DATE)


class RuleForm(forms.Form):
    effective_from = forms.DateField(label=_("In force from"), widget=DATE)
    rate = forms.CharField(label=_("Subsidy rate"), max_length=10, initial="10%")
    max_share_of_contract = forms.CharField(label=_("Limit as a share of the contract"), max_length=10,
                                            initial="10%")
    cap_per_company_year = forms.CharField(label=_("Cap per company per year (yuan)"), max_length=30)
    eligible_from = forms.DateField(label=_("Contracts signed from"), widget=DATE)
    eligible_until = forms.DateField(label=_("Contracts signed until"), required=False, widget=DATE)
    note = forms.CharField(label=_("Basis of the rules"), max_length=500, required=False)


class BudgetForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    amount = forms.CharField(label=_("Budget (yuan)"), max_length=30)


def _bound(form_class, data, keys):
    bound = {k: data.get(k) for k in keys if data.get(k) is not None}
    return form_class(bound) if bound else form_class()


# --- Pairings ------------------------------------------------------------------------------------------------

@staff_view("pairing.queue")
def pairing_queue(request):
    form = _bound(PairingFilter, request.GET, ("state",))
    state = form.cleaned_data.get("state", WAITING) if form.is_bound and form.is_valid() else WAITING
    qs = Pairing.objects.select_related("application_partner", "model_partner").order_by("created_at", "pk")
    if state == WAITING:
        qs = qs.filter(state__in=[PairingState.ACCEPTED, PairingState.CONFIRMED])
    elif state:
        qs = qs.filter(state=state)
    return render(request, "partners/review/pairings.html", {"form": form, "page": paginate(request, qs),
                                                             "active": "pairings"})


def _pairing_context(request, pairing, **extra):
    ctx = {"pairing": pairing, "actions": available_actions(pairing, request.user), "form": PairingDecisionForm(),
           "milestones": pairing.milestones.select_related("reported_by_organization"),
           "claims": pairing.claims.order_by("-created_at"), "active": "pairings"}
    ctx.update(extra)
    return ctx


@staff_view("pairing.queue")
def pairing_detail(request, pk):
    pairing = get_object_or_404(Pairing.objects.select_related("application_partner", "model_partner",
                                                               "compute_partner"), pk=pk)
    return render(request, "partners/review/pairing.html", _pairing_context(request, pairing))


@require_POST
@staff_view("pairing.queue")
def pairing_act(request, pk, action):
    pairing = get_object_or_404(Pairing.objects.select_related("application_partner", "model_partner",
                                                               "compute_partner"), pk=pk)
    form = PairingDecisionForm(request.POST)
    if not form.is_valid():
        return render(request, "partners/review/pairing.html", _pairing_context(request, pairing, form=form),
                      status=400)
    inputs = {k: v for k, v in form.cleaned_data.items() if v}
    try:
        pairing_services.fire(request.user, pairing, action, expected_state=request.POST.get("expected_state") or None,
                              **inputs)
    except (TransitionError, ServiceError) as exc:
        messages.error(request, exc.message)
        pairing.refresh_from_db()
        return render(request, "partners/review/pairing.html", _pairing_context(request, pairing, form=form),
                      status=STATUS.get(exc.code, 400))
    messages.success(request, _g("Done."))
    return redirect("review:pairing", pk=pairing.pk)


# --- Subsidy claims ------------------------------------------------------------------------------------------

def _year():
    return timezone.localdate().year


@staff_view("subsidy.queue")
def claim_queue(request):
    form = _bound(ClaimFilter, request.GET, ("state", "year"))
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    state = data.get("state", WAITING) if form.is_bound else WAITING
    qs = (SubsidyClaim.objects.exclude(state=SubsidyClaimState.DRAFT)
          .select_related("organization", "pairing").order_by("submitted_at", "pk"))
    if state == WAITING:
        qs = qs.filter(state__in=[SubsidyClaimState.SUBMITTED, SubsidyClaimState.IN_REVIEW,
                                  SubsidyClaimState.APPROVED])
    elif state:
        qs = qs.filter(state=state)
    if data.get("year"):
        qs = qs.filter(year=data["year"])
    year = data.get("year") or _year()
    budget, spent, remaining = subsidy_rules.budget_of(year)
    return render(request, "partners/review/subsidy_claims.html", {
        "form": form, "page": paginate(request, qs), "year": year, "budget": budget, "spent": spent,
        "remaining": remaining, "active": "subsidy"})


def _claim_context(request, claim, **extra):
    budget, spent, remaining = subsidy_rules.budget_of(claim.year) if claim.year else (None, None, None)
    ctx = {"claim": claim, "pairing": claim.pairing, "documents": claim.documents.all(),
           "actions": available_actions(claim, request.user), "form": ClaimDecisionForm(
               initial={"approved_amount": claim.claimed_amount, "paid_on": timezone.localdate()}),
           "budget": budget, "spent": spent, "remaining": remaining, "active": "subsidy",
           "history": claim_history(claim)}
    ctx.update(extra)
    return ctx


def claim_history(claim):
    from ..labels import event_label
    from ..models import AuditEvent

    events = (AuditEvent.objects.filter(organization_id=claim.organization_id, action__startswith="subsidy_claim.",
                                        data__claim=claim.pk).select_related("actor").order_by("id")[:200])
    return [{"at": e.created_at, "who": e.who, "what": event_label(e.action),
             "reason": (e.data or {}).get("reason", "")} for e in events]


def _claim(pk):
    return get_object_or_404(SubsidyClaim.objects.select_related("organization", "pairing", "rule")
                             .exclude(state=SubsidyClaimState.DRAFT), pk=pk)


@staff_view("subsidy.queue")
def claim_detail(request, pk):
    claim = _claim(pk)
    return render(request, "partners/review/subsidy_claim.html", _claim_context(request, claim))


@require_POST
@staff_view("subsidy.queue")
def claim_act(request, pk, action):
    claim = _claim(pk)
    form = ClaimDecisionForm(request.POST)
    if not form.is_valid():
        return render(request, "partners/review/subsidy_claim.html", _claim_context(request, claim, form=form),
                      status=400)
    wanted = {"request_changes": ("reason",), "reject": ("reason",), "approve": ("approved_amount", "reason"),
              "pay": ("payment_reference", "paid_on")}.get(action, ())
    inputs = {k: form.cleaned_data[k] for k in wanted if form.cleaned_data.get(k) not in (None, "")}
    try:
        claim_services.fire(request.user, claim, action, expected_state=request.POST.get("expected_state") or None,
                            **inputs)
    except (TransitionError, ServiceError) as exc:
        messages.error(request, exc.message)
        claim.refresh_from_db()
        return render(request, "partners/review/subsidy_claim.html", _claim_context(request, claim, form=form),
                      status=STATUS.get(exc.code, 400))
    messages.success(request, _g("Done."))
    return redirect("review:subsidy_claim", pk=claim.pk)


@staff_view("subsidy.queue")
def claim_document(request, pk, document_id):
    return file_response(get_object_or_404(SubsidyDocument, pk=document_id, claim=_claim(pk)))


# --- Rules, budgets, reports ---------------------------------------------------------------------------------

@staff_view("subsidy.reports")
def rules_page(request):
    """The rules versions and the budgets; administrators add versions, approvers and administrators set budgets."""
    rule_form = RuleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        verdict = can(request.user, "subsidy.rules")
        if not verdict:
            raise PermissionDenied(verdict.reason)
        if rule_form.is_valid():
            try:
                subsidy_rules.add_rule(request.user, **rule_form.cleaned_data)
            except ServiceError as exc:
                rule_form.add_error(exc.field if exc.field in rule_form.fields else None, exc.message)
            else:
                messages.success(request, _g("The new version of the rules is saved."))
                return redirect("review:subsidy_rules")
    return _rules_render(request, rule_form=rule_form, status=400 if rule_form.errors else 200)


def _rules_render(request, *, rule_form=None, budget_form=None, status=200):
    today = timezone.localdate()
    years = sorted({_year(), *[row.extra["year"] for row in subsidy_reports.by_year()]}, reverse=True)
    budgets = [(y, *subsidy_rules.budget_of(y)) for y in years]
    return render(request, "partners/review/subsidy_rules.html", {
        "rules": SubsidyRule.objects.all(), "in_force": subsidy_rules.in_force(today),
        "rule_form": rule_form or RuleForm(), "budget_form": budget_form or BudgetForm(initial={"year": _year()}),
        "budgets": budgets, "may_edit_rules": can(request.user, "subsidy.rules").allowed,
        "may_set_budget": can(request.user, "subsidy.budget").allowed, "active": "subsidy"}, status=status)


@require_POST
@staff_view("subsidy.budget")
def budget_set(request):
    form = BudgetForm(request.POST)
    if form.is_valid():
        try:
            subsidy_rules.set_budget(request.user, form.cleaned_data["year"], form.cleaned_data["amount"])
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _g("The budget is saved."))
            return redirect("review:subsidy_rules")
    return _rules_render(request, budget_form=form, status=400)


def _report_year(request):
    raw = (request.GET.get("year") or "").strip()
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return None


@staff_view("subsidy.reports")
def reports(request):
    year = _report_year(request)
    return render(request, "partners/review/subsidy_reports.html", {
        "year": year, "plan": subsidy_reports.plan_totals(year), "years": subsidy_reports.by_year(),
        "companies": subsidy_reports.by_company(year)[:500], "providers": subsidy_reports.by_provider(year)[:500],
        "districts": subsidy_reports.by_district(year), "states": [
            (SubsidyClaimState(s).label, n) for s, n in subsidy_reports.claims_per_state(year).items()],
        "active": "subsidy"})


@staff_view("subsidy.reports")
def reports_export(request):
    year = _report_year(request)
    response = HttpResponse(subsidy_reports.export_xlsx(year),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="subsidy-{year or "all"}.xlsx"'
    return response
