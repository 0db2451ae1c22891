"""Subsidy-claim use cases: a model team drafts a claim within a pairing that formed a scenario application or
pilot case, attaches its contract, invoices and proof of delivery, and the effects and checks of the
subsidy-claim process (the amount computed at submission; four eyes and the year's budget on approval)."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _g

from ..enums import PairingState, SubsidyClaimState, SubsidyDocumentKind
from ..models import Organization, SubsidyBudget, SubsidyClaim, SubsidyDocument
from ..permissions import acts_for, can
from ..validators import credit_code_errors, normalize_credit_code
from ..workflow import engine
from ..workflow.subsidy_claim import PROCESS
from . import subsidy_rules
from .applications import ServiceError, require
from .audit import log_event
from .uploads import checked_with_digest, clean_name

MAX_DOCUMENTS = 20
REQUIRED_DOCUMENTS = (SubsidyDocumentKind.CONTRACT, SubsidyDocumentKind.INVOICE, SubsidyDocumentKind.DELIVERY)
EDITABLE = (SubsidyClaimState.DRAFT, SubsidyClaimState.CHANGES_REQUESTED)
TEXT_LIMIT = 2000
FIELDS = ("provider_title", "provider_credit_code", "contract_number", "contract_signed_on", "service_starts_on",
          "service_ends_on", "contract_amount", "invoiced_amount", "compute_delivered")


def _text(value, label, limit, *, required=True):
    value = (value or "").strip() if isinstance(value, str) else ""
    if required and not value:
        raise ServiceError(_g("Enter %(what)s.") % {"what": label})
    if len(value) > limit:
        raise ServiceError(_g("%(what)s can have at most %(n)d characters.") % {"what": label, "n": limit})
    return value


def clean_facts(facts: dict) -> dict:
    """The contract's facts, parsed and bounded; raises ServiceError naming the field."""
    out = {}
    labels = {"provider_title": (_g("the compute provider"), 200), "contract_number": (_g("the contract number"), 60),
              "compute_delivered": (_g("the compute delivered"), 500)}
    for name, (label, limit) in labels.items():
        try:
            out[name] = _text(facts.get(name), label, limit)
        except ServiceError as exc:
            exc.field = name
            raise
    raw = facts.get("provider_credit_code")
    code = normalize_credit_code(raw[:40]) if isinstance(raw, str) else ""
    errors = credit_code_errors(code)
    if errors:
        raise ServiceError(str(errors[0]), field="provider_credit_code")
    out["provider_credit_code"] = code
    for name, label in (("contract_signed_on", _g("the date the contract was signed")),
                        ("service_starts_on", _g("the start of the service")),
                        ("service_ends_on", _g("the end of the service"))):
        if not isinstance(facts.get(name), date):
            raise ServiceError(_g("Enter %(what)s.") % {"what": label}, field=name)
        out[name] = facts[name]
    if out["service_ends_on"] < out["service_starts_on"]:
        raise ServiceError(_g("The service ends before it starts."), field="service_ends_on")
    for name, label, zero in (("contract_amount", _g("The contract value"), False),
                              ("invoiced_amount", _g("The compute spend invoiced"), True)):
        try:
            out[name] = subsidy_rules.parse_money(facts.get(name), label, allow_zero=zero)
        except ServiceError as exc:
            exc.field = name
            raise
    return out


def _require_claimant(user, claim, *, editable=True):
    if not acts_for(user, claim.organization):
        raise ServiceError(_g("You do not act for this organisation."), code="forbidden")
    require(can(user, "subsidy.claim", claim.organization))
    if editable and claim.state not in EDITABLE:
        raise ServiceError(_g("The claim can only be changed as a draft or when changes were requested."),
                           code="conflict")


def create_claim(user, pairing, facts: dict):
    """A draft claim of the pairing's model team for one compute contract."""
    organization = pairing.model_partner
    require(can(user, "subsidy.claim", organization))
    if pairing.state not in PairingState.confirmed_states():
        raise ServiceError(_g("Subsidies are claimed within a pairing the plan office confirmed."), code="conflict")
    data = clean_facts(facts)
    with transaction.atomic():
        claim = SubsidyClaim.objects.create(organization=organization, pairing=pairing, created_by=user,
                                            state_changed_at=timezone.now(), **data)
        log_event("subsidy_claim.created", actor=user, organization=organization, to_state=SubsidyClaimState.DRAFT,
                  data={"claim": claim.pk, "pairing": pairing.pk, "contract_number": claim.contract_number},
                  visible_to_applicant=True)
    return claim


def update_claim(user, claim, facts: dict):
    data = clean_facts(facts)
    with transaction.atomic():
        claim = SubsidyClaim.objects.select_for_update().select_related("organization").get(pk=claim.pk)
        _require_claimant(user, claim)
        for name, value in data.items():
            setattr(claim, name, value)
        claim.save(update_fields=list(data))
        log_event("subsidy_claim.draft_saved", actor=user, organization=claim.organization,
                  data={"claim": claim.pk}, visible_to_applicant=True)
    return claim


