"""Global admin sign-in: password only, Argon2id, throttled, audited, global-audience tokens."""

from __future__ import annotations

from chalkops.controlplane.models import GlobalUser
from chalkops.controlplane.postgres import ControlPlaneStore
from chalkops.crypto import Passwords
from chalkops.security.exceptions import InvalidCredentials
from chalkops.security.postgres import PostgresThrottleStore
from chalkops.security.throttle import LoginThrottle, utcnow
from chalkops.tokens.base import AccessTokenIssuer
from chalkops.tokens.types import IssuedToken


class GlobalAdminAuth:
    def __init__(
        self,
        *,
        store: ControlPlaneStore,
        passwords: Passwords,
        throttle: LoginThrottle,
        issuer: AccessTokenIssuer,
    ) -> None:
        self._store = store
        self._passwords = passwords
        self._throttle = throttle
        self._issuer = issuer

    def login(self, *, email: str, password: str, source_ip: str) -> IssuedToken:
        now = utcnow()
        with self._store.db.transaction() as conn:
            # Counted as a failure before the password is checked, so parallel guesses are
            # bounded too; a success takes it back below.
            self._throttle.admit(_throttle_store(conn), email=email, source=source_ip, now=now)
        user = self._verify(email, password)
        if user is None:
            self._store.audit("global_admin.login", "failure", actor=email, source_ip=source_ip)
            raise InvalidCredentials("the email or password is wrong")
        with self._store.db.transaction() as conn:
            self._throttle.succeeded(_throttle_store(conn), email=email, source=source_ip, now=now)
        rehashed = (
            self._passwords.hash(password)
            if self._passwords.needs_rehash(user.password_hash)
            else None
        )
        self._store.record_login(user.id, rehashed)
        self._store.audit(
            "global_admin.login",
            "success",
            tenant_id=user.tenant_id,
            actor=str(user.id),
            source_ip=source_ip,
        )
        return self._issuer.issue(
            subject=str(user.id),
            roles=list(user.roles),
            tenant_id=str(user.tenant_id) if user.tenant_id else None,
        )

    def _verify(self, email: str, password: str) -> GlobalUser | None:
        candidates = self._store.users_by_email(email)
        if not candidates:
            self._passwords.verify(None, password)  # same cost as a real account
            return None
        for candidate in candidates:
            if self._passwords.verify(candidate.password_hash, password):
                return candidate
        return None


def _throttle_store(conn: object) -> PostgresThrottleStore:
    return PostgresThrottleStore(conn, "login_throttle", schema="chalkops", lock=True)  # type: ignore[arg-type]
