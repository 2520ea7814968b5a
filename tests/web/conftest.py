"""The built web app (web/dist) in Debian's Chromium through Playwright, served by uvicorn.

`open_as` logs in through the login page as a real user would (changing the initial password
on the way); every page fails its test on a script error, a console error, or a request to any
host but the hub: the app must work on a site with no internet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from api.web_app import DIST_DIR
from hub.context import HubContext
from hub.services.site import LoadResult
from tests.conftest import IN_CI
from tests.support.server import serving

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = (1440, 900)
WALL = (1920, 1080)
PHONE = (360, 740)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# How long an assertion waits for the page to get there. Playwright's 5 s default was once too
# short on a loaded CI machine (the site plan's image came after the assertion gave up); the
# page still has to get there, the wait only ends sooner when it does.
expect.set_options(timeout=15_000)

OpenAs = Callable[..., Page]


def new_password(initial: str) -> str:
    """The password a test user picks on first login (meets the policy, unlike nothing else)."""
    return initial + "Xy9!"


def launch(playwright_args: list[str] | None = None) -> Iterator[Browser]:
    """Debian's Chromium, or a skip (a failure under CI=true) naming what is missing."""
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail("CI=true but /usr/bin/chromium is missing (apt-get install -y chromium)")
        pytest.skip("Debian's Chromium is not at /usr/bin/chromium (apt-get install -y chromium)")
    if not (DIST_DIR / "index.html").is_file():
        pytest.fail("web/dist is not built: run `make web` (make test builds it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=LAUNCH_ARGS + (playwright_args or []),
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium for the module; each tab gets its own browser context (no shared storage)."""
    yield from launch()


@pytest.fixture
def hub_url(context: HubContext, site: LoadResult) -> Iterator[str]:
    """The hub's app (API and web app) on a free port, over the test database with the site."""
    with serving(context) as url:
        yield url


def _is_problem(kind: str, text: str) -> bool:
    """Console errors count, except the browser's note on an HTTP error the page handles."""
    return kind == "error" and not text.startswith("Failed to load resource")


@pytest.fixture
def new_tab(browser: Browser, hub_url: str) -> Iterator[Callable[[tuple[int, int]], Page]]:
    """Tabs in Shanghai time, each in its own browser context, watched for problems."""
    contexts: list[BrowserContext] = []
    problems: list[str] = []
    hub_host = urlparse(hub_url).netloc

    def make(viewport: tuple[int, int]) -> Page:
        width, height = viewport
        context = browser.new_context(
            timezone_id="Asia/Shanghai",
            locale="zh-CN",
            viewport={"width": width, "height": height},
            base_url=hub_url,
        )
        contexts.append(context)
        tab = context.new_page()
        tab.on(
            "request",
            lambda request: (
                problems.append(f"fetched from outside: {request.url}")
                if urlparse(request.url).netloc not in (hub_host, "")
                else None
            ),
        )
        tab.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        tab.on(
            "console",
            lambda m: problems.append(m.text) if _is_problem(m.type, m.text) else None,
        )
        return tab

    yield make
    for context in contexts:
        context.close()
    assert problems == []


def log_in(page: Page, username: str, password: str, *, first_time: bool = True) -> None:
    """Log in through the login page; the first time, set the new password it asks for."""
    form = page.locator("[data-test=login-form]")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    if first_time:
        change = page.locator("[data-test=password-form]")
        change.locator("input[name=new_password]").fill(new_password(password))
        change.locator("input[name=repeat_password]").fill(new_password(password))
        change.locator("button[type=submit]").click()
    expect(page.locator("[data-test=login-form], [data-test=password-form]")).to_have_count(0)


@pytest.fixture
def open_as(new_tab: Callable[[tuple[int, int]], Page], site: LoadResult) -> OpenAs:
    """A tab logged in as `username` (first login: initial password, then a new one), showing
    `path` (the role's start page when empty)."""
    logged_in: set[str] = set()

    def open_page(username: str, path: str = "", viewport: tuple[int, int] = DESKTOP) -> Page:
        page = new_tab(viewport)
        page.goto(path or "/")
        initial = site.new_accounts[username]
        first = username not in logged_in
        log_in(page, username, initial if first else new_password(initial), first_time=first)
        logged_in.add(username)
        if path:
            page.wait_for_url(f"**{path}")
        return page

    return open_page


def shot(page: Page, name: str) -> Path:
    """A full-page screenshot under docs/screenshots/ (the role guides show them)."""
    path = SCREENSHOTS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path
