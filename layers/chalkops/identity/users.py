"""Tenant user management: admins manage their own tenant's users; everyone sees themselves."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from chalkops.crypto import Passwords
from chalkops.db.postgres import Database
from chalkops.errors import ValidationFailed
from chalkops.identity.exceptions import AdminRequired, LastAdmin, UserNotFound
from chalkops.identity.models import Role, User
from chalkops.identity.postgres import UserRepository, audit
from chalkops.security.passwords import check_password

_ROLES = {role.value for role in Role}


class UserService:
    def __init__(self, *, db: Database, passwords: Passwords) -> None:
        self._db = db
        self._passwords = passwords

    def current(
        self, tenant_id: uuid.UUID, user_id: uuid.UUID, family_id: uuid.UUID | None
    ) -> User | None:
        with self._db.tenant_transaction(tenant_id) as conn:
            return UserRepository(conn).active_session_user(user_id, family_id)

    def list(self, tenant_id: uuid.UUID, actor: User) -> list[User]:
        _require_admin(actor)
        with self._db.tenant_transaction(tenant_id) as conn:
            return UserRepository(conn).all()

    def get(self, tenant_id: uuid.UUID, actor: User, user_id: uuid.UUID) -> User:
        if actor.id != user_id:
            _require_admin(actor)
        with self._db.tenant_transaction(tenant_id) as conn:
            user = UserRepository(conn).by_id(user_id)
        if user is None:
            raise UserNotFound("no such user")
        return user

    def create(
        self,
        tenant_id: uuid.UUID,
        actor: User,
        *,
        email: str,
        password: str,
        display_name: str | None,
        roles: Sequence[str] | None,
    ) -> User:
        _require_admin(actor)
        wanted = _roles(roles or [Role.MEMBER.value])
        check_password(password, email=email)
        hashed = self._passwords.hash(password)
        with self._db.tenant_transaction(tenant_id) as conn:
            user = UserRepository(conn).create(
                email=email, password_hash=hashed, display_name=display_name, roles=wanted
            )
            audit(
                conn, "user.created", "success", user_id=actor.id, details={"target": str(user.id)}
            )
        return user

    def update(
        self,
        tenant_id: uuid.UUID,
        actor: User,
        user_id: uuid.UUID,
        *,
        display_name: str | None,
        roles: Sequence[str] | None,
    ) -> User:
        if actor.id != user_id or roles is not None:
            _require_admin(actor)  # members may rename themselves, never change roles
        wanted = _roles(roles) if roles is not None else None
        with self._db.tenant_transaction(tenant_id) as conn:
            repo = UserRepository(conn)
            if wanted is not None and Role.ADMIN.value not in wanted:
                repo.lock_for_role_change()
                if repo.admin_count(excluding=user_id) == 0:
                    raise LastAdmin("the tenant must keep at least one admin")
            user = repo.update(user_id, display_name=display_name, roles=wanted)
            if user is None:
                raise UserNotFound("no such user")
            audit(
                conn, "user.updated", "success", user_id=actor.id, details={"target": str(user_id)}
            )
        return user

    def delete(self, tenant_id: uuid.UUID, actor: User, user_id: uuid.UUID) -> None:
        _require_admin(actor)
        with self._db.tenant_transaction(tenant_id) as conn:
            repo = UserRepository(conn)
            repo.lock_for_role_change()
            target = repo.by_id(user_id)
            if target is None:
                raise UserNotFound("no such user")
            if target.is_admin and repo.admin_count(excluding=user_id) == 0:
                raise LastAdmin("the tenant must keep at least one admin")
            repo.delete(user_id)
            audit(
                conn, "user.deleted", "success", user_id=actor.id, details={"target": str(user_id)}
            )


def _require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise AdminRequired("this needs the admin role")


def _roles(roles: Sequence[str]) -> tuple[str, ...]:
    unknown = sorted(set(roles) - _ROLES)
    if unknown or not roles:
        message = f"roles must be a non-empty subset of {sorted(_ROLES)}"
        raise ValidationFailed(
            message,
            errors=[{"field": "roles", "location": "body", "message": message, "type": "roles"}],
        )
    return tuple(sorted(set(roles)))
