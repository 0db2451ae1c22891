"""Races on PostgreSQL with real threads: two staff deciding at once, and member numbers under load."""


from django.db import transaction
from django.utils import timezone

from partners import workflow
from partners.enums import ApplicationState, PartnerType
from partners.models import Membership
from partners.services.membership import admit_due_applications, allocate_member_number
from tests.concurrency import RACE_TEST, run_together
from tests.factories import OrganizationFactory, advance, make_staff, submitted_application

pytestmark = RACE_TEST


def test_two_approvers_deciding_at_once_exactly_one_wins(applicant):
    reviewer = make_staff("reviewer", email="r@example.com")
    approver1 = make_staff("approver", email="a1@example.com")
    approver2 = make_staff("approver", email="a2@example.com")
    application = advance(submitted_application(applicant), ApplicationState.FINAL_REVIEW, reviewer=reviewer)

    def approve():
        return workflow.fire(application.pk, "approve", workflow.Actor(user=approver1),
                             expected_state=ApplicationState.FINAL_REVIEW, granted_types=["data"]).state

    def reject():
        return workflow.fire(application.pk, "reject", workflow.Actor(user=approver2),
                             expected_state=ApplicationState.FINAL_REVIEW, message="不予通过").state

    results = run_together(approve, reject)
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    loser = next(value for kind, value in results if kind == "error")
    assert isinstance(loser, workflow.AlreadyChanged)
    winner_state = next(value for kind, value in results if kind == "ok")
    application.refresh_from_db()
    assert application.state == winner_state
    winner_email = "a1@example.com" if winner_state == ApplicationState.PUBLICITY else "a2@example.com"
    assert winner_email in loser.message
    assert application.decisions.filter(level="final").count() == 1


def test_two_reviewers_starting_at_once(applicant):
    r1 = make_staff("reviewer", email="r1@example.com")
    r2 = make_staff("reviewer", email="r2@example.com")
    application = submitted_application(applicant)
    jobs = [lambda u=u: workflow.fire(application.pk, "start_review", workflow.Actor(user=u),
                                      expected_state=ApplicationState.SUBMITTED).assigned_reviewer_id
            for u in (r1, r2)]
    results = run_together(*jobs)
    assert sorted(kind for kind, _ in results) == ["error", "ok"]
    assert application.events.filter(action="application.review_started").count() == 1


def test_member_numbers_are_unique_under_concurrency():
    year = timezone.localdate().year

    def allocate_five():
        numbers = []
        for _ in range(5):
            with transaction.atomic():
                numbers.append(allocate_member_number(year))
        return numbers

    results = run_together(*[allocate_five for _ in range(8)])
    assert all(kind == "ok" for kind, _ in results), results
    numbers = [n for _, batch in results for n in batch]
    assert len(numbers) == len(set(numbers)) == 40
    assert sorted(numbers) == [f"BJAI-{year}-{i:05d}" for i in range(1, 41)]


def test_concurrent_admissions_get_distinct_numbers():
    reviewer = make_staff("reviewer", email="r@example.com")
    approver = make_staff("approver", email="a@example.com")
    applications = []
    for _ in range(6):
        owner = OrganizationFactory().owner
        applications.append(advance(submitted_application(owner, types=(PartnerType.COMPUTE,)),
                                    ApplicationState.PUBLICITY, reviewer=reviewer, approver=approver))
    later = timezone.now() + timezone.timedelta(days=30)

    def admit(pk):
        return workflow.fire(pk, "admit", workflow.Actor(system=True),
                             expected_state=ApplicationState.PUBLICITY).state

    results = run_together(*[lambda pk=a.pk: admit(pk) for a in applications])
    assert all(kind == "ok" for kind, _ in results), results
    numbers = list(Membership.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 6
    assert admit_due_applications(now=later) == 0  # nothing left to admit, nothing admitted twice
