"""Structured logging for every ChalkOps process: Powertools JSON lines, context, redaction.

Context (tenant_id, user_id, job_id, agent_id, request_id) is bound with :func:`bind` into a
``ContextVar``, so code deep in a call logs it without being handed it, and concurrent requests in
one process (threads or asyncio tasks) never see each other's keys. Every record passes through
:func:`redact` before it is serialized: secrets are removed by key name and by shape, so a
password or token that slips into a message or an ``extra`` never reaches the log sink.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType
from typing import IO, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

CONTEXT_KEYS = ("tenant_id", "user_id", "job_id", "agent_id", "request_id", "region")
REDACTED = "[REDACTED]"

_EMPTY: Mapping[str, str] = MappingProxyType({})
_bound: ContextVar[Mapping[str, str]] = ContextVar("chalkops_log_context", default=_EMPTY)

# Key names whose values are secrets whatever they look like (compared lower-cased, '-' as '_').
_SECRET_KEY_PARTS = (
    "password",
    "passwd",
    "secret",
    "token",
    "authorization",
    "cookie",
    "api_key",
    "apikey",
    "private_key",
    "credential",
    "session",
    "unseal",
)
# Shapes of secrets inside free text: bearer headers, JWTs, Vault/OpenBao tokens, URL passwords,
# ``key=value`` pairs. Each pattern comes with its replacement (keeping the non-secret part).
_SECRET_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), rf"\1 {REDACTED}"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), REDACTED),
    (re.compile(r"\b(?:hv[sbr]|s|b|r)\.[A-Za-z0-9_-]{20,}"), REDACTED),
    (re.compile(r"(://[^:/@\s]+):[^@\s]+@"), rf"\1:{REDACTED}@"),
    (re.compile(r"(?i)\b(password|secret_id|token)=[^\s&;]+"), rf"\1={REDACTED}"),
)


def _is_secret_key(key: str) -> bool:
    normalised = key.lower().replace("-", "_")
    return any(part in normalised for part in _SECRET_KEY_PARTS)


def redact_text(text: str) -> str:
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact(value: Any, *, depth: int = 0) -> Any:
    """A copy of ``value`` with secrets replaced; bounded depth so hostile input cannot recurse."""
    if depth > 12:
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {
            key: REDACTED
            if isinstance(key, str) and _is_secret_key(key) and item not in (None, "")
            else redact(item, depth=depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(item, depth=depth + 1) for item in value]
    return value


class RedactingFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON formatter plus bound context and redaction on every record."""

    def serialize(self, log: Any) -> str:
        merged = {**dict(log), **_bound.get()}
        return super().serialize(redact(merged))


class RedactingFilter(logging.Filter):
    """Redacts the record itself, so handlers above ours (pytest's, root's) see no secret."""

    _STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            try:
                record.msg = record.getMessage()
            except (TypeError, ValueError):
                record.msg = str(record.msg)
            record.args = None
        if isinstance(record.msg, str):
            record.msg = redact_text(record.msg)
        else:
            record.msg = redact(record.msg)
        for key in list(record.__dict__):
            if key not in self._STANDARD:
                value = record.__dict__[key]
                record.__dict__[key] = (
                    REDACTED if _is_secret_key(key) and value not in (None, "") else redact(value)
                )
        return True


@contextmanager
def bind(**keys: object) -> Iterator[None]:
    """Bind context keys (e.g. ``tenant_id``) for every log line written inside the block."""
    current = dict(_bound.get())
    current.update({key: str(value) for key, value in keys.items() if value is not None})
    token = _bound.set(current)
    try:
        yield
    finally:
        _bound.reset(token)


def bound_context() -> Mapping[str, str]:
    return dict(_bound.get())


_loggers: dict[str, Logger] = {}


def get_logger(service: str = "chalkops", *, stream: IO[str] | None = None) -> Logger:
    """The process's logger for ``service`` (one per service name; JSON lines on stdout)."""
    logger = _loggers.get(service)
    if logger is None:
        logger = Logger(
            service=service,
            logger_formatter=RedactingFormatter(),
            use_rfc3339=True,
            stream=stream,
        )
        logger.addFilter(RedactingFilter())
        _loggers[service] = logger
    return logger
