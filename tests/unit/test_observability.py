"""Log lines carry bound context and never a secret."""

from __future__ import annotations

import io
import json
import logging
import threading

import pytest

from chalkops.observability import REDACTED, bind, get_logger, redact


class Captured:
    """A logger of its own writing to a buffer, so each test reads exactly its lines."""

    def __init__(self, name: str) -> None:
        self.stream = io.StringIO()
        self.logger = get_logger(f"test-{name}-{id(self)}", stream=self.stream)

    def lines(self) -> list[dict[str, object]]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]


@pytest.fixture
def captured(request: pytest.FixtureRequest) -> Captured:
    return Captured(request.node.originalname)


def test_bound_context_reaches_log_lines_written_deep_in_a_call(captured: Captured) -> None:
    logger = captured.logger

    def deep_in_the_call() -> None:
        logger.info("working")

    with bind(tenant_id="t-1", user_id="u-1", request_id="r-1"):
        deep_in_the_call()
    logger.info("outside")
    first, second = captured.lines()
    assert first["tenant_id"] == "t-1"
    assert first["user_id"] == "u-1"
    assert first["request_id"] == "r-1"
    assert "tenant_id" not in second, "context must not leak past the bound block"


def test_context_does_not_leak_between_threads(captured: Captured) -> None:
    logger = captured.logger
    barrier = threading.Barrier(2)

    def work(tenant: str) -> None:
        with bind(tenant_id=tenant):
            barrier.wait()
            logger.info("in thread", extra={"expected": tenant})

    threads = [threading.Thread(target=work, args=(name,)) for name in ("alpha", "beta")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    records = captured.lines()
    assert len(records) == 2
    assert all(record["tenant_id"] == record["expected"] for record in records)


@pytest.mark.parametrize(
    ("message", "secret"),
    [
        ("Authorization: Bearer abcdefghijklmnop", "abcdefghijklmnop"),
        ("token eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", "eyJhbGciOiJFUzI1NiJ9"),
        ("vault token hvs.CAESIJ1234567890abcdefghij", "hvs.CAESIJ1234567890abcdefghij"),
        ("dsn postgresql://app:hunter2-pw@db/x", "hunter2-pw"),
        ("login password=correct-horse-battery", "correct-horse-battery"),
    ],
)
def test_secrets_in_messages_are_redacted(captured: Captured, message: str, secret: str) -> None:
    captured.logger.info(message)
    (record,) = captured.lines()
    assert secret not in json.dumps(record)
    assert REDACTED in str(record["message"])


def test_secret_keys_in_extra_are_redacted(captured: Captured) -> None:
    captured.logger.warning(
        "login attempt",
        extra={
            "password": "s3cret-value",
            "headers": {"Authorization": "Basic dXNlcjpwYXNz", "X-Vault-Token": "s.abc"},
            "refresh_token": "opaque-refresh",
            "email": "ada@example.com",
        },
    )
    (record,) = captured.lines()
    text = json.dumps(record)
    for secret in ("s3cret-value", "dXNlcjpwYXNz", "s.abc", "opaque-refresh"):
        assert secret not in text
    assert record["email"] == "ada@example.com", "non-secret fields stay readable"


def test_redaction_is_bounded_on_deeply_nested_input() -> None:
    nested: dict[str, object] = {"leaf": "x"}
    for _ in range(100):
        nested = {"child": nested}
    assert redact(nested)  # does not recurse without bound


def test_records_are_redacted_before_any_other_handler_sees_them(
    captured: Captured, caplog: pytest.LogCaptureFixture
) -> None:
    # pytest's capture handler sits above ours: it must receive the redacted record too.
    with caplog.at_level(logging.INFO):
        captured.logger.info("password=%s used", "open-sesame-123", extra={"api_key": "k-999"})
    assert "open-sesame-123" not in caplog.text
    assert all(getattr(record, "api_key", REDACTED) == REDACTED for record in caplog.records)