def add_document(user, claim, uploaded, kind):
    """Store a document of the claim through the same checks as every upload (type sniffed, file parsed)."""
    if kind not in SubsidyDocumentKind.values:
        raise ServiceError(_g("Unknown kind of document."), field="kind")
    content_type, sha256 = checked_with_digest(uploaded)
    with transaction.atomic():
        claim = SubsidyClaim.objects.select_for_update().select_related("organization").get(pk=claim.pk)
        _require_claimant(user, claim)
        if claim.documents.count() >= MAX_DOCUMENTS:
            raise ServiceError(_g("A claim can have at most %(n)d documents; delete one first.") % {"n": MAX_DOCUMENTS},
                               code="too_many", field="file")
        document = SubsidyDocument(claim=claim, kind=kind, original_name=clean_name(uploaded.name),
                                   content_type=content_type, size=uploaded.size, sha256=sha256, uploaded_by=user)
        document.file.save("upload", uploaded, save=False)
        document.save()
        log_event("subsidy_claim.document_added", actor=user, organization=claim.organization,
                  data={"claim": claim.pk, "document": document.pk, "kind": kind, "sha256": sha256},
                  visible_to_applicant=True)
    return document


def delete_document(user, document):
    with transaction.atomic():
        claim = SubsidyClaim.objects.select_for_update().select_related("organization").get(pk=document.claim_id)
        _require_claimant(user, claim)
        stored = document.file.name
        pk = document.pk
        document.delete()
        log_event("subsidy_claim.document_removed", actor=user, organization=claim.organization,
                  data={"claim": claim.pk, "document": pk}, visible_to_applicant=True)
        storage = SubsidyDocument._meta.get_field("file").storage
        transaction.on_commit(lambda: storage.delete(stored))


def missing(claim) -> list[str]:
    """What the claimant must still provide before submitting."""
    kinds = set(claim.documents.values_list("kind", flat=True))
    labels = {SubsidyDocumentKind.CONTRACT: _g("Upload the compute contract."),
              SubsidyDocumentKind.INVOICE: _g("Upload the invoices."),
              SubsidyDocumentKind.DELIVERY: _g("Upload the proof that the compute was delivered.")}
    result = [labels[k] for k in REQUIRED_DOCUMENTS if k not in kinds]
    if claim.pairing.state != PairingState.FORMED:
        result.append(_g("The pairing must first have formed a scenario application or a pilot case, as recorded "
                         "by the plan office."))
    return result


def fire(user, claim, action, **inputs):
    """Fire a subsidy-claim action for a person (portal, staff pages and API all come here)."""
    if "reason" in inputs:
        inputs["reason"] = _text(inputs["reason"], _g("The reason"), TEXT_LIMIT, required=False)
    if inputs.get("approved_amount") not in (None, ""):
        inputs["approved_amount"] = subsidy_rules.parse_money(inputs["approved_amount"], _g("The amount approved"))
    if "payment_reference" in inputs:
        inputs["payment_reference"] = _text(inputs["payment_reference"], _g("the payment reference"), 60,
                                            required=False)
    if inputs.get("paid_on") not in (None, "") and not isinstance(inputs["paid_on"], date):
        raise ServiceError(_g("Enter the date of payment."), field="paid_on")
    try:
        return engine.fire("subsidy_claim", claim.pk, action, engine.Actor(user=user), **inputs)
    except IntegrityError:
        # Another submission of the same contract committed first (the unique index decided the race).
        raise engine.TransitionError(_g("A claim for this contract was already submitted: one claim per contract."),
                                     code="duplicate") from None


# --- Checks and effects of the subsidy-claim process --------------------------------------------------------

def _refuse(message, code, field=None):
    err = engine.TransitionError(message, code=code)
    if field:
        err.errors = {field: [message]}
    return err


@PROCESS.check("submit")
def _check_submission(claim, actor, inputs):
    gaps = missing(claim)
    if gaps:
        err = engine.TransitionError(gaps[0], code="incomplete")
        err.errors = {"claim": gaps}
        raise err
    # The company's submissions are taken one at a time: its cap and its contracts are judged on committed rows.
    Organization.objects.select_for_update().filter(pk=claim.organization_id).first()
    day = timezone.localdate(claim.first_submitted_at) if claim.first_submitted_at else timezone.localdate()
    rule = claim.rule or subsidy_rules.in_force(day)
    if rule is None:
        raise _refuse(_g("No subsidy rules are in force yet; claims cannot be submitted."), "no_rules")
    same_contract = SubsidyClaim.objects.filter(
        provider_credit_code=claim.provider_credit_code, contract_number=claim.contract_number,
        state__in=SubsidyClaimState.counted_states()).exclude(pk=claim.pk)
    if same_contract.exists():
        raise _refuse(_g("A claim for this contract was already submitted: one claim per contract."), "duplicate",
                      "contract_number")
    year = claim.year or day.year
    result = subsidy_rules.compute(
        subsidy_rules.Terms.of(rule), contract_amount=claim.contract_amount, invoiced_amount=claim.invoiced_amount,
        contract_signed_on=claim.contract_signed_on,
        already_this_year=subsidy_rules.claimed_this_year(claim.organization_id, year, exclude_claim=claim.pk))
    if not result.eligible:
        raise _refuse(_g("The contract was not signed within the eligible period of the rules in force."),
                      "not_eligible", "contract_signed_on")
    if result.amount <= 0 and result.cap_remaining <= 0:
        raise _refuse(_g("The company's subsidy cap for %(year)d is used up.") % {"year": year}, "cap_reached")
    if result.amount <= 0:
        raise _refuse(_g("The rules give no subsidy for this contract: check the compute spend invoiced."),
                      "nothing_to_claim", "invoiced_amount")
    inputs["_rule"], inputs["_year"], inputs["_computation"] = rule, year, result


