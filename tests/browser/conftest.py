"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium) against pytest-django's live server."""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

# A loaded two-core CI machine can be slow to answer; waiting longer costs nothing when it is fast.
expect.set_options(timeout=15_000)

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still
# synchronous and safe here, so Django's guard against ORM use inside an event loop is relaxed.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM) or shutil.which("chromium"):
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install chromium; .ci/run does)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture
def shoot(tmp_path):
    """Save a screenshot; into docs/screenshots/ when UPDATE_SCREENSHOTS=1, else into the test's tmp dir."""
    target = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path

    def take(page, name, full_page=True):
        """`page` may be a page or a locator (then pass full_page=None: a locator shoots just its element)."""
        target.mkdir(parents=True, exist_ok=True)
        path = target / f"{name}.png"
        page.screenshot(path=str(path), **({} if full_page is None else {"full_page": full_page}))
        return path

    return take


@pytest.fixture
def zh_page(page):
    """A page whose browser asks for Chinese, as most visitors' browsers do."""
    page.set_extra_http_headers({"Accept-Language": "zh-CN,zh;q=0.9"})
    return page
