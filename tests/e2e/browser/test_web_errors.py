"""Error paths in the browser: each problem+json answer appears in plain words next to the
field it concerns, and invalid input is caught before anything is sent."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Request, expect

from tests.e2e.browser.conftest import PASSWORD, Organization, screenshot, unique_name

pytestmark = pytest.mark.e2e
# The account throttle's free failures (ThrottlePolicy.account_free_failures) plus room for a
# slow machine: a block doubles with every failure beyond them, so one of these attempts meets
# an active block however long each attempt takes.
MAX_ATTEMPTS_BEFORE_LOCK = 12


def fill_registration(page: Page, name: str) -> None:
    page.get_by_label("Organization").fill(name)
    page.get_by_label("Region").select_option("local-1")
    page.get_by_label("Email").fill(f"owner@{name}.test")
    page.get_by_label("Password").fill(PASSWORD)


def test_invalid_organization_name_is_explained_inline_before_submitting(page: Page) -> None:
    registrations: list[Request] = []
    page.on(
        "request",
        lambda r: registrations.append(r) if r.url.endswith("/auth/register") else None,
    )
    page.goto("/create-organization")
    organization = page.get_by_label("Organization")

    organization.fill("Bad_Name")
    expect(organization).to_have_attribute("aria-invalid", "true")
    expect(organization).to_have_accessible_description(re.compile("lowercase letters only"))
    organization.fill("9lives")
    expect(organization).to_have_accessible_description(re.compile("Start with a letter"))
    organization.fill("ab")
    expect(organization).to_have_accessible_description(re.compile("at least 3 characters"))
    screenshot(page, "10-create-organization-invalid-name")

    page.get_by_label("Password").fill("short")
    expect(page.get_by_label("Password")).to_have_accessible_description(re.compile("Too short"))
    page.get_by_role("button", name="Create organization").click()
    expect(organization).to_be_focused()
    expect(page.get_by_label("Email")).to_have_accessible_description(re.compile("valid email"))
    assert registrations == []

    organization.fill(unique_name("fine"))
    expect(organization).not_to_have_attribute("aria-invalid", "true")


def test_taken_organization_name_is_reported_next_to_the_name(
    page: Page, organization: Organization
) -> None:
    page.goto("/create-organization")
    fill_registration(page, organization.name)
    page.get_by_role("button", name="Create organization").click()
    field = page.get_by_label("Organization")
    expect(field).to_have_accessible_description(re.compile("already taken"))
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("heading", name=re.compile("Setting up"))).to_have_count(0)
    screenshot(page, "11-create-organization-name-taken")


def test_weak_password_from_the_server_is_reported_next_to_the_password(page: Page) -> None:
    page.goto("/create-organization")
    fill_registration(page, unique_name("weak"))
    page.get_by_label("Password").fill("password")  # long enough, but a most-common password
    page.get_by_role("button", name="Create organization").click()
    expect(page.get_by_label("Password")).to_have_accessible_description(re.compile("too common"))


def sign_in(page: Page, org: Organization, password: str) -> None:
    page.get_by_label("Organization").fill(org.name)
    page.get_by_label("Email").fill(org.email)
    page.get_by_label("Password").fill(password)
    with page.expect_response(lambda r: r.url.endswith("/auth/login")):
        page.get_by_role("button", name="Sign in", exact=True).click()


def test_wrong_password_is_reported_next_to_the_password(
    page: Page, organization: Organization
) -> None:
    page.goto("/sign-in")
    sign_in(page, organization, "not the password at all")
    password = page.get_by_label("Password")
    expect(password).to_have_accessible_description("The email or password is not right.")
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot(page, "12-sign-in-wrong-password")


def test_unknown_organization_is_reported_next_to_the_organization(page: Page) -> None:
    page.goto("/sign-in")
    ghost = Organization(unique_name("ghost"), "someone@ghost.test", PASSWORD)
    sign_in(page, ghost, PASSWORD)
    expect(page.get_by_label("Organization")).to_have_accessible_description(
        "There is no organization with this name."
    )


def test_repeated_failures_throttle_the_account_and_say_when_to_retry(
    page: Page, organization: Organization
) -> None:
    # Its own organization: the throttle counts per tenant, so no other test's account is hit.
    page.goto("/sign-in")
    alert = page.get_by_role("alert")
    for attempt in range(MAX_ATTEMPTS_BEFORE_LOCK):
        sign_in(page, organization, f"wrong guess {attempt}")
        if alert.count() > 0:
            break
    expect(alert).to_contain_text("Too many failed sign-ins for this account.")
    expect(alert).to_contain_text(re.compile(r"Try again in \d+ (second|minute)"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot(page, "13-sign-in-throttled")


def test_passkey_sign_in_without_a_passkey_says_so(page: Page, organization: Organization) -> None:
    # No virtual authenticator: the browser has nothing to offer and the UI must say so.
    page.goto("/sign-in")
    page.get_by_label("Organization").fill(organization.name)
    page.evaluate(
        "() => { navigator.credentials.get = () => Promise.reject("
        "new DOMException('cancelled', 'NotAllowedError')); }"
    )
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.get_by_role("alert")).to_contain_text("passkey sign-in was cancelled")


def test_passkey_sign_in_needs_the_organization(page: Page) -> None:
    page.goto("/sign-in")
    page.get_by_label("Organization").fill("")
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.get_by_label("Organization")).to_have_accessible_description(
        re.compile("Enter a name")
    )


def test_on_an_ip_address_the_sign_in_page_points_passkeys_to_localhost(
    page: Page, web_url: str
) -> None:
    # WebAuthn refuses IP-address origins, so http://127.0.0.1:<port> cannot use passkeys.
    page.goto(web_url.replace("localhost", "127.0.0.1") + "/sign-in")
    expect(page.get_by_role("note")).to_contain_text(f"Open {web_url} instead.")
