"""Request field types the APIs' schemas share, so both OpenAPI documents state one rule."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from chalkops.security.passwords import MAX_LENGTH, MIN_LENGTH

# Whitespace and control characters are excluded explicitly, not only through ``\s``: Python's,
# Rust's (pydantic) and ECMAScript's (JSON Schema) ``\s`` differ on \x1c-\x1f, \x85 and \ufeff,
# and the schema must accept exactly what the server accepts.
_LOCAL = r"[^@\s\x00-\x1f\x7f-\x9f\ufeff]+"
Email = Annotated[
    str, Field(min_length=3, max_length=254, pattern=rf"^{_LOCAL}@{_LOCAL}\.{_LOCAL}$")
]

# A new password's length rule, stated in the schema; check_password still refuses common
# passwords and the email as a password (rules no schema can state).
NewPassword = Annotated[str, Field(min_length=MIN_LENGTH, max_length=MAX_LENGTH)]
