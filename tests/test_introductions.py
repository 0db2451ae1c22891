"""Introductions: either side asks, the other accepts or declines; contacts are shared only after acceptance."""

import pytest

from partners.enums import CatalogueSide, IntroductionState
from partners.models import AuditEvent, Notification
from partners.services import introductions
from partners.services.applications import ServiceError
from tests.catalogue_helpers import dataset, demand
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(settings):
    settings.CATALOGUE_MODERATION = False
    return dataset(), demand()


def test_contacts_are_shared_only_after_acceptance(pair):
    supply, need = pair
    supplier, buyer = supply.organization.owner, need.organization.owner
    intro = introductions.request_introduction(supplier, supply, need, "我们有合适的数据")
    assert intro.requested_by_side == CatalogueSide.SUPPLY
    assert introductions.shared_contacts(supplier, intro) is None
    assert introductions.shared_contacts(buyer, intro) is None
    assert Notification.objects.filter(recipient=buyer, template_key="catalogue.introduction_requested").exists()
    assert introductions.accepted_count() == 0

    with pytest.raises(ServiceError):
        introductions.answer(supplier, intro, accept=True)  # the asking side cannot accept its own request
    intro = introductions.answer(buyer, intro, accept=True)
    assert intro.state == IntroductionState.ACCEPTED
    contacts = introductions.shared_contacts(supplier, intro)
    assert contacts["demand"].email == buyer.email and contacts["supply"].email == supplier.email
    assert introductions.shared_contacts(buyer, intro)["supply"].email == supplier.email
    outsider = OrganizationFactory().owner
    assert introductions.shared_contacts(outsider, intro) is None
    assert introductions.accepted_count() == 1
    assert AuditEvent.objects.filter(action="introduction.accepted", data__introduction=intro.pk).exists()


def test_declined_introduction_shares_nothing_and_cannot_be_answered_twice(pair):
    supply, need = pair
    intro = introductions.request_introduction(need.organization.owner, supply, need)
    assert intro.requested_by_side == CatalogueSide.DEMAND
    intro = introductions.answer(supply.organization.owner, intro, accept=False)
    assert intro.state == IntroductionState.DECLINED
    assert introductions.shared_contacts(supply.organization.owner, intro) is None
    with pytest.raises(ServiceError):
        introductions.answer(supply.organization.owner, intro, accept=True)
    assert introductions.accepted_count() == 0
    # A declined pair may be asked again.
    assert introductions.request_introduction(need.organization.owner, supply, need).state == "pending"


def test_only_the_two_sides_ask_once_and_only_between_public_entries(pair, settings):
    supply, need = pair
    with pytest.raises(ServiceError):
        introductions.request_introduction(OrganizationFactory().owner, supply, need)
    introductions.request_introduction(supply.organization.owner, supply, need)
    with pytest.raises(ServiceError) as refused:
        introductions.request_introduction(need.organization.owner, supply, need)
    assert refused.value.code == "duplicate"
    settings.CATALOGUE_MODERATION = True
    hidden = dataset()
    with pytest.raises(ServiceError):
        introductions.request_introduction(hidden.organization.owner, hidden, need)
