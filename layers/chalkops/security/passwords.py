"""Password acceptance rules (ASVS 5.0 §6.2): length, not composition.

At least 8 characters, up to 1,024 (so 64+ character passphrases of any composition are fine and
hashing stays bounded), and not one of the most common passwords. No composition rules.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Annotated

from pydantic import Field

from chalkops.errors import ValidationFailed

MIN_LENGTH = 8
MAX_LENGTH = 1024

# A new password's length rule as a request-schema type, so the OpenAPI documents say what will
# be accepted; check_password still refuses common passwords and the email as a password.
NewPassword = Annotated[str, Field(min_length=MIN_LENGTH, max_length=MAX_LENGTH)]


class WeakPassword(ValidationFailed):
    code = "validation_error"
    title = "Password not accepted"


@cache
def _common() -> frozenset[str]:
    text = resources.files("chalkops.security.data").joinpath("common-passwords.txt")
    return frozenset(line.strip().lower() for line in text.read_text("utf-8").splitlines() if line)


def check_password(password: str, *, field: str = "password", email: str | None = None) -> None:
    problem = _problem(password, email)
    if problem is not None:
        raise WeakPassword(
            problem,
            errors=[
                {"field": field, "location": "body", "message": problem, "type": "password_policy"}
            ],
        )


def _problem(password: str, email: str | None) -> str | None:
    if len(password) < MIN_LENGTH:
        return f"the password must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"the password must be at most {MAX_LENGTH} characters"
    if password.lower() in _common():
        return "this password is too common; choose another"
    if email and password.strip().lower() == email.strip().lower():
        return "the password must not be the email address"
    return None
