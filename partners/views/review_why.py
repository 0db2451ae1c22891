"""Why a staff member cannot decide an application now, said before they try (four eyes, role, state)."""

from django.utils.translation import gettext as _g

from .. import workflow
from ..enums import ApplicationState as S
from ..forms.review import ACTION_FORMS
from ..permissions import acts_for, can_fire, has_role

STAFF_ROLES = (workflow.REVIEWER, workflow.APPROVER, workflow.ADMINISTRATOR)


def _next_step(state) -> str:
    """Who acts next in this state, for a person whose role has no part in it."""
    if state in (S.SUBMITTED, S.IN_REVIEW):
        return _g("A reviewer decides at first review; your role does not include first review.")
    if state == S.FINAL_REVIEW:
        return _g("An approver makes the final decision; your role does not include final review.")
    if state == S.CHANGES_REQUESTED:
        return _g("The applicant is revising the application; there is nothing to decide until they resubmit it.")
    if state == S.PUBLICITY:
        return _g("The application is on public notice. It is admitted when the notice ends, "
                  "unless an objection is upheld.")
    return _g("This application is closed; no further decision is possible.")


def _explain(verdict, user, application) -> str:
    if verdict.code == "four_eyes" and acts_for(user, application.organization):
        return _g("You act for this organisation, so a colleague of the plan office must review its application "
                  "(four eyes).")
    if verdict.code == "four_eyes":
        return _g("You reviewed this application at first review, so another approver must make the final "
                  "decision (four eyes).")
    return verdict.reason


def reasons_not_to_act(application, user, offered) -> list[str]:
    """Sentences saying why this person is offered no decision (or fewer than their role has) on this page.

    `offered` is the list of actions the page shows. Empty when the person may take every decision their role
    allows in this state.
    """
    reasons = []
    role_has_part = False
    for transition in workflow.transitions_from(application.state):
        if transition.action not in ACTION_FORMS or transition.action in offered:
            continue
        if not any(has_role(user, r) for r in transition.roles if r in STAFF_ROLES):
            continue
        role_has_part = True
        verdict = can_fire(user, transition, application)
        if not verdict.allowed:
            reasons.append(_explain(verdict, user, application))
    if not offered and not role_has_part:
        reasons.append(_next_step(application.state))
    return list(dict.fromkeys(reasons))
