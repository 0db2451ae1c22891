"""The expert-review process: an assigned expert declares a conflict of interest (none, or a reason), then scores
the application and submits the scores; staff may remove an assignment before it is submitted.

Effects and checks are registered by `partners.services.panel`.
"""

from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from ..enums import ExpertAssignmentState as E
from .engine import AlreadyChanged, Process, Transition, register
from .roles import ADMINISTRATOR, EXPERT, REVIEWER


def _t(source, action, target, roles, label, *, requires=(), style="primary"):
    return Transition(source, action, target, frozenset(roles), label, tuple(requires), f"panel.{action}",
                      False, style, "panel")


TRANSITIONS: tuple[Transition, ...] = (
    _t(E.ASSIGNED, "declare_none", E.SCORING, {EXPERT}, _("I have no conflict of interest")),
    _t(E.ASSIGNED, "declare_conflict", E.CONFLICT, {EXPERT}, _("Declare a conflict of interest"),
       requires=("reason",), style="warning"),
    _t(E.SCORING, "submit_scores", E.SUBMITTED, {EXPERT}, _("Submit the scores"), style="success"),
    *(_t(state, "remove", E.REMOVED, {REVIEWER, ADMINISTRATOR}, _("Remove the assignment"), style="danger")
      for state in (E.ASSIGNED, E.SCORING)),
)

FIELD_LABELS = {"reason": _("a reason")}


def _state_label(state):
    return E(state).label if state in E.values else state


def _locate(assignment_id):
    from ..models import ExpertAssignment

    return ExpertAssignment.objects.select_for_update(of=("self",)).select_related(
        "application", "application__organization", "expert").get(pk=assignment_id)


def _permission(user, transition, assignment):
    from ..permissions import can_fire_panel

    return can_fire_panel(user, transition, assignment)


def _already_changed(assignment, actor):
    return AlreadyChanged(_g("This review was already changed: it is now “%(state)s”. Please reload.")
                          % {"state": _state_label(assignment.state)})


PROCESS = register(Process(
    name="panel",
    model_label="partners.ExpertAssignment",
    transitions=TRANSITIONS,
    initial=E.ASSIGNED,
    finals=tuple(E.final_states()),
    state_label=_state_label,
    field_labels=FIELD_LABELS,
    locate=_locate,
    permission=_permission,
    already_changed=_already_changed,
))
