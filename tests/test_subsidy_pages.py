"""The web pages of pairings and the compute subsidy, for members and staff: a pairing proposed, accepted,
confirmed and formed, a claim drafted, documented, submitted, reviewed, approved and paid, and the staff's rules,
budgets and reports; bad input gets a form error, never a 500."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.models import Pairing, SubsidyClaim, SubsidyRule
from tests.factories import TINY_PDF, english_client
from tests.subsidy_helpers import PROVIDER_CODE, budget, model_team, rules, staff_team, user_unit

pytestmark = pytest.mark.django_db


def test_the_web_journey_from_pairing_to_payment():
    rules()
    budget()
    staff = staff_team()
    application, model = user_unit(), model_team()
    unit, team = english_client(application.owner), english_client(model.owner)
    assert "Pairings and compute subsidy claims" in unit.get(reverse("portal:home")).content.decode()
    bad = unit.post(reverse("portal:pairings"), {"organization": application.pk, "side": "application",
                                                  "partner": model.pk, "scenario": "", "model_title": "x",
                                                  "starts_on": "not a date"})
    assert bad.status_code == 400
    response = unit.post(reverse("portal:pairings"), {
        "organization": application.pk, "side": "application", "partner": model.pk, "scenario": "城市交通调度",
        "model_title": "交通大模型", "starts_on": "2024-03-01", "expected_outcome": "在两个区试点"})
    assert response.status_code == 302, response.content.decode()[:2000]
    pairing = Pairing.objects.get(scenario="城市交通调度")
    page = team.get(reverse("portal:pairing", args=[pairing.pk])).content.decode()
    assert "Accept the pairing" in page
    assert english_client(user_unit("北京某无关单位").owner).get(
        reverse("portal:pairing", args=[pairing.pk])).status_code == 404
    assert team.post(reverse("portal:pairing_action", args=[pairing.pk, "accept"]),
                     {"expected_state": "proposed"}).status_code == 302
    reviewer = english_client(staff["reviewer"])
    assert "城市交通调度" in reviewer.get(reverse("review:pairings")).content.decode()
    assert reviewer.post(reverse("review:pairing_act", args=[pairing.pk, "confirm"])).status_code == 302
    refused = reviewer.post(reverse("review:pairing_act", args=[pairing.pk, "mark_formed"]), {"outcome": "pilot_case"})
    assert refused.status_code == 400
    assert reviewer.post(reverse("review:pairing_act", args=[pairing.pk, "mark_formed"]), {
        "outcome": "pilot_case", "evidence": "试点案例批复文件"}).status_code == 302
    pairing.refresh_from_db()
    assert pairing.state == "formed"
    assert unit.post(reverse("portal:pairing", args=[pairing.pk]), {
        "reached_on": "2024-05-01", "title": "完成一期部署"}).status_code == 302

    form = {"provider_title": "北京某算力公司", "provider_credit_code": PROVIDER_CODE, "contract_number": "HT-WEB-1",
            "contract_signed_on": "2024-04-01", "service_starts_on": "2024-04-01", "service_ends_on": "2024-12-31",
            "contract_amount": "500000.00", "invoiced_amount": "abc", "compute_delivered": "训练算力"}
    assert team.post(reverse("portal:subsidy_claim_new", args=[pairing.pk]), form).status_code == 400
    form["invoiced_amount"] = "300000.00"
    assert team.post(reverse("portal:subsidy_claim_new", args=[pairing.pk]), form).status_code == 302
    claim = SubsidyClaim.objects.get(contract_number="HT-WEB-1")
    assert "30000.00" in team.get(reverse("portal:subsidy_claim", args=[claim.pk])).content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    for kind in ("contract", "invoice", "delivery"):
        upload = SimpleUploadedFile(f"{kind}.pdf", TINY_PDF, content_type="application/pdf")
        assert team.post(reverse("portal:subsidy_document_add", args=[claim.pk]),
                         {"kind": kind, "file": upload}).status_code == 302
    assert team.post(reverse("portal:subsidy_claim_action", args=[claim.pk, "submit"]),
                     {"expected_state": "draft"}).status_code == 302
    claim.refresh_from_db()
    assert claim.state == "submitted" and str(claim.claimed_amount) == "30000.00"

    queue = reviewer.get(reverse("review:subsidy_claims")).content.decode()
    assert "HT-WEB-1" in queue and "remaining" in queue
    assert reviewer.post(reverse("review:subsidy_claim_act", args=[claim.pk, "start_review"])).status_code == 302
    approver = english_client(staff["approver"])
    assert approver.post(reverse("review:subsidy_claim_act", args=[claim.pk, "approve"]),
                         {"approved_amount": "lots"}).status_code == 400
    assert approver.post(reverse("review:subsidy_claim_act", args=[claim.pk, "approve"]),
                         {"approved_amount": "30000.00"}).status_code == 302
    assert approver.post(reverse("review:subsidy_claim_act", args=[claim.pk, "pay"]), {
        "payment_reference": "ZF-WEB-1", "paid_on": timezone.localdate().isoformat()}).status_code == 302
    claim.refresh_from_db()
    assert claim.state == "paid" and claim.payment_reference == "ZF-WEB-1"
    document = claim.documents.first()
    assert reviewer.get(reverse("review:subsidy_document", args=[claim.pk, document.pk])).status_code == 200
    assert "ZF-WEB-1" in team.get(reverse("portal:subsidy_claim", args=[claim.pk])).content.decode()
    # The pairing is on the public page of both members.
    public = english_client().get(reverse("public:member", args=[model.membership.number])).content.decode()
    assert "城市交通调度" in public


def test_staff_edit_rules_set_budgets_and_read_reports():
    staff = staff_team()
    admin, approver, reviewer = (english_client(staff[k]) for k in ("administrator", "approver", "reviewer"))
    tomorrow = date.fromordinal(timezone.localdate().toordinal() + 1).isoformat()
    rule = {"effective_from": tomorrow, "rate": "10%", "max_share_of_contract": "0.1",
            "cap_per_company_year": "3000000", "eligible_from": "2024-01-01"}
    assert reviewer.post(reverse("review:subsidy_rules"), rule).status_code == 403
    assert not SubsidyRule.objects.exists()
    assert admin.post(reverse("review:subsidy_rules"), {**rule, "rate": "150%"}).status_code == 400
    assert admin.post(reverse("review:subsidy_rules"), rule).status_code == 302
    assert SubsidyRule.objects.get().rate == Decimal("0.1")
    year = timezone.localdate().year
    assert reviewer.post(reverse("review:subsidy_budget"), {"year": year, "amount": "100"}).status_code == 403
    assert approver.post(reverse("review:subsidy_budget"), {"year": year, "amount": "-1"}).status_code == 400
    assert approver.post(reverse("review:subsidy_budget"), {"year": year, "amount": "20000000.00"}).status_code == 302
    assert "20000000.00" in reviewer.get(reverse("review:subsidy_rules")).content.decode()
    assert reviewer.get(reverse("review:subsidy_reports") + "?year=abc").status_code == 200
    export = reviewer.get(reverse("review:subsidy_export") + f"?year={year}")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    assert english_client(model_team().owner).get(reverse("review:subsidy_reports")).status_code == 403
