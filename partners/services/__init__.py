"""Use cases. Every change of state enters here; views, API, admin and commands only translate."""


def register_workflow():
    """Attach the services to the workflow processes (called once from PartnersConfig.ready).

    Importing the service modules registers their effects and checks (decorators on each process); the
    recorders write each transition's audit event and outbox rows inside fire()'s transaction.
    """
    from ..workflow import APPLICATION, PANEL, VERIFICATION
    from . import applications, membership, panel, review, verification  # noqa: F401  (registers effects, checks)

    APPLICATION.record(record_application_transition)
    VERIFICATION.record(verification.record_verification_transition)
    PANEL.record(panel.record_panel_transition)


def record_application_transition(application, transition, actor, inputs, data, source):
    from .audit import log_event
    from .notifications import notify_transition

    log_event(
        transition.code, actor=actor, application=application, from_state=source, to_state=transition.target,
        data={"action": transition.action, **data}, visible_to_applicant=transition.visible_to_applicant,
    )
    notify_transition(application, transition, actor, inputs, data)
