"""The whole tenant slice in a real browser: create an organization, sign in with a password,
add a passkey, sign out, sign in with the passkey without typing an email, manage users."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser.conftest import (
    PASSWORD,
    Organization,
    VirtualAuthenticator,
    screenshot,
    unique_name,
)

pytestmark = pytest.mark.e2e


def test_create_organization_then_password_then_passkey_then_users(
    page: Page, authenticator: VirtualAuthenticator
) -> None:
    # Given a new organization created from the UI
    name = unique_name("journey")
    email = f"owner@{name}.test"
    page.goto("/create-organization")
    expect(page.get_by_role("heading", name="Create an organization")).to_be_visible()
    page.get_by_label("Organization").fill(name)
    expect(page.get_by_label("Region")).to_contain_text("local-1")
    page.get_by_label("Region").select_option("local-1")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    expect(page.get_by_label("Password")).to_have_accessible_description(re.compile("Strong|Fair"))
    screenshot(page, "01-create-organization")
    page.get_by_role("button", name="Create organization").click()
    expect(page.get_by_text("Your organization is ready.")).to_be_visible()
    screenshot(page, "02-organization-ready")

    # When its admin signs in with the password
    page.get_by_role("link", name="Continue to sign in").click()
    expect(page.get_by_label("Organization")).to_have_value(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    screenshot(page, "03-sign-in")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()
    expect(page.get_by_text(email)).to_be_visible()
    expect(page.get_by_text("admin", exact=True)).to_be_visible()
    screenshot(page, "04-profile")

    # … adds a passkey with a nickname
    page.get_by_role("link", name="Passkeys").click()
    expect(page.get_by_text("You have no passkeys yet.")).to_be_visible()
    screenshot(page, "05-passkeys-empty")
    page.get_by_label("Nickname").fill("Test laptop")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text('Passkey "Test laptop" added.')).to_be_visible()
    passkey = page.get_by_role("listitem").filter(has_text="Test laptop")
    expect(passkey).to_contain_text("Created")
    expect(passkey).to_contain_text("Never")
    screenshot(page, "06-passkeys")
    [credential] = authenticator.credentials()
    assert credential["isResidentCredential"] is True

    # … signs out
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    # … and signs in again with the passkey alone: no email typed
    page.get_by_label("Organization").fill(name)
    expect(page.get_by_label("Email")).to_have_value("")
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()
    expect(page.get_by_text(email)).to_be_visible()
    page.get_by_role("link", name="Passkeys").click()
    used = page.get_by_role("listitem").filter(has_text="Test laptop")
    expect(used).to_be_visible()
    expect(used).not_to_contain_text("Never")

    # Then the admin manages users: list, create, change role, remove
    page.get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    users = page.get_by_role("list", name="Users")
    expect(users.get_by_role("listitem")).to_have_count(1)
    expect(users).to_contain_text(email)
    member = f"member@{name}.test"
    page.get_by_label("Email").fill(member)
    page.get_by_label("Password").fill("another long passphrase")
    page.get_by_role("button", name="Add user").click()
    expect(page.get_by_text(f"{member} can now sign in.")).to_be_visible()
    row = users.get_by_role("listitem").filter(has_text=member)
    expect(row.get_by_label("Role")).to_have_value("member")
    screenshot(page, "07-users")

    with page.expect_response(lambda r: r.request.method == "PATCH") as patched:
        row.get_by_label("Role").select_option("admin")
    assert patched.value.status == 200
    page.reload()
    row = page.get_by_role("list", name="Users").get_by_role("listitem").filter(has_text=member)
    expect(row.get_by_label("Role")).to_have_value("admin")

    row.get_by_role("button", name=f"Remove {member}").click()
    row.get_by_role("button", name="Yes, remove").click()
    expect(page.get_by_role("list", name="Users").get_by_role("listitem")).to_have_count(1)

    # … and finally deletes the passkey again
    page.get_by_role("link", name="Passkeys").click()
    page.get_by_role("button", name="Delete passkey Test laptop").click()
    expect(page.get_by_text("You have no passkeys yet.")).to_be_visible()


def test_sign_in_by_keyboard_alone(page: Page, organization: Organization) -> None:
    page.goto("/sign-in")
    page.get_by_label("Organization").focus()
    page.keyboard.type(organization.name)
    page.keyboard.press("Tab")
    page.keyboard.type(organization.email)
    page.keyboard.press("Tab")
    page.keyboard.type(organization.password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()
    # The next navigation puts focus on the new page's heading.
    expect(page.get_by_role("heading", name="Your profile")).to_be_focused()


def test_deep_link_to_a_protected_page_signs_in_first_and_comes_back(
    page: Page, organization: Organization
) -> None:
    page.goto("/users")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Organization").fill(organization.name)
    page.get_by_label("Email").fill(organization.email)
    page.get_by_label("Password").fill(organization.password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    expect(page.get_by_role("list", name="Users")).to_contain_text(organization.email)


def test_global_admin_signs_in_separately(page: Page, organization: Organization) -> None:
    # Registration made the organization's owner a global admin with the same password.
    page.goto("/sign-in")
    page.get_by_role("link", name="Global admin sign-in").click()
    expect(page.get_by_role("heading", name="Global admin sign-in")).to_be_visible()
    page.get_by_label("Email").fill(organization.email)
    page.get_by_label("Password").fill(organization.password)
    screenshot(page, "08-global-admin-sign-in")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Global admin", exact=True)).to_be_visible()
    expect(page.get_by_text(organization.email)).to_be_visible()
    screenshot(page, "09-global-admin")


def test_a_member_has_no_users_page(
    page: Page, organization: Organization, central_url: str
) -> None:
    # Given a member created by the admin through the API
    base = f"{central_url}/tenants/{organization.name}"
    login = httpx.post(
        f"{base}/auth/login",
        json={"email": organization.email, "password": organization.password},
        timeout=60,
    )
    assert login.status_code == 200, login.text
    member = f"member@{organization.name}.test"
    created = httpx.post(
        f"{base}/users",
        json={"email": member, "password": PASSWORD, "roles": ["member"]},
        headers={"Authorization": f"Bearer {login.json()['access_token']}"},
        timeout=60,
    )
    assert created.status_code == 201, created.text

    # When the member signs in
    page.goto("/sign-in")
    page.get_by_label("Organization").fill(organization.name)
    page.get_by_label("Email").fill(member)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()

    # Then there is no users page for them, not even by its address
    expect(page.get_by_role("link", name="Passkeys")).to_be_visible()
    expect(page.get_by_role("link", name="Users")).to_have_count(0)
    page.goto("/users")
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()
