"""Errors of the secrets package."""

from __future__ import annotations

from chalkops.errors import ServiceUnavailable


class SecretsUnavailable(ServiceUnavailable):
    """Vault could not be reached, or refused this process's identity."""

    code = "secrets_unavailable"
    title = "Secrets service unavailable"


class SecretNotFound(SecretsUnavailable):
    """A secret this process needs does not exist."""

    code = "secret_not_found"
    title = "Secret not found"
