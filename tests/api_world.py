"""A small world for the API tests: organisation A (a member, a submitted and a draft application),
organisation B, staff, and the keys each of them holds."""

from dataclasses import dataclass, field

from django.utils import timezone

from partners.enums import ApplicationState, PartnerType
from partners.models.api import ApiScope
from partners.services import webhooks
from partners.services.membership import admit_due_applications
from tests.api_helpers import key_for
from tests.factories import (
    ApplicationFactory,
    OrganizationFactory,
    advance,
    make_staff,
    submitted_application,
)


@dataclass
class World:
    applicant_a: object = None
    applicant_b: object = None
    reviewer: object = None
    approver: object = None
    org_a: object = None
    admitted_a: object = None
    submitted_a: object = None
    draft_a: object = None
    member_number: str = ""
    decision_id: str = ""  # the public id of admitted_a's first decision
    subscription_a: object = None
    tokens: dict = field(default_factory=dict)


def build_world() -> World:
    w = World()
    w.applicant_a = OrganizationFactory().owner
    w.applicant_b = OrganizationFactory().owner
    w.org_a = w.applicant_a.organizations.get()
    w.reviewer = make_staff("reviewer", email="api-reviewer@example.com")
    w.approver = make_staff("approver", email="api-approver@example.com")
    w.admitted_a = advance(submitted_application(w.applicant_a), ApplicationState.PUBLICITY,
                           reviewer=w.reviewer, approver=w.approver)
    admit_due_applications(now=timezone.now() + timezone.timedelta(days=30))
    w.org_a.refresh_from_db()
    w.member_number = w.org_a.membership.number
    w.decision_id = str(w.admitted_a.decisions.first().public_id)
    w.submitted_a = submitted_application(w.applicant_a, types=(PartnerType.COMPUTE,))
    w.draft_a = ApplicationFactory(organization=w.org_a, created_by=w.applicant_a)

    key_a, w.tokens["a"] = key_for(w.applicant_a)
    _key_b, w.tokens["b"] = key_for(w.applicant_b)
    _key, w.tokens["a_members"] = key_for(w.applicant_a, [ApiScope.MEMBERS_READ], name="directory only")
    _key, w.tokens["reviewer"] = key_for(w.reviewer)
    _key, w.tokens["ro"] = key_for(w.reviewer, [ApiScope.APPLICATIONS_READ], name="read only")
    _key, w.tokens["approver"] = key_for(w.approver)
    w.subscription_a, _secret = webhooks.subscribe(key_a, url="http://127.0.0.1:9/hook",
                                                   event_types=["application.submitted"])
    return w
