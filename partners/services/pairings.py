"""Pairing use cases: propose a pairing, report its milestones, list the standing ones, and the effects of the
pairing process's transitions (fired through the workflow engine)."""

from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _g

from ..enums import MembershipState, PairingOutcome, PairingSide, PairingState, PartnerType
from ..models import MembershipGrant, Organization, Pairing, PairingMilestone
from ..permissions import acts_for, can, unless_suspended
from ..workflow import engine
from ..workflow.pairing import PROCESS
from .applications import ServiceError, require
from .audit import log_event

TEXT_LIMIT = 2000
ROLE_OF_SIDE = {PairingSide.APPLICATION: PartnerType.APPLICATION, PairingSide.MODEL: PartnerType.MODEL}


def public() -> bool:
    """Whether standing pairings are shown on the members' public pages (PAIRINGS_PUBLIC)."""
    return bool(getattr(settings, "PAIRINGS_PUBLIC", True))


def _text(value, label, limit, *, required=False):
    value = (value or "").strip()
    if required and not value:
        raise ServiceError(_g("Enter %(what)s.") % {"what": label})
    if len(value) > limit:
        raise ServiceError(_g("%(what)s can have at most %(n)d characters.") % {"what": label, "n": limit})
    return value


def holds_type(organization, partner_type) -> bool:
    """Whether the organisation is an active member granted this partner type today."""
    if organization is None:
        return False
    today = timezone.localdate()
    return MembershipGrant.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today), membership__organization=organization,
        membership__state=MembershipState.ACTIVE, partner_type=partner_type).exists()


def _require_member(organization, partner_type, field):
    if not holds_type(organization, partner_type):
        raise ServiceError(_g("%(org)s is not an active member of the plan as a %(type)s.")
                           % {"org": organization, "type": PartnerType(partner_type).label}, field=field)


def propose(user, organization, *, side, partner, scenario, model_title, starts_on, expected_outcome="",
            compute_partner=None):
    """`organization` (acted for by `user`) proposes a pairing to `partner`; `side` is the proposer's side.

    Every party must be a member holding the partner type of its part: the user unit an application partner,
    the model team a model partner, the optional provider a compute partner."""
    require(can(user, "pairing.propose", organization))
    if side not in PairingSide.values:
        raise ServiceError(_g("Choose which side your organisation is."), field="side")
    if partner is None or partner.pk == organization.pk:
        raise ServiceError(_g("Choose the other organisation of the pairing."), field="partner")
    scenario = _text(scenario, _g("the scenario"), 200, required=True)
    model_title = _text(model_title, _g("the model"), 200, required=True)
    expected_outcome = _text(expected_outcome, _g("the expected outcome"), 1000)
    if not isinstance(starts_on, date):
        raise ServiceError(_g("Enter the start date."), field="starts_on")
    application_partner, model_partner = ((organization, partner) if side == PairingSide.APPLICATION
                                          else (partner, organization))
    _require_member(application_partner, PartnerType.APPLICATION, "partner" if side == PairingSide.MODEL else "side")
    _require_member(model_partner, PartnerType.MODEL, "partner" if side == PairingSide.APPLICATION else "side")
    if compute_partner is not None:
        _require_member(compute_partner, PartnerType.COMPUTE, "compute_partner")
    try:
        with transaction.atomic():
            pairing = Pairing.objects.create(
                application_partner=application_partner, model_partner=model_partner, compute_partner=compute_partner,
                proposed_by_side=side, scenario=scenario, model_title=model_title, starts_on=starts_on,
                expected_outcome=expected_outcome, state_changed_at=timezone.now())
            log_event("pairing.proposed", actor=user, organization=application_partner, to_state=PairingState.PROPOSED,
                      data=_data(pairing), visible_to_applicant=True)
            from .notifications import notify_pairing_proposed

            notify_pairing_proposed(pairing)
    except IntegrityError:
        raise ServiceError(_g("These two organisations already have a pairing for this scenario."),
                           code="duplicate", field="scenario") from None
    return pairing


def _data(pairing):
    return {"pairing": pairing.pk, "application_partner": pairing.application_partner_id,
            "model_partner": pairing.model_partner_id, "compute_partner": pairing.compute_partner_id}


def report_milestone(user, pairing, *, reached_on, title, note=""):
    """Either side of a standing pairing reports its progress."""
    organization = next((org for org in (pairing.application_partner, pairing.model_partner)
                         if acts_for(user, org)), None)
    if organization is None:
        raise ServiceError(_g("Only people acting for the paired organisations can do this."), code="forbidden")
    require(unless_suspended(organization))
    if not isinstance(reached_on, date):
        raise ServiceError(_g("Enter the date the milestone was reached."), field="reached_on")
    title = _text(title, _g("the milestone"), 200, required=True)
    note = _text(note, _g("the details"), TEXT_LIMIT)
    with transaction.atomic():
        pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
        if not pairing.is_standing:
            raise ServiceError(_g("Progress is reported once the plan office has confirmed the pairing."),
                               code="conflict")
        milestone = PairingMilestone.objects.create(pairing=pairing, reached_on=reached_on, title=title, note=note,
                                                    reported_by_organization=organization)
        log_event("pairing.milestone_reported", actor=user, organization=pairing.application_partner,
                  data={**_data(pairing), "milestone": milestone.pk, "title": title}, visible_to_applicant=True)
    return milestone


