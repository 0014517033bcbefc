"""Database errors, named for what a caller does with them."""

from __future__ import annotations

from chalkops.errors import ChalkOpsError, ServiceUnavailable


class DatabaseUnavailable(ServiceUnavailable):
    """The database could not be reached or refused our credentials after a retry."""

    code = "database_unavailable"
    title = "Database unavailable"


class MigrationError(ChalkOpsError):
    """A migration could not be applied, or an applied one was changed after the fact."""

    code = "migration_error"
    title = "Migration failed"


class InvalidTenantSchema(ChalkOpsError):
    """A schema name was asked for something that is not a tenant UUID."""

    code = "invalid_tenant"
    status = 400
    title = "Invalid tenant"
