"""Tenant sign-in sessions: password sign-in, token pairs, refresh rotation, sign-out.

A session is a refresh-token *family*: sign-in starts one, every refresh rotates within it, and
presenting a token that was already rotated (a stolen copy racing the real client) revokes the
whole family (RFC 9700 §4.14.2). Access tokens carry the family as ``sid``, so sign-out and
reuse detection also end access tokens at once, not just at their expiry.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chalkops.crypto import Passwords, hash_token, new_token
from chalkops.db.postgres import Database
from chalkops.identity.exceptions import (
    RefreshTokenInvalid,
    RefreshTokenReused,
    SessionRevoked,
)
from chalkops.identity.models import TokenPair, User
from chalkops.identity.postgres import Conn, RefreshTokens, UserRepository, audit
from chalkops.security.exceptions import InvalidCredentials
from chalkops.security.postgres import PostgresThrottleStore
from chalkops.security.throttle import LoginThrottle, utcnow
from chalkops.tokens.base import AccessTokenIssuer
from chalkops.tokens.exceptions import TokenExpired


@dataclass(frozen=True)
class SessionPolicy:
    refresh_lifetime: timedelta = timedelta(days=14)


class SessionService:
    def __init__(
        self,
        *,
        db: Database,
        passwords: Passwords,
        throttle: LoginThrottle,
        issuer: AccessTokenIssuer,
        policy: SessionPolicy | None = None,
    ) -> None:
        self._db = db
        self._passwords = passwords
        self._throttle = throttle
        self._issuer = issuer
        self._policy = policy or SessionPolicy()

    def password_sign_in(
        self, tenant_id: uuid.UUID, *, email: str, password: str, source_ip: str
    ) -> TokenPair:
        now = utcnow()
        with self._db.tenant_transaction(tenant_id) as conn:
            # Counted as a failure before the password is checked, so parallel guesses are
            # bounded too; a success takes it back below.
            self._throttle.admit(_throttle(conn), email=email, source=source_ip, now=now)
            found = UserRepository(conn).credentials_by_email(email)
        # Outside the transaction: Argon2id takes ~100 ms and must not hold a connection.
        # Unknown accounts burn the same verify, so both failures cost the same.
        ok = self._passwords.verify(found.password_hash if found else None, password)
        if found is None or not ok:
            with self._db.tenant_transaction(tenant_id) as conn:
                audit(
                    conn,
                    "login.password",
                    "failure",
                    source_ip=source_ip,
                    user_id=found.user.id if found else None,
                )
            raise InvalidCredentials("the email or password is wrong")
        stored = found.password_hash or ""
        new_hash = self._passwords.hash(password) if self._passwords.needs_rehash(stored) else None
        with self._db.tenant_transaction(tenant_id) as conn:
            self._throttle.succeeded(_throttle(conn), email=email, source=source_ip, now=now)
            UserRepository(conn).record_login(found.user.id, new_hash)
            audit(conn, "login.password", "success", user_id=found.user.id, source_ip=source_ip)
        return self.start(tenant_id, found.user)

    def passkey_sign_in(self, tenant_id: uuid.UUID, user: User, *, source_ip: str) -> TokenPair:
        """A session for a user whose passkey assertion was just verified (audited)."""
        with self._db.tenant_transaction(tenant_id) as conn:
            UserRepository(conn).record_login(user.id, None)
            audit(conn, "login.passkey", "success", user_id=user.id, source_ip=source_ip)
        return self.start(tenant_id, user)

    def start(self, tenant_id: uuid.UUID, user: User) -> TokenPair:
        """A new session (refresh family) for a user who just proved who they are."""
        family = uuid.uuid4()
        refresh = new_token()
        with self._db.tenant_transaction(tenant_id) as conn:
            RefreshTokens(conn).add(
                family_id=family,
                user_id=user.id,
                token_hash=hash_token(refresh),
                expires_at=utcnow() + self._policy.refresh_lifetime,
            )
        return self._pair(tenant_id, user, family, refresh)

    def refresh(self, tenant_id: uuid.UUID, refresh_token: str) -> TokenPair:
        outcome, user, family = self._rotate(tenant_id, refresh_token)
        if outcome == "reused":
            raise RefreshTokenReused("this refresh token was already used; the session is ended")
        if outcome == "expired":
            raise TokenExpired("the refresh token has expired; sign in again")
        if outcome == "revoked":
            raise SessionRevoked("this session has ended; sign in again")
        if user is None or family is None or outcome is None:
            raise RefreshTokenInvalid("the refresh token is not valid")
        return self._pair(tenant_id, user, family, outcome)

    def sign_out(self, tenant_id: uuid.UUID, family_id: uuid.UUID, user_id: uuid.UUID) -> None:
        with self._db.tenant_transaction(tenant_id) as conn:
            RefreshTokens(conn).revoke_family(family_id)
            audit(conn, "logout", "success", user_id=user_id)

    def _rotate(
        self, tenant_id: uuid.UUID, refresh_token: str
    ) -> tuple[str | None, User | None, uuid.UUID | None]:
        """One transaction: decide, and persist the decision (rotation or family revocation)."""
        with self._db.tenant_transaction(tenant_id) as conn:
            tokens = RefreshTokens(conn)
            row = tokens.claim(hash_token(refresh_token))
            if row is None:
                return None, None, None
            if row["rotated_at"] is not None:
                tokens.revoke_family(row["family_id"])
                audit(conn, "refresh.reuse", "family_revoked", user_id=row["user_id"])
                return "reused", None, None
            if row["revoked_at"] is not None:
                # Ended by sign-out (or an earlier reuse): not a theft signal of its own.
                return "revoked", None, None
            if row["expires_at"] <= datetime.now(UTC):
                return "expired", None, None
            user = UserRepository(conn).by_id(row["user_id"])
            if user is None:
                return None, None, None
            tokens.mark_rotated(row["id"])
            fresh = new_token()
            tokens.add(
                family_id=row["family_id"],
                user_id=user.id,
                token_hash=hash_token(fresh),
                expires_at=utcnow() + self._policy.refresh_lifetime,
            )
            return fresh, user, row["family_id"]

    def _pair(self, tenant_id: uuid.UUID, user: User, family: uuid.UUID, refresh: str) -> TokenPair:
        issued = self._issuer.issue(
            subject=str(user.id),
            roles=list(user.roles),
            tenant_id=str(tenant_id),
            extra={"sid": str(family)},
        )
        return TokenPair(issued.token, refresh, issued.expires_in)


def _throttle(conn: Conn) -> PostgresThrottleStore:
    return PostgresThrottleStore(conn, "login_throttle", lock=True)
