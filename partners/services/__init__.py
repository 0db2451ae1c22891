"""Use cases. Every change of state enters here; views, API, admin and commands only translate."""


def register_workflow():
    """Attach the services to the workflow processes (called once from PartnersConfig.ready).

    Importing the service modules registers their effects and checks (decorators on each process); the
    recorders write each transition's audit event and outbox rows inside fire()'s transaction.
    """
    from ..workflow import APPLICATION, CASE, MEMBER_REQUEST, PAIRING, PANEL, SUBSIDY_CLAIM, VERIFICATION
    from . import (  # noqa: F401  (registers effects and checks)
        applications,
        cases,
        member_requests,
        membership,
        pairings,
        panel,
        review,
        subsidy_claims,
        verification,
    )

    APPLICATION.record(record_application_transition)
    VERIFICATION.record(verification.record_verification_transition)
    PANEL.record(panel.record_panel_transition)
    PAIRING.record(pairings.record_pairing_transition)
    SUBSIDY_CLAIM.record(subsidy_claims.record_subsidy_claim_transition)
    CASE.record(cases.record_case_transition)
    MEMBER_REQUEST.record(member_requests.record_member_request_transition)


def record_application_transition(application, transition, actor, inputs, data, source):
    from .audit import log_event
    from .notifications import notify_transition

    event = log_event(
        transition.code, actor=actor, application=application, from_state=source, to_state=transition.target,
        data={"action": transition.action, **data}, visible_to_applicant=transition.visible_to_applicant,
    )
    notify_transition(application, transition, actor, inputs, data, event=event)
    # The transition is over: whoever holds the application next reads its partner types afresh.
    application.forget_partner_types()
