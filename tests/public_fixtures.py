"""Members built directly in the database, for tests of the public pages (the workflow has its own tests)."""

import itertools
from datetime import timedelta

from django.utils import timezone

from partners.enums import ApplicationState, MembershipState
from partners.models import (
    ApplicationProfile,
    District,
    Industry,
    Membership,
    MembershipGrant,
    ModelProfile,
    RequestedType,
)
from tests.factories import ApplicationFactory, OrganizationFactory

_numbers = itertools.count(1)


def make_member(name="北京智算科技有限公司", *, types=("compute",), district="110108", industries=(),
                app_industry=None, admitted_at=None, state=MembershipState.ACTIVE, name_en="", **org_fields):
    """An admitted organisation with its membership and grants; industries go on a model profile."""
    org = OrganizationFactory(name=name, name_en=name_en or f"{name} Ltd",
                              district=District.objects.get(code=district), **org_fields)
    application = ApplicationFactory(organization=org, created_by=org.owner)
    for t in types:
        RequestedType.objects.create(application=application, organization=org, partner_type=t,
                                     is_open=False, granted=True)
    type(application).objects.filter(pk=application.pk).update(state=ApplicationState.ADMITTED)
    if industries:
        profile = ModelProfile.objects.create(application=application)
        profile.industries.set(Industry.objects.filter(code__in=industries))
    if app_industry:
        ApplicationProfile.objects.create(application=application, industry_id=app_industry)
    n = next(_numbers)
    membership = Membership.objects.create(
        organization=org, number=f"BJAI-2026-{n:05d}", state=state,
        admitted_at=admitted_at or timezone.now() - timedelta(minutes=n))
    for t in types:
        MembershipGrant.objects.create(membership=membership, partner_type=t, application=application,
                                       granted_on=timezone.localdate())
    return membership
