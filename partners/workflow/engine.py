"""The workflow engine: processes declared as transition tables, and the one `fire()` that changes a state.

The engine knows no process and imports no service. A process (application, organisation verification, …)
declares its table and how to lock, check and record its objects; services register effects and checks for
it when the app is ready. `fire()` locks the row, re-checks the state under the lock (so of two people acting
at once exactly one wins), asks the process's permission rule, runs its checks and effect, changes the state
and lets the process record the audit event and the outbox rows, all in one transaction.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _g

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
    process: str = "application"

    @property
    def code(self):
        return self.audit_code or f"{self.process}.{self.action}"


class TransitionError(Exception):
    """A refused transition; `message` is translated and safe to show to the person who tried."""

    def __init__(self, message, code="refused"):
        super().__init__(message)
        self.message = message
        self.code = code


class AlreadyChanged(TransitionError):
    """Someone else changed the object first (the losing side of a race)."""

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


@dataclass
class Process:
    """One process: its table and the hooks the engine calls. Hooks are plain callables, set by the
    process module (locate, permission, history) and by the services when the app is ready (record)."""

    name: str
    model_label: str  # "partners.Application": how available_actions() finds the process of an object
    transitions: tuple
    initial: str
    finals: tuple
    state_label: Callable = str
    field_labels: dict = field(default_factory=dict)
    locate: Callable | None = None  # obj_id -> the object, locked FOR UPDATE (called inside the transaction)
    permission: Callable | None = None  # (user, transition, obj) -> verdict with allowed/reason/code
    previous_state: Callable | None = None  # obj -> the state before its last change (races), or None
    already_changed: Callable | None = None  # (obj, actor) -> AlreadyChanged to raise
    not_possible: Callable | None = None  # (action, state) -> the process's own wording of a refused action
    effects: dict = field(default_factory=dict)
    checks: dict = field(default_factory=dict)
    recorders: list = field(default_factory=list)  # (obj, transition, actor, inputs, data, source) after the change

    def __post_init__(self):
        self.table = {(t.source, t.action): t for t in self.transitions}
        self.actions = sorted({t.action for t in self.transitions})

    def effect(self, action):
        self._known(action)

        def register(func):
            self.effects[action] = func
            return func

        return register

    def check(self, action):
        """A check runs under the lock before the change and may raise TransitionError (e.g. four eyes)."""
        self._known(action)

        def register(func):
            self.checks[action] = func
            return func

        return register

    def record(self, func):
        """Register what is written after each change (audit event, outbox rows), in the same transaction."""
        if func not in self.recorders:
            self.recorders.append(func)
        return func

    def _known(self, action):
        if action not in self.actions:
            raise ValueError(f"{self.name} has no action {action!r}")

    def transitions_from(self, state):
        return [t for t in self.transitions if t.source == state]

    def get_transition(self, state, action) -> Transition:
        try:
            return self.table[(state, action)]
        except KeyError:
            if self.not_possible:
                message = self.not_possible(action, state)
            else:
                message = _g("The action “%(action)s” is not possible while the state is “%(state)s”.") % {
                    "action": action, "state": self.state_label(state)}
            raise TransitionError(message, code="invalid_transition") from None

    def field_label(self, name):
        return str(self.field_labels.get(name, name))


PROCESSES: dict[str, Process] = {}


def register(process: Process) -> Process:
    PROCESSES[process.name] = process
    return process


def get_process(name) -> Process:
    try:
        return PROCESSES[name]
    except KeyError:
        raise LookupError(f"no workflow process {name!r}") from None


def process_of(obj) -> Process:
    label = obj._meta.label
    for process in PROCESSES.values():
        if process.model_label == label:
            return process
    raise LookupError(f"no workflow process for {label}")


def available_actions(obj, user) -> list[Transition]:
    """Exactly the actions this person may fire now: what the UI shows and the API lists."""
    process = process_of(obj)
    return [t for t in process.transitions_from(obj.state) if process.permission(user, t, obj).allowed]


def fire(process_name, obj_id, action, actor: Actor, **inputs):
    """Fire `action` on the object of the process; returns the updated object or raises TransitionError."""
    process = get_process(process_name)
    with transaction.atomic():
        obj = process.locate(obj_id)
        expected_state = inputs.pop("expected_state", None)
        if expected_state and obj.state != expected_state:
            raise process.already_changed(obj, actor)
        if (obj.state, action) not in process.table:
            previous = process.previous_state(obj) if process.previous_state else None
            if previous and (previous, action) in process.table:
                # The action was possible in the state before the last change: someone moved it first.
                raise process.already_changed(obj, actor)
        transition = process.get_transition(obj.state, action)
        if not actor.system:
            verdict = process.permission(actor.user, transition, obj)
            if not verdict.allowed:
                # The state before the last change is read only when it can tell a lost race from a refusal.
                previous = process.previous_state(obj) if process.previous_state else None
                if verdict.code == "forbidden" and _allowed_before(process, actor, obj, action, previous):
                    # The loser of a race: the action was theirs in the state before the last change.
                    raise process.already_changed(obj, actor)
                raise TransitionError(verdict.reason, code=verdict.code)
        elif SYSTEM not in transition.roles and not actor.extra.get("as_admin"):
            raise TransitionError(_g("The system cannot fire this action."), code="forbidden")
        for name in transition.requires:
            if not inputs.get(name):
                raise MissingInput(_g("This action needs: %(field)s.") % {"field": process.field_label(name)}, name)
        if action in process.checks:
            process.checks[action](obj, actor, inputs)
        source = obj.state
        data = {}
        if action in process.effects:
            data = process.effects[action](obj, actor, inputs) or {}
        obj.state = transition.target
        if hasattr(obj, "state_changed_at"):
            obj.state_changed_at = timezone.now()
        obj.save()
        for recorder in process.recorders:
            recorder(obj, transition, actor, inputs, data, source)
    return obj


def _allowed_before(process, actor, obj, action, previous) -> bool:
    """Could this person have fired `action` in the state the object had before its last change?"""
    if previous is None or previous == obj.state or (previous, action) not in process.table:
        return False
    return process.permission(actor.user, process.get_transition(previous, action), obj).allowed


def mermaid(process_name) -> str:
    """A process's table as a Mermaid state diagram (printed by `manage.py workflow_diagram`)."""
    process = get_process(process_name)
    lines = ["stateDiagram-v2", f"    [*] --> {process.initial}"]
    for t in process.transitions:
        roles = "/".join(sorted(t.roles))
        lines.append(f"    {t.source} --> {t.target}: {t.action} ({roles})")
    for final in process.finals:
        lines.append(f"    {final} --> [*]")
    return "\n".join(lines)
