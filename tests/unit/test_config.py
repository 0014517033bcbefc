from __future__ import annotations

import pytest

from chalkops.config import CentralSettings, Environment, RegionalSettings, ServiceSettings
from chalkops.errors import ConfigurationError


def test_settings_parse_nested_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHALKOPS_VAULT__ADDR", "http://vault.internal:8200")
    monkeypatch.setenv("CHALKOPS_DATABASE__DBNAME", "chalkops_global")
    monkeypatch.setenv(
        "CHALKOPS_REGIONS",
        '[{"code": "eu-1", "name": "Europe", "api_url": "http://eu"}]',
    )
    settings = CentralSettings()
    assert settings.vault.addr == "http://vault.internal:8200"
    assert settings.database.dbname == "chalkops_global"
    assert [region.code for region in settings.regions] == ["eu-1"]


@pytest.mark.parametrize("placeholder", ["changeme", "", "dev-secret", "placeholder"])
def test_placeholder_secrets_are_refused_outside_development(
    monkeypatch: pytest.MonkeyPatch, placeholder: str
) -> None:
    monkeypatch.setenv("CHALKOPS_ENVIRONMENT", "production")
    monkeypatch.setenv("CHALKOPS_VAULT__SECRET_ID", placeholder)
    with pytest.raises(ConfigurationError, match="CHALKOPS_VAULT__SECRET_ID"):
        ServiceSettings()


def test_placeholder_secrets_are_tolerated_in_development(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHALKOPS_VAULT__SECRET_ID", "changeme")
    assert ServiceSettings().environment is Environment.DEVELOPMENT


def test_real_secret_is_accepted_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHALKOPS_ENVIRONMENT", "production")
    monkeypatch.setenv("CHALKOPS_VAULT__SECRET_ID", "6f1c0b9e-real-looking-secret-id")
    assert ServiceSettings().vault.secret_id is not None


def test_invalid_regions_json_is_a_clear_configuration_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CHALKOPS_REGIONS", "[{not json")
    with pytest.raises(ConfigurationError, match="CHALKOPS_REGIONS is not valid JSON"):
        CentralSettings()


def test_webauthn_origins_are_an_allow_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "CHALKOPS_WEBAUTHN_ORIGINS", "http://localhost:8000, https://app.chalkops.dev"
    )
    assert RegionalSettings().webauthn_origins == [
        "http://localhost:8000",
        "https://app.chalkops.dev",
    ]


def test_access_tokens_cannot_be_configured_past_fifteen_minutes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CHALKOPS_ACCESS_TOKEN_SECONDS", "3600")
    with pytest.raises(ValueError, match="access_token_seconds"):
        RegionalSettings()
