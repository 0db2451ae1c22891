"""The pilot-case process: a member submits a case, staff review it and publish it on the showcase or return it.

Effects and the audit recorder are registered by `partners.services.cases`.
"""

from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from ..enums import CaseState as C
from .engine import AlreadyChanged, Process, Transition, register
from .roles import ADMINISTRATOR, APPLICANT, APPROVER, REVIEWER


def _t(source, action, target, roles, label, *, requires=(), style="primary"):
    return Transition(source, action, target, frozenset(roles), label, tuple(requires), f"case.{action}", True,
                      style, "case")


STAFF = {REVIEWER, APPROVER, ADMINISTRATOR}

TRANSITIONS: tuple[Transition, ...] = (
    _t(C.DRAFT, "submit", C.SUBMITTED, {APPLICANT}, _("Submit the case")),
    _t(C.RETURNED, "resubmit", C.SUBMITTED, {APPLICANT}, _("Resubmit the case")),
    _t(C.SUBMITTED, "start_review", C.IN_REVIEW, STAFF, _("Start the review")),
    _t(C.IN_REVIEW, "publish", C.PUBLISHED, STAFF, _("Publish on the showcase"), style="success"),
    _t(C.IN_REVIEW, "return", C.RETURNED, STAFF, _("Return for changes"), requires=("reason",), style="warning"),
)

FIELD_LABELS = {"reason": _("what to change")}


def _state_label(state):
    return C(state).label if state in C.values else state


def _locate(case_id):
    from ..models import Case

    return Case.objects.select_for_update(of=("self",)).select_related("organization").get(pk=case_id)


def _permission(user, transition, case):
    from ..permissions import can_fire_case

    return can_fire_case(user, transition, case)


def _previous_state(case):
    from ..models import AuditEvent

    return (AuditEvent.objects.filter(organization_id=case.organization_id, action__startswith="case.",
                                      data__case=case.pk).exclude(from_state="").order_by("-id")
            .values_list("from_state", flat=True).first())


def _already_changed(case, actor):
    return AlreadyChanged(_g("This case was already changed: it is now “%(state)s”. Please reload.")
                          % {"state": _state_label(case.state)})


PROCESS = register(Process(
    name="case",
    model_label="partners.Case",
    transitions=TRANSITIONS,
    initial=C.DRAFT,
    finals=tuple(C.final_states()),
    state_label=_state_label,
    field_labels=FIELD_LABELS,
    locate=_locate,
    permission=_permission,
    previous_state=_previous_state,
    already_changed=_already_changed,
))
