"""Typed settings, parsed once per process from ``CHALKOPS_*`` environment variables.

Each process kind has one model (central API, regional API, provisioner, local platform); the
composition root builds it once and hands pieces down — logic never reads ``os.environ``.
Outside development, a placeholder secret (``changeme``, ``dev-…``, empty) refuses to start.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from chalkops.crypto import Argon2Profile
from chalkops.errors import ConfigurationError

LAMBDA_PYTHON_RUNTIME = "python3.12"
"""The one Lambda runtime every function and the layer are built for (stacks use this)."""

_PLACEHOLDERS = {"", "changeme", "change-me", "change_me", "placeholder", "secret", "password"}


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


def is_placeholder(value: str) -> bool:
    lowered = value.strip().lower()
    return lowered in _PLACEHOLDERS or lowered.startswith(("dev-", "local-dev", "insecure"))


class Region(BaseModel):
    """A region the control plane can route tenants to."""

    code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,30}$")]
    name: str
    api_url: str
    provisioner_url: str | None = None


class VaultSettings(BaseModel):
    """How a process reaches Vault and proves who it is."""

    addr: str = "http://127.0.0.1:8200"
    auth_method: Literal["approle", "aws", "token"] = "approle"
    role_id: str | None = None
    secret_id: SecretStr | None = None
    token: SecretStr | None = None
    aws_role: str | None = None
    aws_mount: str = "aws"
    namespace: str | None = None
    kv_mount: str = "chalkops-kv"
    transit_mount: str = "transit"
    database_mount: str = "database"
    timeout_seconds: float = 5.0


class DatabaseSettings(BaseModel):
    """Where a process's PostgreSQL is and where its credentials come from.

    ``credentials="vault"`` takes dynamic credentials from Vault's database engine role
    ``vault_role``; ``"static"`` uses ``user``/``password`` (tests, external servers).
    """

    host: str = "localhost"
    port: int = 5432
    dbname: str = "postgres"
    credentials: Literal["vault", "static"] = "vault"
    vault_role: str | None = None
    user: str | None = None
    password: SecretStr | None = None
    pool_min_size: int = 1
    pool_max_size: int = 10
    connect_timeout_seconds: float = 5.0
    statement_timeout_ms: int = 15_000
    sslmode: str = "prefer"


class ServiceSettings(BaseSettings):
    """Settings every ChalkOps service process shares."""

    model_config = SettingsConfigDict(
        env_prefix="CHALKOPS_", env_nested_delimiter="__", extra="ignore", frozen=True
    )

    environment: Environment = Environment.DEVELOPMENT
    log_level: str = "INFO"
    vault: VaultSettings = VaultSettings()
    database: DatabaseSettings = DatabaseSettings()
    # Argon2id cost (RFC 9106 low-memory profile by default); raising it makes logins re-hash.
    password_time_cost: int = 3
    password_memory_kib: int = 64 * 1024
    password_parallelism: int = 4
    max_body_bytes: int = 1024 * 1024

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> ServiceSettings:
        if self.environment is Environment.DEVELOPMENT:
            return self
        for name, secret in self._secret_values():
            if secret is not None and is_placeholder(secret.get_secret_value()):
                raise ConfigurationError(
                    f"setting {name} holds a placeholder secret; set a real value "
                    f"(refused because CHALKOPS_ENVIRONMENT={self.environment.value})"
                )
        return self

    def _secret_values(self) -> list[tuple[str, SecretStr | None]]:
        return [
            ("CHALKOPS_VAULT__SECRET_ID", self.vault.secret_id),
            ("CHALKOPS_VAULT__TOKEN", self.vault.token),
            ("CHALKOPS_DATABASE__PASSWORD", self.database.password),
        ]

    def argon2_profile(self) -> Argon2Profile:
        return Argon2Profile(
            time_cost=self.password_time_cost,
            memory_kib=self.password_memory_kib,
            parallelism=self.password_parallelism,
        )


class CentralSettings(ServiceSettings):
    """The central API (global control plane)."""

    regions: Annotated[list[Region], NoDecode] = Field(default_factory=list)
    jwt_issuer: str = "https://chalkops.local/global"
    jwt_audience: str = "chalkops-global"
    signing_key: str = "central-jwt"
    forwarding_key: str = "forwarding"
    forward_timeout_seconds: float = 10.0
    provisioning: Literal["http", "lambda"] = "http"
    provisioner_functions: dict[str, str] = Field(default_factory=dict)
    admin_token_seconds: int = 900
    blacklist_cache_seconds: float = 5.0
    tenant_cache_seconds: float = 30.0
    web_root: Path | None = None
    public_origin: str = "http://localhost:8000"

    @field_validator("regions", mode="before")
    @classmethod
    def _parse_regions(cls, value: object) -> object:
        if isinstance(value, str):
            return [] if not value.strip() else _json_list(value, "CHALKOPS_REGIONS")
        return value


class RegionalSettings(ServiceSettings):
    """A regional API."""

    region: str = "local-1"
    jwt_issuer: str = "https://chalkops.local/regional"
    jwt_audience: str = "chalkops-tenant"
    signing_key: str = "regional-jwt"
    forwarding_key: str = "forwarding"
    # Access tokens live at most 15 minutes (they cannot be recalled before their expiry).
    access_token_seconds: Annotated[int, Field(ge=60, le=900)] = 900
    refresh_token_seconds: Annotated[int, Field(ge=300)] = 14 * 24 * 3600
    webauthn_rp_id: str = "localhost"
    webauthn_rp_name: str = "ChalkOps"
    webauthn_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["http://localhost:8000"]
    )

    @field_validator("webauthn_origins", mode="before")
    @classmethod
    def _parse_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value


def _json_list(raw: str, name: str) -> list[object]:
    import json  # noqa: PLC0415  (only needed when a list arrives as text)

    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigurationError(
            f"{name} is not valid JSON: {exc.msg} at column {exc.pos}"
        ) from exc
    if not isinstance(parsed, list):
        raise ConfigurationError(f"{name} must be a JSON list")
    return parsed
