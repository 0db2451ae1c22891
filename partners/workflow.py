"""The application workflow: one table of transitions and the one function that fires them.

Each row says: in state S, action A leads to state T; who may fire it; what it requires. `fire()` checks
permission (with a reason), locks the application row, re-checks the state under the lock (so of two
staff acting at once exactly one wins), runs the action's effect, changes the state, writes the audit
event, and records notifications; all in one transaction.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from .enums import ApplicationState as S

APPLICANT = "applicant"
REVIEWER = "reviewer"
APPROVER = "approver"
ADMINISTRATOR = "administrator"
SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    roles: frozenset
    label: object
    requires: tuple = ()  # names of inputs that must be non-empty, e.g. ("message",)
    audit_code: str = ""
    visible_to_applicant: bool = True
    style: str = "primary"

    @property
    def code(self):
        return self.audit_code or f"application.{self.action}"


def _t(source, action, target, roles, label, *, requires=(), audit="", visible=True, style="primary"):
    return Transition(source, action, target, frozenset(roles), label, tuple(requires), audit, visible, style)


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

TABLE: dict[tuple[str, str], Transition] = {(t.source, t.action): t for t in TRANSITIONS}
ACTIONS = sorted({t.action for t in TRANSITIONS})


class TransitionError(Exception):
    """A refused transition; `message` is translated and safe to show to the person who tried."""

    def __init__(self, message, code="refused"):
        super().__init__(message)
        self.message = message
        self.code = code


class AlreadyChanged(TransitionError):
    """Someone else changed the application first (the losing side of a race)."""

    def __init__(self, message):
        super().__init__(message, code="conflict")


class MissingInput(TransitionError):
    def __init__(self, message, field_name):
        super().__init__(message, code="required")
        self.field = field_name


@dataclass
class Actor:
    """Who fires a transition: a user, an API key acting for a user, or the system."""

    user: object = None
    api_key: object = None
    system: bool = False
    ip: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def label(self):
        if self.system:
            return "system"
        if self.api_key is not None:
            return f"api-key:{self.api_key.prefix}"
        return getattr(self.user, "email", "") or "anonymous"


def transitions_from(state: str):
    return [t for t in TRANSITIONS if t.source == state]


def get_transition(state: str, action: str) -> Transition:
    try:
        return TABLE[(state, action)]
    except KeyError:
        raise TransitionError(
            _g("The action “%(action)s” is not possible while the application is “%(state)s”.")
            % {"action": action, "state": S(state).label if state in S.values else state},
            code="invalid_transition",
        ) from None


def available_actions(application, user) -> list[Transition]:
    """Exactly the actions this person may fire now: what the UI shows and the API lists."""
    from .permissions import can_fire

    return [t for t in transitions_from(application.state) if can_fire(user, t, application).allowed]


# Effects are registered by the services (applications, review, membership) so the table stays declarative.
EFFECTS: dict[str, callable] = {}
CHECKS: dict[str, callable] = {}


def effect(action):
    def register(func):
        EFFECTS[action] = func
        return func

    return register


def check(action):
    """A check runs under the lock before the change and may raise TransitionError (e.g. four eyes)."""

    def register(func):
        CHECKS[action] = func
        return func

    return register


def fire(application_id, action, actor: Actor, **inputs):
    """Fire `action` on the application; returns the updated application or raises TransitionError."""
    from . import services  # noqa: F401 - registers the effects
    from .models import Application
    from .permissions import can_fire
    from .services.audit import log_event

    with transaction.atomic():
        application = (
            Application.objects.select_for_update().select_related("organization").get(pk=application_id)
        )
        expected_state = inputs.pop("expected_state", None)
        if expected_state and application.state != expected_state:
            raise _already_changed(application, actor)
        if (application.state, action) not in TABLE and _was_possible_before(application, action):
            # The action was possible in the state before the last change: someone moved it first.
            raise _already_changed(application, actor)
        transition = get_transition(application.state, action)
        if not actor.system:
            verdict = can_fire(actor.user, transition, application)
            if not verdict.allowed:
                if verdict.code == "forbidden" and _allowed_before(actor, application, action, can_fire):
                    # The loser of a race: the action was theirs in the state before the last change.
                    raise _already_changed(application, actor)
                raise TransitionError(verdict.reason, code=verdict.code)
        elif SYSTEM not in transition.roles and not actor.extra.get("as_admin"):
            raise TransitionError(_g("The system cannot fire this action."), code="forbidden")
        for name in transition.requires:
            if not inputs.get(name):
                raise MissingInput(_g("This action needs: %(field)s.") % {"field": _field_label(name)}, name)
        if action in CHECKS:
            CHECKS[action](application, actor, inputs)
        source = application.state
        data = {}
        if action in EFFECTS:
            data = EFFECTS[action](application, actor, inputs) or {}
        application.state = transition.target
        application.state_changed_at = timezone.now()
        application.save()
        log_event(
            transition.code, actor=actor, application=application, from_state=source, to_state=transition.target,
            data={"action": action, **data}, visible_to_applicant=transition.visible_to_applicant,
        )
        from .services.notifications import notify_transition

        notify_transition(application, transition, actor, inputs, data)
    return application


def _allowed_before(actor, application, action, can_fire) -> bool:
    """Could this person have fired `action` in the state the application had before its last change?"""
    last = application.events.exclude(from_state="").order_by("-id").values_list("from_state", flat=True).first()
    if last is None or last == application.state or (last, action) not in TABLE:
        return False
    return can_fire(actor.user, get_transition(last, action), application).allowed


def _was_possible_before(application, action) -> bool:
    last = application.events.exclude(from_state="").order_by("-id").values_list("from_state", flat=True).first()
    return last is not None and (last, action) in TABLE


def _already_changed(application, actor):
    last = application.events.exclude(to_state="").order_by("-id").first()
    return AlreadyChanged(
        _g("This application was already changed by %(who)s: it is now “%(state)s”. Please reload.")
        % {"who": _who_changed(last, application, actor), "state": S(application.state).label}
    )


def _who_changed(event, application, actor) -> str:
    """Staff may learn which colleague won a race; applicants learn names only of their own people."""
    from .permissions import reads_applications

    if event is None:
        return "?"
    people = set(application.organization.memberships_of_people.values_list("user_id", flat=True))
    asker = None if actor.system else actor.user
    if event.actor_id in people or (reads_applications(asker) and getattr(asker, "pk", None) not in people):
        return event.who
    return _g("the plan office")


FIELD_LABELS = {
    "message": _("a message"),
    "points": _("the points to address"),
    "recommendations": _("a recommendation for each partner type"),
    "granted_types": _("the partner types granted"),
}


def _field_label(name):
    return str(FIELD_LABELS.get(name, name))


def mermaid() -> str:
    """The table as a Mermaid state diagram (printed by `manage.py workflow_diagram`)."""
    lines = ["stateDiagram-v2", f"    [*] --> {S.DRAFT}"]
    for t in TRANSITIONS:
        roles = "/".join(sorted(t.roles))
        lines.append(f"    {t.source} --> {t.target}: {t.action} ({roles})")
    for final in S.final_states():
        lines.append(f"    {final} --> [*]")
    return "\n".join(lines)
