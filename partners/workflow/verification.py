"""The organisation-verification process: a claim (or a dispute) is prepared, submitted, and decided by staff.

A claim ends verified or refused; with four eyes on (VERIFICATION_FOUR_EYES) one staff member checks it
(`recommend`) and another verifies it. A dispute ("the current owner is wrong") ends with the ownership
transferred, kept, or the organisation's access suspended. Effects and checks are registered by
`partners.services.verification`.
"""

from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from ..enums import VerificationState as V
from .engine import AlreadyChanged, Process, Transition, register
from .roles import ADMINISTRATOR, APPLICANT, APPROVER, REVIEWER


def _t(source, action, target, roles, label, *, requires=(), visible=True, style="primary"):
    return Transition(source, action, target, frozenset(roles), label, tuple(requires), f"verification.{action}",
                      visible, style, "verification")


STAFF = {REVIEWER, APPROVER, ADMINISTRATOR}
DECIDING = {APPROVER, ADMINISTRATOR}
UNDECIDED = [V.PENDING, V.RECOMMENDED]
# A suspension is not the end of a dispute: once both sides have been heard, the office transfers or keeps,
# and either lifts the suspension.
RESOLVABLE = [*UNDECIDED, V.SUSPENDED]

TRANSITIONS: tuple[Transition, ...] = (
    _t(V.DRAFT, "submit", V.PENDING, {APPLICANT}, _("Send for verification")),
    _t(V.PENDING, "recommend", V.RECOMMENDED, STAFF, _("Documents checked: pass to a second check")),
    *(_t(state, "verify", V.VERIFIED, STAFF, _("Verify"), style="success") for state in UNDECIDED),
    *(_t(state, "refuse", V.REFUSED, STAFF, _("Refuse"), requires=("reason",), style="danger")
      for state in UNDECIDED),
    *(_t(state, "transfer", V.TRANSFERRED, DECIDING, _("Transfer ownership to the claimant"), requires=("reason",),
         style="warning") for state in RESOLVABLE),
    *(_t(state, "keep", V.KEPT, DECIDING, _("Keep the current owner"), requires=("reason",), style="secondary")
      for state in RESOLVABLE),
    *(_t(state, "suspend", V.SUSPENDED, DECIDING, _("Suspend the organisation's access"), requires=("reason",),
         style="danger") for state in UNDECIDED),
    *(_t(state, "withdraw", V.WITHDRAWN, {APPLICANT}, _("Withdraw"), style="danger")
      for state in (V.DRAFT, V.PENDING)),
)

# Which decisions fit which kind of case: a claim is verified or refused, a dispute is resolved.
CLAIM_ACTIONS = {"submit", "recommend", "verify", "refuse", "withdraw"}
DISPUTE_ACTIONS = {"submit", "recommend", "transfer", "keep", "suspend", "withdraw"}

FIELD_LABELS = {"reason": _("a reason")}


def _state_label(state):
    return V(state).label if state in V.values else state


def _locate(case_id):
    from ..models import VerificationCase

    return VerificationCase.objects.select_for_update(of=("self",)).select_related("organization", "claimant").get(
        pk=case_id)


def _permission(user, transition, case):
    from ..permissions import can_fire_verification

    return can_fire_verification(user, transition, case)


def _events(case):
    from ..models import AuditEvent

    return AuditEvent.objects.filter(organization_id=case.organization_id, action__startswith="verification.",
                                     data__case=case.pk)


def _previous_state(case):
    return _events(case).exclude(from_state="").order_by("-id").values_list("from_state", flat=True).first()


def _already_changed(case, actor):
    return AlreadyChanged(_g("This verification case was already changed: it is now “%(state)s”. Please reload.")
                          % {"state": _state_label(case.state)})


PROCESS = register(Process(
    name="verification",
    model_label="partners.VerificationCase",
    transitions=TRANSITIONS,
    initial=V.DRAFT,
    finals=tuple(V.final_states()),
    state_label=_state_label,
    field_labels=FIELD_LABELS,
    locate=_locate,
    permission=_permission,
    previous_state=_previous_state,
    already_changed=_already_changed,
))