@PROCESS.effect("submit")
def _on_submit(claim, actor, inputs):
    now = timezone.now()
    claim.first_submitted_at = claim.first_submitted_at or now
    claim.submitted_at = now
    claim.rule = inputs["_rule"]
    claim.year = inputs["_year"]
    result = inputs["_computation"]
    claim.claimed_amount = result.amount
    claim.computation = {**result.as_data(), "rule": claim.rule_id,
                         "rule_effective_from": claim.rule.effective_from.isoformat(), "year": claim.year}
    claim.reason = ""
    return {"claim": claim.pk, "claimed_amount": str(claim.claimed_amount), "year": claim.year,
            "rule": claim.rule_id, "limited_by": result.limited_by}


@PROCESS.effect("start_review")
def _on_review(claim, actor, inputs):
    claim.reviewed_by = actor.user
    return {"claim": claim.pk}


@PROCESS.effect("request_changes")
def _on_changes(claim, actor, inputs):
    claim.reason = inputs["reason"]
    return {"claim": claim.pk, "reason": claim.reason}


@PROCESS.check("approve")
def _check_approval(claim, actor, inputs):
    amount = inputs["approved_amount"]
    if amount > claim.claimed_amount:
        raise _refuse(_g("The amount approved cannot exceed the amount computed for the claim (%(amount)s yuan).")
                      % {"amount": claim.claimed_amount}, "too_much", "approved_amount")
    # The year's budget row is locked: concurrent approvals are judged one after the other.
    budget = SubsidyBudget.objects.select_for_update().filter(year=claim.year).first()
    if budget is None:
        raise _refuse(_g("No subsidy budget is set for %(year)d; set it before approving.") % {"year": claim.year},
                      "no_budget")
    remaining = budget.amount - subsidy_rules.committed(claim.year)
    if amount > remaining:
        raise _refuse(_g("Approving %(amount)s yuan would exceed the %(year)d budget: %(remaining)s yuan remain.")
                      % {"amount": amount, "year": claim.year, "remaining": remaining}, "over_budget",
                      "approved_amount")


@PROCESS.effect("approve")
def _on_approve(claim, actor, inputs):
    claim.approved_amount = inputs["approved_amount"]
    claim.approved_by = actor.user
    claim.reason = inputs.get("reason", "") or ""
    return {"claim": claim.pk, "approved_amount": str(claim.approved_amount), "year": claim.year}


@PROCESS.effect("reject")
def _on_reject(claim, actor, inputs):
    claim.reason = inputs["reason"]
    return {"claim": claim.pk, "reason": claim.reason}


@PROCESS.check("pay")
def _check_payment(claim, actor, inputs):
    if not isinstance(inputs.get("paid_on"), date):
        raise engine.MissingInput(_g("Enter the date of payment."), "paid_on")
    if inputs["paid_on"] > timezone.localdate():
        raise _refuse(_g("The date of payment cannot be in the future."), "invalid", "paid_on")


@PROCESS.effect("pay")
def _on_pay(claim, actor, inputs):
    claim.payment_reference = inputs["payment_reference"]
    claim.paid_on = inputs["paid_on"]
    return {"claim": claim.pk, "approved_amount": str(claim.approved_amount),
            "payment_reference": claim.payment_reference, "paid_on": claim.paid_on.isoformat()}


@PROCESS.effect("withdraw")
def _on_withdraw(claim, actor, inputs):
    return {"claim": claim.pk}


def record_subsidy_claim_transition(claim, transition, actor, inputs, data, source):
    """The audit event (in the organisation's history) and the outbox rows of a subsidy-claim transition."""
    from .notifications import notify_subsidy_claim

    log_event(transition.code, actor=actor, organization=claim.organization, from_state=source,
              to_state=transition.target, data={"action": transition.action, "claim": claim.pk, **data},
              visible_to_applicant=transition.visible_to_applicant)
    notify_subsidy_claim(claim, transition, actor)
