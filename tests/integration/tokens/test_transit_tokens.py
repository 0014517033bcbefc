"""Tokens against the real embedded OpenBao: transit signing, rotation, the kv forwarding key."""

from __future__ import annotations

from collections.abc import Iterator

import hvac
import hvac.exceptions
import jwt
import pytest
from pydantic import SecretStr

from chalkops.config import VaultSettings
from chalkops.local.platform import Infrastructure
from chalkops.secrets.vault import VaultKeyValue, VaultSession, VaultTransit
from chalkops.tokens.exceptions import InvalidForwardingCredential, InvalidToken
from chalkops.tokens.forwarding import ForwardingSigner, ForwardingVerifier
from chalkops.tokens.jwt import TokenIssuer, TokenVerifier
from chalkops.tokens.keys import PublicKeyCache, jwks
from chalkops.tokens.types import TENANT_ACCESS_TYP, TENANT_AUDIENCE
from tests.conftest import vault_settings_for

pytestmark = pytest.mark.integration

REGION_ISSUER = "chalkops-region:local-1"
TENANT_ID = "0190f0c4-1111-7aaa-8bbb-0123456789ab"


def transit_for(infra: Infrastructure, service: str) -> VaultTransit:
    return VaultTransit(VaultSession(vault_settings_for(infra, service)))


def tenant_pair(
    transit: VaultTransit, key: str, **cache: float
) -> tuple[TokenIssuer, TokenVerifier]:
    issuer = TokenIssuer(
        transit,
        key=key,
        issuer=REGION_ISSUER,
        audience=TENANT_AUDIENCE,
        typ=TENANT_ACCESS_TYP,
        lifetime_seconds=900,
    )
    verifier = TokenVerifier(
        PublicKeyCache(transit, key, **cache),
        issuer=REGION_ISSUER,
        audience=TENANT_AUDIENCE,
        typ=TENANT_ACCESS_TYP,
    )
    return issuer, verifier


def test_a_token_signed_in_transit_verifies_with_the_published_key(
    platform_infra: Infrastructure,
) -> None:
    transit = transit_for(platform_infra, "regional-api-local-1")
    issuer, verifier = tenant_pair(transit, "jwt-local-1")
    issued = issuer.issue(subject="user-1", roles=["admin"], tenant_id=TENANT_ID)
    claims = verifier.verify(issued.token)
    assert (claims.sub, claims.tenant_id, claims.roles) == ("user-1", TENANT_ID, ("admin",))
    assert jwt.get_unverified_header(issued.token)["kid"] == issued.kid
    latest = max(transit.public_keys("jwt-local-1"), key=lambda key: key.version)
    assert issued.kid == latest.kid, "the header names the version transit signed with"


def test_the_jwks_of_a_region_verifies_its_tokens(platform_infra: Infrastructure) -> None:
    transit = transit_for(platform_infra, "regional-api-local-1")
    issuer, _ = tenant_pair(transit, "jwt-local-1")
    issued = issuer.issue(subject="user-1", roles=[])
    document = jwks(PublicKeyCache(transit, "jwt-local-1").published())
    by_kid = {key["kid"]: key for key in document["keys"]}
    claims = jwt.decode(
        issued.token, jwt.PyJWK(by_kid[issued.kid]), algorithms=["ES256"], audience=TENANT_AUDIENCE
    )
    assert claims["jti"] == issued.jti


def test_a_token_signed_by_one_regions_key_is_refused_by_another_region(
    platform_infra: Infrastructure,
) -> None:
    issuer, _ = tenant_pair(transit_for(platform_infra, "regional-api-local-1"), "jwt-local-1")
    _, region_2 = tenant_pair(transit_for(platform_infra, "regional-api-local-2"), "jwt-local-2")
    with pytest.raises(InvalidToken):
        region_2.verify(issuer.issue(subject="user-1", roles=["admin"]).token)


@pytest.fixture
def rotation_key(platform_infra: Infrastructure, vault_root: hvac.Client) -> Iterator[str]:
    # A key of our own: jwt-local-1 is shared by every test of the session, and rotating or
    # retiring it would change what they see.
    name = "jwt-rotation-test"
    vault_root.secrets.transit.create_key(name=name, key_type="ecdsa-p256")
    yield name
    vault_root.secrets.transit.update_key_configuration(name=name, deletion_allowed=True)
    vault_root.secrets.transit.delete_key(name=name)


