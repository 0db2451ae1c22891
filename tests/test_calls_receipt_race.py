"""Receipt numbers under concurrent submissions on PostgreSQL: unique and gap-free within the year."""

import pytest

from partners import workflow
from partners.models import Application, ReceiptCounter
from partners.services import applications as app_services
from tests.concurrency import RACE_TEST, run_together
from tests.factories import ApplicationFactory, OrganizationFactory, complete_draft

pytestmark = RACE_TEST

SUBMISSIONS = 8


def test_concurrent_submissions_get_consecutive_receipt_numbers():
    drafts = []
    for _ in range(SUBMISSIONS):
        owner = OrganizationFactory().owner
        drafts.append(complete_draft(ApplicationFactory(organization=owner.organizations.get(), created_by=owner)))

    jobs = [lambda d=d: app_services.submit(d.created_by, Application.objects.get(pk=d.pk)).receipt_number
            for d in drafts]
    results = run_together(*jobs)
    assert all(kind == "ok" for kind, _ in results), results
    numbers = [value for _, value in results]
    assert len(set(numbers)) == SUBMISSIONS
    serials = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert serials == list(range(serials[0], serials[0] + SUBMISSIONS))  # no gaps
    assert serials[0] == 1
    year = int(numbers[0].split("-")[2])
    assert ReceiptCounter.objects.get(year=year).last == SUBMISSIONS
    stored = set(Application.objects.exclude(receipt_number=None).values_list("receipt_number", flat=True))
    assert stored == set(numbers)


def test_a_refused_submission_uses_no_number():
    owner = OrganizationFactory().owner
    incomplete = ApplicationFactory(organization=owner.organizations.get(), created_by=owner)
    other = OrganizationFactory().owner
    complete = complete_draft(ApplicationFactory(organization=other.organizations.get(), created_by=other))

    with pytest.raises(workflow.TransitionError):
        app_services.submit(owner, incomplete)
    number = app_services.submit(complete.created_by, complete).receipt_number
    assert number.endswith("-000001")
