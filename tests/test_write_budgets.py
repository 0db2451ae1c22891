"""Query budgets of the writes the public reads share the machine with: an admission through the workflow engine,
an organisation's edit as the mixed workload makes it (bench/mixed.py) and a second admission of a member.

The public response cache is on, so each write also works out the cache scopes of what it changes (one query per
membership and state, cache_scopes.py). The counts are exact: a write that grows by a query fails here first. The
API submission's budgets are in test_query_budgets.py (SUBMISSION_BUDGETS).
"""

import pytest
from django.core.cache import cache as django_cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners import workflow
from partners.enums import ApplicationState, PartnerType
from partners.models import AuditEvent, Decision, MemberNumberCounter, Membership, Notification, Organization
from tests.factories import advance, submitted_application
from tests.public_fixtures import make_member

pytestmark = pytest.mark.django_db

# Before: 53 (a new member granted two types) and 35 (a member granted another type): the cache scopes were worked
# out before and after every saved row in three queries each, the organisation locked twice, the requested types
# read twice, the member number and each grant and outbox row written in savepoints of their own, the
# objections asked for in two queries.
ADMISSION = 25
SECOND_ADMISSION = 21
# Before: 14 (the organisation's memberships and their scopes read before and after the save, four queries each).
ORGANISATION_EDIT = 7


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.PUBLIC_RESPONSE_CACHE = True
    django_cache.clear()
    yield
    django_cache.clear()


def admit(application):
    with CaptureQueriesContext(connection) as ctx:
        workflow.fire(application.pk, "admit", workflow.Actor(system=True),
                      expected_state=ApplicationState.PUBLICITY)
    return len(ctx.captured_queries)


def in_publicity(applicant, reviewer, approver, types):
    # The year's member number counter exists but at the year's very first admission.
    MemberNumberCounter.objects.get_or_create(year=timezone.localdate().year, defaults={"last": 0})
    return advance(submitted_application(applicant, types=types), ApplicationState.PUBLICITY, reviewer=reviewer,
                   approver=approver)


def test_an_admission(applicant, reviewer, approver):
    application = in_publicity(applicant, reviewer, approver, (PartnerType.DATA, PartnerType.COMPUTE))
    assert admit(application) == ADMISSION
    # Everything an admission does is still done: membership, grants, letter, audit event, the applicant's mail.
    membership = Membership.objects.get(organization=application.organization)
    assert sorted(membership.grants.values_list("partner_type", flat=True)) == ["compute", "data"]
    decision = Decision.objects.get(application=application, action="admit")
    assert membership.number in decision.letter_body
    assert AuditEvent.objects.filter(application=application, action="application.admitted").count() == 1
    assert Notification.objects.filter(application=application, template_key="application.admitted",
                                       recipient=applicant).count() == 1
    assert not application.requested_types.filter(is_open=True).exists()


def test_a_member_admitted_for_another_type(applicant, reviewer, approver):
    first = in_publicity(applicant, reviewer, approver, (PartnerType.DATA,))
    admit(first)
    second = in_publicity(applicant, reviewer, approver, (PartnerType.COMPUTE,))
    assert admit(second) == SECOND_ADMISSION
    membership = Membership.objects.get(organization=first.organization)
    grants = {g.partner_type: g.application_id for g in membership.grants.all()}
    assert grants == {"data": first.pk, "compute": second.pk}


def test_an_admission_renews_a_grant_that_ended(applicant, reviewer, approver):
    """A type granted before and ended is granted again by the new application (as update_or_create did)."""
    first = in_publicity(applicant, reviewer, approver, (PartnerType.DATA,))
    admit(first)
    membership = Membership.objects.get(organization=first.organization)
    membership.grants.update(ends_on=timezone.localdate())
    first.requested_types.update(is_open=False)
    second = in_publicity(applicant, reviewer, approver, (PartnerType.DATA,))
    admit(second)
    grant = membership.grants.get()
    assert (grant.application_id, grant.ends_on, grant.granted_on) == (second.pk, None, timezone.localdate())


def test_an_organisation_edit():
    """bench/mixed.py's edit: the member's organisation locked and its description saved."""
    member = make_member("北京九章智算科技有限公司", types=("compute", "model"), industries=("finance",))
    connection.run_on_commit = []
    with CaptureQueriesContext(connection) as ctx:
        with transaction.atomic():
            org_id = Membership.objects.filter(number=member.number).values_list("organization_id", flat=True).get()
            org = Organization.objects.select_for_update().get(pk=org_id)
            org.description = "新的介绍"
            org.save(update_fields=["description", "updated_at"])
    assert len(ctx.captured_queries) == ORGANISATION_EDIT
    assert Organization.objects.get(pk=org_id).description == "新的介绍"