@pytest.fixture
def operator_transit(platform_infra: Infrastructure) -> VaultTransit:
    # Services may not rotate keys (their policy has no rotate path); an operator token may.
    settings = VaultSettings(
        addr=platform_infra.openbao.addr,
        auth_method="token",
        token=SecretStr(platform_infra.openbao.root_token),
    )
    return VaultTransit(VaultSession(settings))


def test_rotation_keeps_old_tokens_valid_until_their_version_is_retired(
    rotation_key: str, operator_transit: VaultTransit, vault_root: hvac.Client
) -> None:
    issuer, verifier = tenant_pair(operator_transit, rotation_key, min_refresh_interval_seconds=0)
    before = issuer.issue(subject="user-1", roles=["admin"])
    assert verifier.verify(before.token).jti == before.jti

    vault_root.secrets.transit.rotate_key(name=rotation_key)
    after = issuer.issue(subject="user-1", roles=["admin"])
    assert (before.kid, after.kid) == (f"{rotation_key}-v1", f"{rotation_key}-v2")
    assert verifier.verify(after.token).jti == after.jti, "the new kid is fetched on first sight"
    assert verifier.verify(before.token).jti == before.jti, "the previous version still verifies"

    operator_transit.retire_below(rotation_key, 2)
    cache = PublicKeyCache(operator_transit, rotation_key)
    assert [key["kid"] for key in jwks(cache.published())["keys"]] == [f"{rotation_key}-v2"]
    _, fresh = tenant_pair(operator_transit, rotation_key)
    with pytest.raises(InvalidToken):
        fresh.verify(before.token)
    assert fresh.verify(after.token).jti == after.jti


def test_a_service_cannot_rotate_its_own_signing_key(platform_infra: Infrastructure) -> None:
    with pytest.raises(hvac.exceptions.Forbidden):
        transit_for(platform_infra, "regional-api-local-1").rotate("jwt-local-1")


def test_the_forwarding_credential_works_with_the_key_pair_vault_holds(
    platform_infra: Infrastructure,
) -> None:
    central_kv = VaultKeyValue(VaultSession(vault_settings_for(platform_infra, "central-api")))
    signing = central_kv.read("forwarding/signing")
    signer = ForwardingSigner(signing["private_pem"], signing["kid"])
    public = {}
    for region in ("local-1", "local-2"):
        session = VaultSession(vault_settings_for(platform_infra, f"regional-api-{region}"))
        public[region] = VaultKeyValue(session).read("forwarding/public")
    region_1 = ForwardingVerifier(
        public["local-1"]["public_pem"], public["local-1"]["kid"], region="local-1"
    )
    region_2 = ForwardingVerifier(
        public["local-2"]["public_pem"], public["local-2"]["kid"], region="local-2"
    )

    path = "/tenants/acme/users/me"
    token = signer.sign(
        tenant_id=TENANT_ID, tenant_name="acme", region="local-1", method="GET", path=path
    )
    tenant = region_1.verify(token, method="GET", path=path)
    assert (tenant.tenant_id, tenant.tenant_name, tenant.region) == (TENANT_ID, "acme", "local-1")
    with pytest.raises(InvalidForwardingCredential):
        region_2.verify(token, method="GET", path=path)


def test_a_token_issued_right_after_a_rotation_verifies_in_the_same_process_at_once(
    rotation_key: str, operator_transit: VaultTransit, vault_root: hvac.Client
) -> None:
    # Given a cache that would not re-read Vault for a long while after its first load …
    cache = PublicKeyCache(operator_transit, rotation_key, min_refresh_interval_seconds=3600)
    issuer = TokenIssuer(
        operator_transit,
        key=rotation_key,
        issuer=REGION_ISSUER,
        audience=TENANT_AUDIENCE,
        typ=TENANT_ACCESS_TYP,
        lifetime_seconds=900,
        on_new_kid=cache.expect,
    )
    verifier = TokenVerifier(
        cache, issuer=REGION_ISSUER, audience=TENANT_AUDIENCE, typ=TENANT_ACCESS_TYP
    )
    before = issuer.issue(subject="user-1", roles=["admin"])
    assert verifier.verify(before.token).jti == before.jti
    # … when an operator rotates the key, the issuer's next token names the new version
    vault_root.secrets.transit.rotate_key(name=rotation_key)
    after = issuer.issue(subject="user-1", roles=["admin"])
    assert after.kid == f"{rotation_key}-v2"
    # … and the verifier beside it accepts it at once, and the old one still.
    assert verifier.verify(after.token).jti == after.jti
    assert verifier.verify(before.token).jti == before.jti
