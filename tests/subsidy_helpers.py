"""Members, pairings and claims for the tests of pairings and the compute subsidy, built through the services."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from partners.enums import ApplicationState
from partners.models import (
    Application,
    District,
    Membership,
    MembershipGrant,
    RequestedType,
    SubsidyBudget,
    SubsidyRule,
)
from partners.services import pairings, subsidy_claims
from partners.validators import build_credit_code
from tests.factories import TINY_PDF, ApplicationFactory, OrganizationFactory, make_staff

_contracts = itertools.count(1)
PROVIDER_CODE = build_credit_code("9", "1", "110108", "77770001")


def staff_team():
    return {"reviewer": make_staff("reviewer"), "approver": make_staff("approver"),
            "administrator": make_staff("administrator")}


_numbers = itertools.count(1)


def member(name, partner_type):
    """An admitted organisation holding one partner type, numbered apart from the numbers admissions allocate
    (written directly, as tests/public_fixtures.py does: admission has its own tests)."""
    organization = OrganizationFactory(name=name, name_en=f"{name} Ltd", district=District.objects.get(code="110108"))
    application = ApplicationFactory(organization=organization, created_by=organization.owner)
    RequestedType.objects.create(application=application, organization=organization, partner_type=partner_type,
                                 is_open=False, granted=True)
    Application.objects.filter(pk=application.pk).update(state=ApplicationState.ADMITTED)
    membership = Membership.objects.create(organization=organization, number=f"BJAI-2099-{next(_numbers):05d}",
                                           admitted_at=timezone.now())
    MembershipGrant.objects.create(membership=membership, partner_type=partner_type, application=application,
                                   granted_on=timezone.localdate())
    return organization


def user_unit(name="北京市某三甲医院"):
    return member(name, "application")


def model_team(name="北京某大模型科技有限公司"):
    return member(name, "model")


def pdf(name):
    return SimpleUploadedFile(name, TINY_PDF, content_type="application/pdf")


def rules(effective_from=date(2024, 1, 1), *, rate="0.10", share="0.10", cap="5000000.00",
          eligible_from=date(2024, 1, 1), eligible_until=None):
    """A rules version written directly (staff add versions through the service, never in the past)."""
    return SubsidyRule.objects.create(effective_from=effective_from, rate=Decimal(rate),
                                      max_share_of_contract=Decimal(share), cap_per_company_year=Decimal(cap),
                                      eligible_from=eligible_from, eligible_until=eligible_until)


def budget(amount="10000000.00", year=None):
    return SubsidyBudget.objects.update_or_create(year=year or timezone.localdate().year,
                                                  defaults={"amount": Decimal(amount)})[0]


def standing_pairing(staff, *, formed=True, application=None, model=None):
    """A pairing proposed by the user unit, accepted by the model team, confirmed (and formed) by staff."""
    application = application or user_unit()
    model = model or model_team()
    pairing = pairings.propose(application.owner, application, side="application", partner=model,
                               scenario="医学影像辅助诊断", model_title="某医疗大模型 v2",
                               starts_on=date(2024, 3, 1), expected_outcome="在三家医院试点")
    pairings.fire(model.owner, pairing, "accept")
    pairings.fire(staff["reviewer"], pairing, "confirm")
    if formed:
        pairings.fire(staff["reviewer"], pairing, "mark_formed", outcome="pilot_case",
                      evidence="市卫健委试点案例通报（2024年第3期）")
    pairing.refresh_from_db()
    return pairing


def facts(**overrides):
    today = timezone.localdate()
    base = {"provider_title": "北京某算力服务有限公司", "provider_credit_code": PROVIDER_CODE,
            "contract_number": f"HT-2024-{next(_contracts):04d}", "contract_signed_on": date(2024, 6, 1),
            "service_starts_on": date(2024, 6, 1), "service_ends_on": today + timedelta(days=30),
            "contract_amount": "1000000.00", "invoiced_amount": "800000.00",
            "compute_delivered": "A800 训练算力 512 卡·月"}
    base.update(overrides)
    return base


def draft_claim(pairing, **overrides):
    person = pairing.model_partner.owner
    claim = subsidy_claims.create_claim(person, pairing, facts(**overrides))
    for kind, name in (("contract", "算力合同.pdf"), ("invoice", "发票.pdf"), ("delivery", "交付证明.pdf")):
        subsidy_claims.add_document(person, claim, pdf(name), kind)
    return claim


def submitted_claim(pairing, **overrides):
    claim = draft_claim(pairing, **overrides)
    return subsidy_claims.fire(pairing.model_partner.owner, claim, "submit")
