"""The Vault adapter (hvac): one authenticated session, kv-v2, transit and dynamic DB credentials.

Works against HashiCorp Vault in production and OpenBao locally (same API). The login method is
chosen by settings: AppRole for local services, AWS IAM for Lambda (OpenBao does not ship the
AWS auth method, so that path is exercised only against real Vault), or a token for operators.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import hvac
import hvac.exceptions
import requests

from chalkops.config import VaultSettings
from chalkops.db.base import DatabaseCredential
from chalkops.observability import get_logger
from chalkops.secrets.base import PublicKey
from chalkops.secrets.exceptions import SecretNotFound, SecretsUnavailable

logger = get_logger("chalkops.secrets")
T = TypeVar("T")
_DENIED = (hvac.exceptions.Forbidden, hvac.exceptions.Unauthorized)
_UNREACHABLE = (requests.exceptions.ConnectionError, requests.exceptions.Timeout)


class VaultSession:
    """An authenticated hvac client that logs in again when its token lapses."""

    def __init__(
        self,
        settings: VaultSettings,
        *,
        client: hvac.Client | None = None,
        aws_credentials: Callable[[], Any] | None = None,
    ) -> None:
        self.settings = settings
        self._client = client or hvac.Client(
            url=settings.addr, timeout=settings.timeout_seconds, namespace=settings.namespace
        )
        self._aws_credentials = aws_credentials
        self._lock = threading.Lock()
        self._logged_in = False

    @property
    def client(self) -> hvac.Client:
        return self._client

    def call(self, operation: Callable[[hvac.Client], T]) -> T:
        """Run ``operation`` with a logged-in client; on a denied token, log in once and retry."""
        self._ensure_login()
        try:
            return self._guarded(operation)
        except _DENIED:
            self._login()
            return self._guarded(operation)

    def _guarded(self, operation: Callable[[hvac.Client], T]) -> T:
        try:
            return operation(self._client)
        except _UNREACHABLE as exc:
            raise SecretsUnavailable(f"Vault at {self.settings.addr} is unreachable") from exc
        except hvac.exceptions.VaultDown as exc:
            raise SecretsUnavailable("Vault is sealed or down") from exc

    def _ensure_login(self) -> None:
        if not self._logged_in:
            self._login()

    def _login(self) -> None:
        with self._lock:
            try:
                self._authenticate()
            except _UNREACHABLE as exc:
                raise SecretsUnavailable(f"Vault at {self.settings.addr} is unreachable") from exc
            except (*_DENIED, hvac.exceptions.InvalidRequest) as exc:
                raise SecretsUnavailable(
                    f"Vault refused the {self.settings.auth_method} login of this process"
                ) from exc
            self._logged_in = True

    def _authenticate(self) -> None:
        method = self.settings.auth_method
        if method == "token":
            if self.settings.token is None:
                raise SecretsUnavailable("CHALKOPS_VAULT__TOKEN is required for token auth")
            self._client.token = self.settings.token.get_secret_value()
        elif method == "approle":
            if not self.settings.role_id or self.settings.secret_id is None:
                raise SecretsUnavailable("AppRole auth needs CHALKOPS_VAULT__ROLE_ID and SECRET_ID")
            self._client.auth.approle.login(
                role_id=self.settings.role_id,
                secret_id=self.settings.secret_id.get_secret_value(),
                use_token=True,
            )
        else:
            self._aws_iam_login()

    def _aws_iam_login(self) -> None:
        """AWS IAM auth: a signed STS GetCallerIdentity request, with the Lambda role's keys."""
        credentials = self._aws_credentials() if self._aws_credentials else _boto3_credentials()
        self._client.auth.aws.iam_login(
            access_key=credentials.access_key,
            secret_key=credentials.secret_key,
            session_token=credentials.token,
            role=self.settings.aws_role,
            mount_point=self.settings.aws_mount,
            use_token=True,
        )


def _boto3_credentials() -> Any:
    import boto3  # noqa: PLC0415  (only the Lambda path needs boto3 here)

    credentials = boto3.Session().get_credentials()
    if credentials is None:
        raise SecretsUnavailable("no AWS credentials are available for Vault's IAM login")
    return credentials.get_frozen_credentials()


class VaultKeyValue:
    """kv-v2 secrets under one mount."""

    def __init__(self, session: VaultSession) -> None:
        self._session = session
        self._mount = session.settings.kv_mount

    def read(self, path: str) -> dict[str, str]:
        try:
            response = self._session.call(
                lambda c: c.secrets.kv.v2.read_secret_version(
                    path=path, mount_point=self._mount, raise_on_deleted_version=True
                )
            )
        except hvac.exceptions.InvalidPath as exc:
            raise SecretNotFound(f"secret {self._mount}/{path} does not exist") from exc
        return dict(response["data"]["data"])

    def write(self, path: str, data: dict[str, str]) -> None:
        self._session.call(
            lambda c: c.secrets.kv.v2.create_or_update_secret(
                path=path, secret=data, mount_point=self._mount
            )
        )


