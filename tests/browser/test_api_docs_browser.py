"""The API documentation pages in a real browser: they render the operations, show a favicon, and nothing
they load is blocked by the Content Security Policy or missing."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("path,rendered", [("/api/docs/", ".opblock-tag"), ("/api/redoc/", "[role=menuitem]")])
def test_documentation_pages_load_everything_they_ask_for(live_server, page, path, rendered):
    blocked, failed, bad = [], [], []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("response", lambda r: bad.append((r.status, r.url)) if r.status >= 400 else None)
    page.goto(live_server.url + path)
    expect(page.locator(rendered).first).to_be_visible()
    page.wait_for_load_state("networkidle")
    icon = page.locator("link[rel~=icon]").first
    href = icon.get_attribute("href")
    assert href, "no favicon"
    assert page.request.get(live_server.url + href if href.startswith("/") else href).status == 200
    assert blocked == [] and failed == [] and bad == []
