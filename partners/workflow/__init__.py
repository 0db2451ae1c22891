"""The workflow package: the engine (engine.py) and one transition table per process.

The names other modules import from `partners.workflow` stay here: the application's table, its effect and
check registrars, and `fire(application_id, action, actor)` for applications. Other processes are fired with
`engine.fire(process, obj_id, action, actor)`.
"""

from . import case, engine, member_request, pairing, panel, subsidy_claim, verification
from .application import ACTIONS, FIELD_LABELS, OPEN_BEFORE_DECISION, TABLE, TRANSITIONS
from .application import PROCESS as APPLICATION
from .case import PROCESS as CASE
from .engine import (
    PROCESSES,
    Actor,
    AlreadyChanged,
    MissingInput,
    Process,
    Transition,
    TransitionError,
    available_actions,
)
from .member_request import PROCESS as MEMBER_REQUEST
from .pairing import PROCESS as PAIRING
from .panel import PROCESS as PANEL
from .roles import ADMINISTRATOR, APPLICANT, APPROVER, REVIEWER, SYSTEM
from .subsidy_claim import PROCESS as SUBSIDY_CLAIM
from .verification import PROCESS as VERIFICATION

effect = APPLICATION.effect
check = APPLICATION.check
transitions_from = APPLICATION.transitions_from
get_transition = APPLICATION.get_transition


def fire(application_id, action, actor: Actor, **inputs):
    """Fire `action` on an application (the engine's fire() for the application process)."""
    return engine.fire("application", application_id, action, actor, **inputs)


def mermaid(process="application") -> str:
    """One process's diagram; `manage.py workflow_diagram` prints every process."""
    return engine.mermaid(process)


__all__ = [
    "ACTIONS", "ADMINISTRATOR", "CASE", "MEMBER_REQUEST", "PAIRING", "SUBSIDY_CLAIM", "case", "member_request",
    "pairing", "subsidy_claim", "APPLICANT", "APPLICATION", "APPROVER", "FIELD_LABELS", "OPEN_BEFORE_DECISION",
    "PANEL", "panel",
    "PROCESSES", "REVIEWER", "SYSTEM", "TABLE", "TRANSITIONS", "Actor", "AlreadyChanged", "MissingInput", "Process",
    "Transition", "TransitionError", "VERIFICATION", "member_request", "verification", "available_actions", "check", "effect", "engine", "fire", "get_transition",
    "mermaid", "transitions_from",
]