class VaultTransit:
    """Transit: encryption as a service and signing with keys that never leave Vault."""

    def __init__(self, session: VaultSession) -> None:
        self._session = session
        self._mount = session.settings.transit_mount

    def encrypt(self, key: str, plaintext: bytes, *, context: bytes | None = None) -> str:
        response = self._session.call(
            lambda c: c.secrets.transit.encrypt_data(
                name=key,
                plaintext=_b64(plaintext),
                context=_b64(context) if context else None,
                mount_point=self._mount,
            )
        )
        return str(response["data"]["ciphertext"])

    def decrypt(self, key: str, ciphertext: str, *, context: bytes | None = None) -> bytes:
        response = self._session.call(
            lambda c: c.secrets.transit.decrypt_data(
                name=key,
                ciphertext=ciphertext,
                context=_b64(context) if context else None,
                mount_point=self._mount,
            )
        )
        return base64.b64decode(response["data"]["plaintext"])

    def sign(self, key: str, message: bytes) -> tuple[str, bytes]:
        """ES256 over ``message``: transit returns ``vault:vN:<base64url JWS signature>``."""
        response = self._session.call(
            lambda c: c.secrets.transit.sign_data(
                name=key,
                hash_input=_b64(message),
                hash_algorithm="sha2-256",
                marshaling_algorithm="jws",
                mount_point=self._mount,
            )
        )
        _prefix, version, signature = str(response["data"]["signature"]).split(":", 2)
        padded = signature + "=" * (-len(signature) % 4)
        return key_id(key, int(version.removeprefix("v"))), base64.urlsafe_b64decode(padded)

    def public_keys(self, key: str) -> list[PublicKey]:
        """Every version still allowed to verify (at or above the key's minimum version)."""
        response = self._session.call(
            lambda c: c.secrets.transit.read_key(name=key, mount_point=self._mount)
        )
        data = response["data"]
        oldest = int(data.get("min_decryption_version") or 1)
        keys = []
        for version_text, entry in data["keys"].items():
            version = int(version_text)
            if version >= oldest and isinstance(entry, dict) and entry.get("public_key"):
                keys.append(PublicKey(key_id(key, version), version, str(entry["public_key"])))
        return sorted(keys, key=lambda item: item.version)

    def rotate(self, key: str) -> None:
        self._session.call(
            lambda c: c.secrets.transit.rotate_key(name=key, mount_point=self._mount)
        )

    def retire_below(self, key: str, version: int) -> None:
        """Stop publishing (and so accepting) versions older than ``version``."""
        self._session.call(
            lambda c: c.secrets.transit.update_key_configuration(
                name=key, min_decryption_version=version, mount_point=self._mount
            )
        )


def key_id(key: str, version: int) -> str:
    """The ``kid`` of one version of a transit key."""
    return f"{key}-v{version}"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@dataclass
class _Lease:
    lease_id: str
    credential: DatabaseCredential
    issued_at: float
    duration: float
    renewable: bool

    def remaining(self, now: float) -> float:
        return self.issued_at + self.duration - now


class VaultDatabaseCredentials:
    """Dynamic database credentials from Vault's database engine, kept valid for a pool.

    Called only when the pool opens a new connection. Each call confirms the lease still exists
    (a revoked lease means a deleted login), renews it when a third of its time is left, and
    issues a new credential when it cannot be renewed or is gone.
    """

    def __init__(
        self,
        session: VaultSession,
        role: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        renew_when_left: float = 1 / 3,
    ) -> None:
        self._session = session
        self._role = role
        self._mount = session.settings.database_mount
        self._clock = clock
        self._renew_when_left = renew_when_left
        self._lease: _Lease | None = None
        self._lock = threading.Lock()
        self.issued = 0

    def current(self) -> DatabaseCredential:
        with self._lock:
            lease = self._lease
            now = self._clock()
            if lease is None or lease.remaining(now) <= 5 or not self._still_valid(lease):
                lease = self._issue()
            elif lease.remaining(now) < lease.duration * self._renew_when_left:
                lease = self._renew(lease)
            return lease.credential

    def invalidate(self) -> None:
        with self._lock:
            self._lease = None

    def _still_valid(self, lease: _Lease) -> bool:
        try:
            self._session.call(lambda c: c.sys.read_lease(lease_id=lease.lease_id))
        except (hvac.exceptions.InvalidRequest, hvac.exceptions.InvalidPath):
            logger.info("database lease is gone; issuing a new credential")
            return False
        return True

    def _issue(self) -> _Lease:
        response = self._session.call(
            lambda c: c.secrets.database.generate_credentials(
                name=self._role, mount_point=self._mount
            )
        )
        data = response["data"]
        self._lease = _Lease(
            lease_id=str(response["lease_id"]),
            credential=DatabaseCredential(str(data["username"]), str(data["password"])),
            issued_at=self._clock(),
            duration=float(response["lease_duration"]),
            renewable=bool(response.get("renewable")),
        )
        self.issued += 1
        logger.info("issued a dynamic database credential", extra={"vault_role": self._role})
        return self._lease

    def _renew(self, lease: _Lease) -> _Lease:
        if not lease.renewable:
            return self._issue()
        try:
            response = self._session.call(
                lambda c: c.sys.renew_lease(lease_id=lease.lease_id, increment=int(lease.duration))
            )
        except (hvac.exceptions.InvalidRequest, hvac.exceptions.InvalidPath):
            return self._issue()
        granted = float(response.get("lease_duration") or 0)
        if granted < lease.duration * self._renew_when_left:
            return self._issue()  # at max TTL: renewing buys too little time
        lease.issued_at, lease.duration = self._clock(), granted
        return lease
