"""The workflow engine: every row of the table fires as declared, nothing outside the table is accepted."""

import io

import pytest
from django.core.management import call_command

from partners import workflow
from partners.enums import ApplicationState as S
from partners.models import AuditEvent, Notification
from tests.factories import (
    ApplicationFactory,
    OrganizationFactory,
    advance,
    complete_draft,
    make_staff,
    submitted_application,
)

pytestmark = pytest.mark.django_db

INPUTS = {"message": "请补充说明。", "points": ["补充营业执照副本"], "reason": "不再申请"}


@pytest.fixture
def people(db):
    return {
        "reviewer": make_staff("reviewer", email="wf-reviewer@example.com"),
        "approver": make_staff("approver", email="wf-approver@example.com"),
        "administrator": make_staff("administrator", email="wf-admin@example.com"),
    }


def application_in(state, people):
    """A fresh organisation with an application walked through the real workflow to `state`."""
    owner = OrganizationFactory().owner
    reviewer, approver = people["reviewer"], people["approver"]
    if state == S.DRAFT:
        application = ApplicationFactory(organization=owner.organizations.get(), created_by=owner)
        return complete_draft(application)
    application = submitted_application(owner)
    if state == S.SUBMITTED:
        return application
    if state in (S.IN_REVIEW, S.FINAL_REVIEW, S.PUBLICITY):
        return advance(application, state, reviewer=reviewer, approver=approver)
    if state == S.CHANGES_REQUESTED:
        application = advance(application, S.IN_REVIEW, reviewer=reviewer)
        return workflow.fire(application.pk, "request_changes", workflow.Actor(user=reviewer), **INPUTS)
    if state == S.REJECTED:
        application = advance(application, S.IN_REVIEW, reviewer=reviewer)
        return workflow.fire(application.pk, "reject", workflow.Actor(user=reviewer), **INPUTS)
    if state == S.WITHDRAWN:
        return workflow.fire(application.pk, "withdraw", workflow.Actor(user=owner), reason="")
    if state == S.ADMITTED:
        application = advance(application, S.PUBLICITY, reviewer=reviewer, approver=approver)
        return workflow.fire(application.pk, "admit", workflow.Actor(system=True))
    raise AssertionError(state)


def actor_for(transition, application, people):
    roles = transition.roles
    if workflow.SYSTEM in roles:
        return workflow.Actor(system=True)
    if workflow.APPLICANT in roles:
        return workflow.Actor(user=application.organization.owner)
    for role in (workflow.REVIEWER, workflow.APPROVER, workflow.ADMINISTRATOR):
        if role in roles:
            return workflow.Actor(user=people[role])
    raise AssertionError(roles)


def inputs_for(application):
    return {**INPUTS, "recommendations": {t: "grant" for t in application.partner_types},
            "granted_types": application.partner_types}


@pytest.mark.parametrize("transition", workflow.TRANSITIONS, ids=lambda t: f"{t.source}-{t.action}")
def test_every_row_of_the_table_fires(transition, people):
    application = application_in(transition.source, people)
    assert application.state == transition.source
    before = AuditEvent.objects.filter(application=application).count()
    actor = actor_for(transition, application, people)
    result = workflow.fire(application.pk, transition.action, actor, **inputs_for(application))
    application.refresh_from_db()
    assert result.state == application.state == transition.target
    event = AuditEvent.objects.filter(application=application).order_by("-id").first()
    assert AuditEvent.objects.filter(application=application).count() > before
    assert event.action == transition.code
    assert (event.from_state, event.to_state) == (transition.source, transition.target)
    assert event.data["action"] == transition.action
    assert event.visible_to_applicant == transition.visible_to_applicant
    assert event.who == actor.label


@pytest.mark.parametrize("transition", workflow.TRANSITIONS, ids=lambda t: f"{t.source}-{t.action}")
def test_every_row_refuses_people_without_its_role(transition, people):
    application = application_in(transition.source, people)
    outsider = OrganizationFactory().owner
    candidates = [outsider, *[people[r] for r in ("reviewer", "approver", "administrator")
                              if r not in transition.roles], application.organization.owner]
    if workflow.APPLICANT in transition.roles:
        candidates.remove(application.organization.owner)
    for user in candidates:
        if workflow.ADMINISTRATOR in transition.roles and user == people["administrator"]:
            continue
        with pytest.raises(workflow.TransitionError):
            workflow.fire(application.pk, transition.action, workflow.Actor(user=user), **inputs_for(application))
    application.refresh_from_db()
    assert application.state == transition.source


@pytest.mark.parametrize("state", S.values)
def test_no_pair_outside_the_table_is_accepted(state, people):
    application = application_in(state, people)
    owner = application.organization.owner
    superuser = make_staff("administrator", email=f"super-{state}@example.com")
    superuser.is_superuser = True
    superuser.save()
    actors = [workflow.Actor(user=owner), workflow.Actor(user=superuser), workflow.Actor(system=True),
              workflow.Actor(system=True, extra={"as_admin": True})]
    events = AuditEvent.objects.filter(application=application).count()
    refused = 0
    for action in [*workflow.ACTIONS, "delete", "approve_everything"]:
        if (state, action) in workflow.TABLE:
            continue
        for actor in actors:
            with pytest.raises(workflow.TransitionError):
                workflow.fire(application.pk, action, actor, **inputs_for(application))
            refused += 1
    application.refresh_from_db()
    assert application.state == state
    assert AuditEvent.objects.filter(application=application).count() == events
    assert refused > 0


