"""Password acceptance rules (ASVS 5.0 §6.2): length, not composition.

At least 8 characters, up to 1,024 (so 64+ character passphrases of any composition are fine and
hashing stays bounded), and not one of the most common passwords. No composition rules.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from chalkops.errors import ValidationFailed

MIN_LENGTH = 8
MAX_LENGTH = 1024


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
