"""Fixtures of the browser tests: Debian's Chromium driven by Playwright, a virtual passkey.

The browser opens ``http://localhost:<central port>``, the WebAuthn origin the regional APIs
accept, where the central API serves the built web UI. Every page is 360 px wide, so each test
also checks that the UI works on a small phone.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    CDPSession,
    Page,
    Playwright,
    ViewportSize,
    sync_playwright,
)

from chalkops.local.platform import LocalPlatform
from chalkops.local.state import project_root

SCREENSHOTS = project_root() / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct horse battery staple"
NARROW: ViewportSize = {"width": 360, "height": 780}


@dataclass(frozen=True)
class Organization:
    name: str
    email: str
    password: str


def unique_name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


# Package scope: Playwright's sync API keeps an asyncio loop running in this thread until it
# stops, which would break every later test that starts a loop of its own (asyncio.run).
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "the browser tests need Debian's Chromium on PATH: apt-get install chromium "
            "(never `playwright install`)",
            pytrace=False,
        )
    launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture(scope="session")
def web_url(local_platform: LocalPlatform) -> str:
    if local_platform.web_root is None:
        pytest.fail(
            "the web UI is not built (web/dist/chalkops-web/browser/index.html is missing): "
            "run `make web` or `make test`",
            pytrace=False,
        )
    # localhost, not 127.0.0.1: it is the WebAuthn origin the regional APIs accept.
    return f"http://localhost:{local_platform.ports.central}"


@pytest.fixture
def page(browser: Browser, web_url: str) -> Iterator[Page]:
    context = browser.new_context(base_url=web_url, viewport=NARROW)
    context.set_default_timeout(30_000)
    opened = context.new_page()
    yield opened
    context.close()


@dataclass(frozen=True)
class VirtualAuthenticator:
    cdp: CDPSession
    authenticator_id: str

    def credentials(self) -> list[dict[str, object]]:
        answer = self.cdp.send(
            "WebAuthn.getCredentials", {"authenticatorId": self.authenticator_id}
        )
        return list(answer["credentials"])


@pytest.fixture
def authenticator(page: Page) -> Iterator[VirtualAuthenticator]:
    """A platform authenticator with user verification that keeps discoverable credentials."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    yield VirtualAuthenticator(cdp, str(added["authenticatorId"]))
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": added["authenticatorId"]})


@pytest.fixture
def organization(central_url: str) -> Organization:
    """An active organization registered through the API (for tests about other screens)."""
    name = unique_name("web")
    org = Organization(name=name, email=f"admin@{name}.test", password=PASSWORD)
    body = {
        "tenant_name": org.name,
        "region": "local-1",
        "admin_email": org.email,
        "admin_password": org.password,
    }
    response = httpx.post(f"{central_url}/auth/register", json=body, timeout=60)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "active", response.text
    return org


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as a test artefact (test-artifacts/screenshots, never committed)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path: Path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