def fire(user, pairing, action, **inputs):
    """Fire a pairing action for a person (portal, staff pages and API all come here)."""
    for name, limit in (("reason", TEXT_LIMIT), ("evidence", TEXT_LIMIT)):
        if name in inputs:
            inputs[name] = _text(inputs[name], PROCESS.field_label(name), limit)
    return engine.fire("pairing", pairing.pk, action, engine.Actor(user=user), **inputs)


def of_organization(organization):
    """Every pairing the organisation is part of, newest first."""
    return (Pairing.objects.filter(Q(application_partner=organization) | Q(model_partner=organization)
                                   | Q(compute_partner=organization))
            .select_related("application_partner", "model_partner", "compute_partner"))


def public_of(organization):
    """The standing pairings shown on the organisation's public member page ([] when not public)."""
    if not public():
        return []
    # The pairings alone first: most organisations have none, and a six-table join cost more to plan than to run.
    rows = list(Pairing.objects.filter(Q(application_partner=organization) | Q(model_partner=organization)
                                       | Q(compute_partner=organization),
                                       state__in=PairingState.confirmed_states())
                .order_by("-confirmed_at", "-pk")[:100])
    if rows:
        ids = {p.application_partner_id for p in rows} | {p.model_partner_id for p in rows} | {
            p.compute_partner_id for p in rows if p.compute_partner_id}
        partners = Organization.objects.select_related("membership").in_bulk(ids)
        for p in rows:
            p.application_partner, p.model_partner = partners[p.application_partner_id], partners[p.model_partner_id]
            if p.compute_partner_id:
                p.compute_partner = partners[p.compute_partner_id]
    return rows


def members_for_choice(*partner_types):
    """Organisations that may take a part in a pairing: active members holding one of the partner types."""
    today = timezone.localdate()
    grants = MembershipGrant.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today),
                                            membership__state=MembershipState.ACTIVE,
                                            partner_type__in=partner_types)
    return Organization.objects.filter(pk__in=grants.values("membership__organization_id")).order_by("name")


# --- Checks and effects of the pairing process --------------------------------------------------------------

@PROCESS.check("confirm")
def _check_members(pairing, actor, inputs):
    # Membership can lapse between proposal and confirmation.
    for organization, partner_type in ((pairing.application_partner, PartnerType.APPLICATION),
                                       (pairing.model_partner, PartnerType.MODEL),
                                       (pairing.compute_partner, PartnerType.COMPUTE)):
        if organization is not None and not holds_type(organization, partner_type):
            raise engine.TransitionError(
                _g("%(org)s is not an active member of the plan as a %(type)s.")
                % {"org": organization, "type": PartnerType(partner_type).label}, code="not_member")


@PROCESS.check("mark_formed")
def _check_outcome(pairing, actor, inputs):
    if inputs.get("outcome") not in (PairingOutcome.SCENARIO_APPLICATION, PairingOutcome.PILOT_CASE):
        raise engine.MissingInput(_g("Choose whether it formed a scenario application or a pilot case."), "outcome")


def _with_reason(pairing, actor, inputs):
    pairing.reason = inputs.get("reason", "") or ""
    return {**_data(pairing), "reason": pairing.reason}


for _action in ("decline", "refuse", "end"):
    PROCESS.effect(_action)(_with_reason)


@PROCESS.effect("accept")
def _on_accept(pairing, actor, inputs):
    return _data(pairing)


@PROCESS.effect("withdraw")
def _on_withdraw(pairing, actor, inputs):
    return _data(pairing)


@PROCESS.effect("confirm")
def _on_confirm(pairing, actor, inputs):
    pairing.confirmed_at = timezone.now()
    return _data(pairing)


@PROCESS.effect("mark_formed")
def _on_formed(pairing, actor, inputs):
    pairing.outcome = inputs["outcome"]
    pairing.outcome_evidence = inputs["evidence"]
    pairing.outcome_recorded_on = timezone.localdate()
    return {**_data(pairing), "outcome": pairing.outcome, "evidence": pairing.outcome_evidence}


def record_pairing_transition(pairing, transition, actor, inputs, data, source):
    """The audit event and the outbox rows of a pairing transition."""
    from .notifications import notify_pairing

    log_event(transition.code, actor=actor, organization=pairing.application_partner, from_state=source,
              to_state=transition.target, data={"action": transition.action, **_data(pairing), **data},
              visible_to_applicant=transition.visible_to_applicant)
    notify_pairing(pairing, transition, actor)
