"""The subsidy-claim process (算力补贴): a model team submits a claim, staff review it, an approver who did not
review it approves an amount within the year's budget, and the plan office records the payment.

Effects and checks are registered by `partners.services.subsidy_claims`; the permission rule is
`partners.permissions.can_fire_subsidy_claim` (the claimant's people, and staff with four eyes on approval).
"""

from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from ..enums import SubsidyClaimState as S
from .engine import AlreadyChanged, Process, Transition, register
from .roles import ADMINISTRATOR, APPLICANT, APPROVER, REVIEWER

STAFF = {REVIEWER, APPROVER, ADMINISTRATOR}
DECIDING = {APPROVER, ADMINISTRATOR}


def _t(source, action, target, roles, label, *, requires=(), style="primary"):
    return Transition(source, action, target, frozenset(roles), label, tuple(requires), f"subsidy_claim.{action}",
                      True, style, "subsidy_claim")


TRANSITIONS: tuple[Transition, ...] = (
    *(_t(state, "submit", S.SUBMITTED, {APPLICANT}, _("Submit the claim"))
      for state in (S.DRAFT, S.CHANGES_REQUESTED)),
    _t(S.SUBMITTED, "start_review", S.IN_REVIEW, STAFF, _("Start the review")),
    _t(S.IN_REVIEW, "request_changes", S.CHANGES_REQUESTED, STAFF, _("Ask for changes"), requires=("reason",),
       style="warning"),
    _t(S.IN_REVIEW, "approve", S.APPROVED, DECIDING, _("Approve an amount"), requires=("approved_amount",),
       style="success"),
    _t(S.IN_REVIEW, "reject", S.REJECTED, STAFF, _("Reject the claim"), requires=("reason",), style="danger"),
    _t(S.APPROVED, "pay", S.PAID, DECIDING, _("Record the payment"), requires=("payment_reference", "paid_on"),
       style="success"),
    *(_t(state, "withdraw", S.WITHDRAWN, {APPLICANT}, _("Withdraw the claim"), style="danger")
      for state in (S.DRAFT, S.CHANGES_REQUESTED)),
)

FIELD_LABELS = {"reason": _("a reason"), "approved_amount": _("the amount approved"),
                "payment_reference": _("the payment reference"), "paid_on": _("the date of payment")}


def _state_label(state):
    return S(state).label if state in S.values else state


def _locate(claim_id):
    from ..models import SubsidyClaim

    return SubsidyClaim.objects.select_for_update(of=("self",)).select_related("organization", "pairing", "rule").get(
        pk=claim_id)


def _permission(user, transition, claim):
    from ..permissions import can_fire_subsidy_claim

    return can_fire_subsidy_claim(user, transition, claim)


def _previous_state(claim):
    from ..models import AuditEvent

    return (AuditEvent.objects.filter(organization_id=claim.organization_id, action__startswith="subsidy_claim.",
                                      data__claim=claim.pk)
            .exclude(from_state="").order_by("-id").values_list("from_state", flat=True).first())


def _already_changed(claim, actor):
    return AlreadyChanged(_g("This subsidy claim was already changed: it is now “%(state)s”. Please reload.")
                          % {"state": _state_label(claim.state)})


PROCESS = register(Process(
    name="subsidy_claim",
    model_label="partners.SubsidyClaim",
    transitions=TRANSITIONS,
    initial=S.DRAFT,
    finals=tuple(S.final_states()),
    state_label=_state_label,
    field_labels=FIELD_LABELS,
    locate=_locate,
    permission=_permission,
    previous_state=_previous_state,
    already_changed=_already_changed,
))
