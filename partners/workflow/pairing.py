"""The pairing process (结对): one side proposes, the other accepts, the plan office confirms; staff then record
that the pairing formed a scenario application or a pilot case, the condition of a compute subsidy.

Effects and checks are registered by `partners.services.pairings`; the permission rule is
`partners.permissions.can_fire_pairing` (the proposer's and the counterpart's people, and staff).
"""

from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from ..enums import PairingState as P
from .engine import AlreadyChanged, Process, Transition, register
from .roles import ADMINISTRATOR, APPLICANT, APPROVER, REVIEWER

# Roles of the members' side: the proposer's people and the other side's people.
PROPOSER = "proposer"
COUNTERPART = "counterpart"
STAFF = {REVIEWER, APPROVER, ADMINISTRATOR}


def _t(source, action, target, roles, label, *, requires=(), style="primary"):
    return Transition(source, action, target, frozenset(roles), label, tuple(requires), f"pairing.{action}", True,
                      style, "pairing")


TRANSITIONS: tuple[Transition, ...] = (
    _t(P.PROPOSED, "accept", P.ACCEPTED, {COUNTERPART}, _("Accept the pairing"), style="success"),
    _t(P.PROPOSED, "decline", P.DECLINED, {COUNTERPART}, _("Decline the pairing"), requires=("reason",),
       style="danger"),
    *(_t(state, "withdraw", P.WITHDRAWN, {PROPOSER, COUNTERPART} if state == P.ACCEPTED else {PROPOSER},
         _("Withdraw the pairing"), style="danger") for state in (P.PROPOSED, P.ACCEPTED)),
    _t(P.ACCEPTED, "confirm", P.CONFIRMED, STAFF, _("Confirm the pairing"), style="success"),
    _t(P.ACCEPTED, "refuse", P.REFUSED, STAFF, _("Do not confirm"), requires=("reason",), style="danger"),
    _t(P.CONFIRMED, "mark_formed", P.FORMED, STAFF, _("Record the scenario application or pilot case formed"),
       requires=("outcome", "evidence"), style="success"),
    *(_t(state, "end", P.ENDED, STAFF, _("End the pairing"), requires=("reason",), style="secondary")
      for state in (P.CONFIRMED, P.FORMED)),
)

FIELD_LABELS = {"reason": _("a reason"), "outcome": _("what the pairing formed"),
                "evidence": _("the evidence")}
MEMBER_ROLES = {PROPOSER, COUNTERPART, APPLICANT}


def _state_label(state):
    return P(state).label if state in P.values else state


def _locate(pairing_id):
    from ..models import Pairing

    return Pairing.objects.select_for_update(of=("self",)).select_related(
        "application_partner", "model_partner", "compute_partner").get(pk=pairing_id)


def _permission(user, transition, pairing):
    from ..permissions import can_fire_pairing

    return can_fire_pairing(user, transition, pairing)


def _previous_state(pairing):
    from ..models import AuditEvent

    return (AuditEvent.objects.filter(action__startswith="pairing.", data__pairing=pairing.pk)
            .exclude(from_state="").order_by("-id").values_list("from_state", flat=True).first())


def _already_changed(pairing, actor):
    return AlreadyChanged(_g("This pairing was already changed: it is now “%(state)s”. Please reload.")
                          % {"state": _state_label(pairing.state)})


PROCESS = register(Process(
    name="pairing",
    model_label="partners.Pairing",
    transitions=TRANSITIONS,
    initial=P.PROPOSED,
    finals=(P.FORMED, *P.final_states()),
    state_label=_state_label,
    field_labels=FIELD_LABELS,
    locate=_locate,
    permission=_permission,
    previous_state=_previous_state,
    already_changed=_already_changed,
))
