"""No secret the tests created reaches any log of the platform (checklist item 23, identity part).

Named to sort last in this folder, so it scans after every identity test has run and recorded
its passwords and tokens in :data:`LEDGER`. It also does its own sign-ins first (password,
refresh, passkey, failures), so it cannot pass vacuously when run alone, and it checks that the
logs it reads are the live ones: non-empty, with the lines those requests are known to write.
"""

from __future__ import annotations

import json

import pytest

from chalkops.local.platform import Infrastructure, LocalPlatform
from tests.e2e.identity.support import (
    LEDGER,
    Session,
    client,
    login,
    passkey_options,
    passkey_verify,
    record_pair,
    register_passkey,
    register_tenant,
)
from tests.support.authenticator import SoftAuthenticator

pytestmark = pytest.mark.e2e


def exercise_every_secret_path(central_url: str, origin: str) -> None:
    """Passwords in, tokens out, a refresh, a passkey, refused attempts: all through the API."""
    with client(central_url) as http:
        tenant = register_tenant(http, "local-2", prefix="scan")
        for wrong in ("wrong password one", "wrong password two"):
            assert login(http, tenant, tenant.admin_email, wrong).status_code == 401
        pair = login(http, tenant, tenant.admin_email, tenant.admin_password).json()
        refreshed = http.post(
            f"{tenant.prefix}/auth/refresh", json={"refresh_token": pair["refresh_token"]}
        )
        assert refreshed.status_code == 200
        record_pair(refreshed.json())
        session = Session(http, tenant, refreshed.json()["access_token"], "")
        key = SoftAuthenticator(origin=origin)
        register_passkey(session, key)
        options = passkey_options(http, tenant)
        refused = passkey_verify(http, tenant, key.get(options, user_verified=False), None)
        assert refused.status_code == 401
        assert session.post("/auth/logout").status_code == 204


def platform_secrets(infra: Infrastructure, platform: LocalPlatform) -> list[tuple[str, str]]:
    found = [("vault_root_token", infra.openbao.root_token)]
    found += [(f"vault_secret_id:{name}", login.secret_id) for name, login in infra.logins.items()]
    for path in platform.layout.secrets.glob("*.json"):
        saved = json.loads(path.read_text())
        found += [("vault_unseal_key", key) for key in saved.get("keys", [])]
    return found


def needles(kind: str, value: str) -> list[str]:
    """The value, and for a JWT also its signature alone (a log might cut a token short)."""
    if kind.endswith("token") and value.count(".") == 2:
        signature = value.rsplit(".", 1)[1]
        return [value, signature] if len(signature) >= 40 else [value]
    return [value]


def test_no_password_token_or_vault_credential_appears_in_any_log_line(
    central_url: str, origin: str, platform_infra: Infrastructure, local_platform: LocalPlatform
) -> None:
    exercise_every_secret_path(central_url, origin)
    logs = sorted(path for path in local_platform.layout.logs.rglob("*") if path.is_file())
    texts = {path: path.read_text(errors="replace") for path in logs}

    # The scan reads the live logs of every service, and they hold what these requests wrote.
    names = {path.name for path in logs}
    assert {"central-api.log", "regional-api-local-1.log", "regional-api-local-2.log"} <= names
    assert all(texts[path] for path in logs if path.name.startswith(("central", "regional")))
    regional = texts[local_platform.layout.logs / "regional-api-local-2.log"]
    assert '"message":"passkey registered"' in regional
    assert '"message":"passkey sign-in refused"' in regional

    secrets = LEDGER.items()
    kinds = {kind for _, kind in secrets}
    assert {"password", "access_token", "refresh_token"} <= kinds
    secrets = [(kind, value) for value, kind in secrets]
    secrets += platform_secrets(platform_infra, local_platform)
    assert len(secrets) > 10

    leaks = [
        f"{kind} in {path.name}"
        for kind, value in secrets
        for needle in needles(kind, value)
        for path, text in texts.items()
        if needle in text
    ]
    assert leaks == []


def test_the_scan_would_notice_a_leak() -> None:
    # The matcher itself: a token or its signature alone in a line is found.
    token = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0." + "s" * 86
    line = f'{{"message":"oops","detail":"{token.rsplit(".", 1)[1]}"}}'
    assert any(needle in line for needle in needles("access_token", token))
    assert any(needle in "password=hunter2 hunter2" for needle in needles("password", "hunter2"))