def test_the_table_holds_every_transition_of_the_design():
    expected = {
        ("draft", "submit", "submitted"), ("submitted", "start_review", "in_review"),
        ("in_review", "request_changes", "changes_requested"), ("changes_requested", "resubmit", "in_review"),
        ("in_review", "pass_to_final", "final_review"), ("in_review", "reject", "rejected"),
        ("final_review", "approve", "publicity"), ("final_review", "reject", "rejected"),
        ("final_review", "return_to_review", "in_review"), ("publicity", "uphold_objection", "final_review"),
        ("publicity", "admit", "admitted"),
        *((s, "withdraw", "withdrawn") for s in ("draft", "submitted", "in_review", "changes_requested",
                                                  "final_review")),
    }
    assert {(t.source, t.action, t.target) for t in workflow.TRANSITIONS} == expected
    for final in S.final_states():
        assert workflow.transitions_from(final) == []


def test_a_required_input_is_asked_for(people):
    application = application_in(S.IN_REVIEW, people)
    with pytest.raises(workflow.MissingInput) as info:
        workflow.fire(application.pk, "reject", workflow.Actor(user=people["reviewer"]))
    assert info.value.field == "message"
    application.refresh_from_db()
    assert application.state == S.IN_REVIEW


def test_expected_state_turns_a_double_click_into_a_clear_message(people):
    application = application_in(S.SUBMITTED, people)
    owner = application.organization.owner
    workflow.fire(application.pk, "withdraw", workflow.Actor(user=owner), expected_state=S.SUBMITTED)
    with pytest.raises(workflow.AlreadyChanged) as info:
        workflow.fire(application.pk, "withdraw", workflow.Actor(user=owner), expected_state=S.SUBMITTED)
    assert owner.email in info.value.message
    assert AuditEvent.objects.filter(application=application, action="application.withdrawn").count() == 1


def test_a_forged_action_is_not_reported_as_a_race(people):
    application = application_in(S.SUBMITTED, people)
    with pytest.raises(workflow.TransitionError) as info:
        workflow.fire(application.pk, "admit", workflow.Actor(user=application.organization.owner))
    assert info.value.code == "invalid_transition"


def test_the_loser_of_a_race_is_told_who_won(people):
    application = application_in(S.IN_REVIEW, people)
    other = make_staff("reviewer", email="second-reviewer@example.com")
    workflow.fire(application.pk, "reject", workflow.Actor(user=people["reviewer"]), message="不符合条件")
    with pytest.raises(workflow.AlreadyChanged) as info:
        workflow.fire(application.pk, "reject", workflow.Actor(user=other), message="不符合条件")
    assert people["reviewer"].email in info.value.message


def test_available_actions_are_exactly_what_the_person_may_fire(people):
    application = application_in(S.IN_REVIEW, people)
    owner = application.organization.owner
    assert [t.action for t in workflow.available_actions(application, owner)] == ["withdraw"]
    assert {t.action for t in workflow.available_actions(application, people["reviewer"])} == {
        "request_changes", "pass_to_final", "reject"}
    assert workflow.available_actions(application, people["approver"]) == []
    outsider = OrganizationFactory().owner
    assert workflow.available_actions(application, outsider) == []


def test_transitions_record_notifications(people):
    application = application_in(S.IN_REVIEW, people)
    workflow.fire(application.pk, "request_changes", workflow.Actor(user=people["reviewer"]), **INPUTS)
    assert Notification.objects.filter(application=application, template_key="application.changes_requested",
                                       recipient=application.organization.owner).exists()


def test_workflow_diagram_command_prints_the_table():
    out = io.StringIO()
    call_command("workflow_diagram", stdout=out)
    text = out.getvalue()
    assert text.startswith("stateDiagram-v2")
    assert "[*] --> draft" in text
    for t in workflow.TRANSITIONS:
        assert f"{t.source} --> {t.target}: {t.action}" in text
    for final in S.final_states():
        assert f"{final} --> [*]" in text
    assert workflow.mermaid().strip() in text


def test_the_readme_shows_the_current_diagram():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"```mermaid\n{workflow.mermaid()}\n```" in readme


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_submits_at_once_freeze_one_revision():
    """A double click that reaches two workers at once: the row lock lets exactly one through."""
    import threading

    from django.conf import settings
    from django.db import connection

    if not settings.IS_POSTGRES:
        pytest.skip("needs PostgreSQL's row locks across connections")
    owner = OrganizationFactory().owner
    application = complete_draft(ApplicationFactory(organization=owner.organizations.get(), created_by=owner))
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt():
        try:
            barrier.wait()
            workflow.fire(application.pk, "submit", workflow.Actor(user=owner), expected_state=S.DRAFT)
            outcomes.append("won")
        except workflow.AlreadyChanged:
            outcomes.append("told")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["told", "won"]
    application.refresh_from_db()
    assert application.state == S.SUBMITTED
    assert application.revisions.count() == 1
