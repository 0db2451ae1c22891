"""In a real browser: "Add a scenario" adds a row in the page (no round trip, no CDN) and both rows are saved."""

import pytest
from playwright.sync_api import expect

from partners.enums import PartnerType
from partners.models import Scenario
from tests.browser.test_journey_browser import log_in
from tests.factories import ApplicationFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_add_a_scenario_in_the_page_then_save_both(live_server, zh_page):
    from partners.services import applications as app_services

    owner = UserFactory(email="scenario-owner@example.com")
    organization = OrganizationFactory(owner=owner)
    application = ApplicationFactory(organization=organization, created_by=owner)
    app_services.set_partner_types(owner, application, [PartnerType.APPLICATION])
    errors, requests = [], []
    zh_page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    zh_page.on("request", lambda r: requests.append(r.url))
    log_in(zh_page, live_server.url, owner.email)
    zh_page.goto(f"{live_server.url}/portal/applications/{application.pk}/step/profiles/")
    zh_page.locator("#id_application-summary").fill("开放场景")
    zh_page.locator("#id_scenarios-0-title").fill("园区巡检")
    zh_page.locator("#id_scenarios-0-description").fill("巡检视频")
    url_before = zh_page.url
    zh_page.locator("[data-formset-add=scenarios]").click()
    expect(zh_page.locator("#id_scenarios-1-title")).to_be_visible()
    assert zh_page.url == url_before and zh_page.locator("#id_scenarios-0-title").input_value() == "园区巡检"
    assert zh_page.locator("input[name=scenarios-TOTAL_FORMS]").input_value() == "2"
    zh_page.locator("#id_scenarios-1-title").fill("质检")
    zh_page.locator("#id_scenarios-1-description").fill("产线质检图像")
    zh_page.locator("main button[name=save]").click()
    expect(zh_page.locator(".alert-success")).to_be_visible()
    assert sorted(Scenario.objects.values_list("title", flat=True)) == ["园区巡检", "质检"]
    assert not errors, errors
    assert all(r.startswith(live_server.url) for r in requests), "every asset comes from the site itself"
