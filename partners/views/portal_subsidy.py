"""Portal pages of pairings and compute subsidy claims: propose and answer pairings, report milestones, draft a
claim with its documents and submit it; every state change goes through the workflow engine."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ..enums import PairingSide, PartnerType, SubsidyDocumentKind
from ..models import OrganizationMember, Pairing, SubsidyClaim, SubsidyDocument
from ..permissions import acts_for
from ..services import pairings as pairing_services
from ..services import subsidy_claims as claim_services
from ..services import subsidy_rules
from ..services.applications import ServiceError
from ..workflow import TransitionError, available_actions
from .process_documents import ProcessDocuments

STATUS = {"forbidden": 403, "four_eyes": 403, "conflict": 409, "duplicate": 409, "invalid_transition": 409,
          "cap_reached": 409, "required": 400}
DATE = forms.DateInput(attrs={"type": "date"})


class ProposalForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Your organisation"), queryset=None)
    side = forms.ChoiceField(label=_("Your organisation's side"), choices=PairingSide.choices)
    partner = forms.ModelChoiceField(label=_("The other side (a member of the plan)"), queryset=None)
    compute_partner = forms.ModelChoiceField(label=_("Compute partner (optional)"), queryset=None, required=False)
    scenario = forms.CharField(label=_("Scenario"), max_length=200)
    model_title = forms.CharField(label=_("Model"), max_length=200)
    starts_on = forms.DateField(label=_("Start date"), widget=DATE)
    expected_outcome = forms.CharField(label=_("Expected outcome"), max_length=1000, required=False,
                                       widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from ..models import Organization

        self.fields["organization"].queryset = Organization.objects.filter(
            memberships_of_people__user=user).order_by("name")
        self.fields["partner"].queryset = pairing_services.members_for_choice(PartnerType.APPLICATION,
                                                                               PartnerType.MODEL)
        self.fields["compute_partner"].queryset = pairing_services.members_for_choice(PartnerType.COMPUTE)


class MilestoneForm(forms.Form):
    reached_on = forms.DateField(label=_("Reached on"), widget=DATE)
    title = forms.CharField(label=_("Milestone"), max_length=200)
    note = forms.CharField(label=_("Details"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ClaimForm(forms.Form):
    provider_title = forms.CharField(label=_("Compute provider"), max_length=200)
    provider_credit_code = forms.CharField(label=_("Provider's unified social credit code"), max_length=40)
    contract_number = forms.CharField(label=_("Contract number"), max_length=60)
    contract_signed_on = forms.DateField(label=_("Contract signed on"), widget=DATE)
    service_starts_on = forms.DateField(label=_("Service starts on"), widget=DATE)
    service_ends_on = forms.DateField(label=_("Service ends on"), widget=DATE)
    contract_amount = forms.CharField(label=_("Contract value (yuan)"), max_length=30)
    invoiced_amount = forms.CharField(label=_("Compute spend invoiced (yuan)"), max_length=30)
    compute_delivered = forms.CharField(label=_("Compute delivered"), max_length=500,
                                        help_text=_("e.g. accelerator type and card-months"))


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=SubsidyDocumentKind.choices)
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"))


def _my_pairing(user, pk):
    """A pairing of one of the person's organisations; any other answers 404."""
    pairing = get_object_or_404(Pairing.objects.select_related("application_partner", "model_partner",
                                                               "compute_partner"), pk=pk)
    if not any(acts_for(user, o) for o in (pairing.application_partner, pairing.model_partner,
                                            pairing.compute_partner) if o is not None):
        raise Http404
    return pairing


def _my_claim(user, pk):
    claim = get_object_or_404(SubsidyClaim.objects.select_related("organization", "pairing", "rule"), pk=pk)
    if not acts_for(user, claim.organization):
        raise Http404
    return claim


def _service_error_to_form(form, exc):
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@login_required
def pairing_list(request):
    mine = OrganizationMember.objects.filter(user=request.user).values("organization_id")
    rows = (Pairing.objects.filter(Q(application_partner__in=mine) | Q(model_partner__in=mine)
                                   | Q(compute_partner__in=mine))
            .select_related("application_partner", "model_partner").order_by("-created_at")[:200])
    form = ProposalForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            pairing = pairing_services.propose(request.user, data.pop("organization"), **data)
        except ServiceError as exc:
            _service_error_to_form(form, exc)
        else:
            messages.success(request, _g("The pairing is proposed; the other side is asked to accept it."))
            return redirect("portal:pairing", pk=pairing.pk)
    return render(request, "partners/portal/pairings.html", {"pairings": rows, "form": form},
                  status=400 if form.errors else 200)


