"""The application process: its table of transitions and how the engine locks and checks an application.

Each row says: in state S, action A leads to state T; who may fire it; what it requires. Effects and checks
(completeness, four eyes) are registered by the services (applications, review, membership); the audit
event and the notifications are recorded by the services too (see `partners.services.register_workflow`).
"""

from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from ..enums import ApplicationState as S
from .engine import Process, Transition, register
from .roles import ADMINISTRATOR, APPLICANT, APPROVER, REVIEWER, SYSTEM


def _t(source, action, target, roles, label, *, requires=(), audit="", visible=True, style="primary"):
    return Transition(source, action, target, frozenset(roles), label, tuple(requires), audit, visible, style,
                      "application")


OPEN_BEFORE_DECISION = [S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.CHANGES_REQUESTED, S.FINAL_REVIEW]

TRANSITIONS: tuple[Transition, ...] = (
    _t(S.DRAFT, "submit", S.SUBMITTED, {APPLICANT}, _("Submit"), audit="application.submitted"),
    _t(S.SUBMITTED, "start_review", S.IN_REVIEW, {REVIEWER, ADMINISTRATOR}, _("Start first review"),
       audit="application.review_started"),
    _t(S.IN_REVIEW, "request_changes", S.CHANGES_REQUESTED, {REVIEWER, ADMINISTRATOR}, _("Request changes"),
       requires=("message", "points"), audit="application.changes_requested", style="warning"),
    _t(S.CHANGES_REQUESTED, "resubmit", S.IN_REVIEW, {APPLICANT}, _("Resubmit"),
       audit="application.resubmitted"),
    _t(S.IN_REVIEW, "pass_to_final", S.FINAL_REVIEW, {REVIEWER, ADMINISTRATOR}, _("Pass to final review"),
       requires=("recommendations",), audit="application.passed_to_final"),
    _t(S.IN_REVIEW, "reject", S.REJECTED, {REVIEWER, ADMINISTRATOR}, _("Reject"),
       requires=("message",), audit="application.rejected", style="danger"),
    _t(S.FINAL_REVIEW, "approve", S.PUBLICITY, {APPROVER, ADMINISTRATOR}, _("Approve for public notice"),
       requires=("granted_types",), audit="application.approved", style="success"),
    _t(S.FINAL_REVIEW, "reject", S.REJECTED, {APPROVER, ADMINISTRATOR}, _("Reject"),
       requires=("message",), audit="application.rejected", style="danger"),
    _t(S.FINAL_REVIEW, "return_to_review", S.IN_REVIEW, {APPROVER, ADMINISTRATOR}, _("Return to first review"),
       requires=("message",), audit="application.returned_to_review", visible=False, style="secondary"),
    _t(S.PUBLICITY, "uphold_objection", S.FINAL_REVIEW, {APPROVER, ADMINISTRATOR}, _("Uphold objection"),
       requires=("message",), audit="application.objection_upheld", style="warning"),
    _t(S.PUBLICITY, "admit", S.ADMITTED, {SYSTEM}, _("Admit"), audit="application.admitted"),
    *(
        _t(state, "withdraw", S.WITHDRAWN, {APPLICANT}, _("Withdraw"), audit="application.withdrawn",
           style="danger")
        for state in OPEN_BEFORE_DECISION
    ),
)

FIELD_LABELS = {
    "message": _("a message"),
    "points": _("the points to address"),
    "recommendations": _("a recommendation for each partner type"),
    "granted_types": _("the partner types granted"),
}


def _state_label(state):
    return S(state).label if state in S.values else state


def _not_possible(action, state):
    return _g("The action “%(action)s” is not possible while the application is “%(state)s”.") % {
        "action": action, "state": _state_label(state)}


def _locate(application_id):
    from ..models import PROFILE_MODELS, Application

    # The application and its organisation are locked, as before; its call and profiles come along unlocked (the
    # submission's checks, the revision's snapshot and the notifications read them), and its requested types are
    # read once, under the lock: the partner types (no transition changes them, they are fixed once the draft is
    # submitted) and the rows the decisions change. The recorder drops them once the transition is over.
    profiles = [model._meta.model_name for model in PROFILE_MODELS.values()]
    application = (Application.objects.select_for_update(of=("self", "organization"))
                   .select_related("organization", "call", *profiles)
                   .prefetch_related("requested_types", "applicationprofile__scenarios").get(pk=application_id))
    application.keep_partner_types()
    return application


def _permission(user, transition, application):
    from ..permissions import can_fire

    return can_fire(user, transition, application)


def _previous_state(application):
    return application.events.exclude(from_state="").order_by("-id").values_list("from_state", flat=True).first()


def _already_changed(application, actor):
    from .engine import AlreadyChanged

    last = application.events.exclude(to_state="").order_by("-id").first()
    return AlreadyChanged(
        _g("This application was already changed by %(who)s: it is now “%(state)s”. Please reload.")
        % {"who": _who_changed(last, application, actor), "state": S(application.state).label}
    )


def _who_changed(event, application, actor) -> str:
    """Staff may learn which colleague won a race; applicants learn names only of their own people."""
    from ..permissions import reads_applications

    if event is None:
        return "?"
    people = set(application.organization.memberships_of_people.values_list("user_id", flat=True))
    asker = None if actor.system else actor.user
    if event.actor_id in people or (reads_applications(asker) and getattr(asker, "pk", None) not in people):
        return event.who
    return _g("the plan office")


PROCESS = register(Process(
    name="application",
    model_label="partners.Application",
    transitions=TRANSITIONS,
    initial=S.DRAFT,
    finals=tuple(S.final_states()),
    state_label=_state_label,
    field_labels=FIELD_LABELS,
    locate=_locate,
    permission=_permission,
    previous_state=_previous_state,
    already_changed=_already_changed,
    not_possible=_not_possible,
))

TABLE = PROCESS.table
ACTIONS = PROCESS.actions