def _pairing_context(request, pairing, **extra):
    claims = SubsidyClaim.objects.none()
    if acts_for(request.user, pairing.model_partner):
        claims = pairing.claims.order_by("-created_at")
    ctx = {"pairing": pairing, "actions": available_actions(pairing, request.user), "reason_form": ReasonForm(),
           "milestones": pairing.milestones.select_related("reported_by_organization"),
           "milestone_form": MilestoneForm(), "claims": claims,
           "may_claim": pairing.is_standing and acts_for(request.user, pairing.model_partner),
           "claim_form": ClaimForm(), "may_report": pairing.is_standing and any(
               acts_for(request.user, o) for o in (pairing.application_partner, pairing.model_partner))}
    ctx.update(extra)
    return ctx


@login_required
def pairing_detail(request, pk):
    pairing = _my_pairing(request.user, pk)
    if request.method == "POST":
        form = MilestoneForm(request.POST)
        if form.is_valid():
            try:
                pairing_services.report_milestone(request.user, pairing, **form.cleaned_data)
            except ServiceError as exc:
                _service_error_to_form(form, exc)
            else:
                messages.success(request, _g("The milestone is recorded."))
                return redirect("portal:pairing", pk=pairing.pk)
        return render(request, "partners/portal/pairing.html", _pairing_context(request, pairing, milestone_form=form),
                      status=400)
    return render(request, "partners/portal/pairing.html", _pairing_context(request, pairing))


@login_required
@require_POST
def pairing_action(request, pk, action):
    pairing = _my_pairing(request.user, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        pairing_services.fire(request.user, pairing, action, reason=reason,
                              expected_state=request.POST.get("expected_state") or None)
    except (TransitionError, ServiceError) as exc:
        messages.error(request, exc.message)
        pairing.refresh_from_db()
        return render(request, "partners/portal/pairing.html", _pairing_context(request, pairing),
                      status=STATUS.get(exc.code, 400))
    messages.success(request, _g("Done."))
    return redirect("portal:pairing", pk=pairing.pk)


@login_required
@require_POST
def claim_new(request, pk):
    pairing = _my_pairing(request.user, pk)
    form = ClaimForm(request.POST)
    if form.is_valid():
        try:
            claim = claim_services.create_claim(request.user, pairing, form.cleaned_data)
        except ServiceError as exc:
            _service_error_to_form(form, exc)
            status = STATUS.get(exc.code, 400)
        else:
            messages.success(request, _g("The claim is drafted. Upload the contract, the invoices and the proof of "
                                         "delivery, then submit it."))
            return redirect("portal:subsidy_claim", pk=claim.pk)
    else:
        status = 400
    return render(request, "partners/portal/pairing.html", _pairing_context(request, pairing, claim_form=form),
                  status=status)


def _claim_context(request, claim, **extra):
    editable = claim.state in claim_services.EDITABLE
    ctx = {"claim": claim, "pairing": claim.pairing, "documents": claim.documents.all(), "editable": editable,
           "actions": available_actions(claim, request.user), "document_form": DocumentForm(),
           "missing": claim_services.missing(claim) if editable else [],
           "preview": subsidy_rules.preview(claim) if editable else None,
           "form": ClaimForm(initial={name: getattr(claim, name) for name in claim_services.FIELDS})}
    ctx.update(extra)
    return ctx


@login_required
def claim_detail(request, pk):
    claim = _my_claim(request.user, pk)
    if request.method == "POST":
        form = ClaimForm(request.POST)
        if form.is_valid():
            try:
                claim_services.update_claim(request.user, claim, form.cleaned_data)
            except ServiceError as exc:
                _service_error_to_form(form, exc)
            else:
                messages.success(request, _g("Saved."))
                return redirect("portal:subsidy_claim", pk=claim.pk)
        return render(request, "partners/portal/subsidy_claim.html", _claim_context(request, claim, form=form),
                      status=400)
    return render(request, "partners/portal/subsidy_claim.html", _claim_context(request, claim))


DOCUMENTS = ProcessDocuments(
    owned=_my_claim, document_model=SubsidyDocument, owner_field="claim", form_class=DocumentForm,
    add_document=claim_services.add_document, delete_document=claim_services.delete_document,
    page="portal:subsidy_claim", template="partners/portal/subsidy_claim.html", context=_claim_context)
claim_document_add, claim_document, claim_document_delete = DOCUMENTS.views()


@login_required
@require_POST
def claim_action(request, pk, action):
    claim = _my_claim(request.user, pk)
    try:
        claim_services.fire(request.user, claim, action, expected_state=request.POST.get("expected_state") or None)
    except (TransitionError, ServiceError) as exc:
        messages.error(request, exc.message)
        claim.refresh_from_db()
        return render(request, "partners/portal/subsidy_claim.html", _claim_context(request, claim),
                      status=STATUS.get(exc.code, 400))
    if action == "submit":
        messages.success(request, _g("The claim is submitted; the plan office reviews it and tells you of its "
                                     "decision."))
    else:
        messages.success(request, _g("Done."))
    return redirect("portal:subsidy_claim", pk=claim.pk)
