"""Failed sign-ins are throttled per account and per source; blocks are temporary and bounded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalkops.security.exceptions import AccountLocked, SourceThrottled
from chalkops.security.throttle import LoginThrottle, ThrottlePolicy, ThrottleState


class MemoryThrottleStore:
    def __init__(self) -> None:
        self.rows: dict[str, ThrottleState] = {}

    def load(self, keys: list[str]) -> dict[str, ThrottleState]:
        return {key: self.rows[key] for key in keys if key in self.rows}

    def save(self, state: ThrottleState) -> None:
        self.rows[state.key] = state

    def clear(self, key: str) -> None:
        self.rows.pop(key, None)


START = datetime(2026, 1, 1, tzinfo=UTC)


def fail(
    throttle: LoginThrottle,
    store: MemoryThrottleStore,
    now: datetime,
    email: str = "ada@example.com",
    source: str = "192.0.2.1",
) -> None:
    throttle.check(store, email=email, source=source, now=now)
    throttle.record_failure(store, email=email, source=source, now=now)


def test_the_fifth_failure_blocks_the_account_for_a_while() -> None:
    throttle, store = LoginThrottle(), MemoryThrottleStore()
    for i in range(5):
        fail(throttle, store, START + timedelta(milliseconds=i))
    with pytest.raises(AccountLocked) as blocked:
        throttle.check(store, email="ada@example.com", source="192.0.2.1", now=START)
    assert blocked.value.retry_after >= 1


def test_an_attacker_hammering_all_hour_gets_under_100_guesses() -> None:
    throttle, store = LoginThrottle(), MemoryThrottleStore()
    now, guesses = START, 0
    while now < START + timedelta(hours=1):
        try:
            fail(throttle, store, now, source=f"198.51.100.{guesses % 200}")
            guesses += 1
        except AccountLocked as exc:
            now += timedelta(seconds=exc.retry_after)
            continue
        now += timedelta(milliseconds=100)
    assert guesses < 100


def test_a_block_never_outlasts_the_cap_so_a_victim_is_never_locked_out_for_good() -> None:
    policy = ThrottlePolicy()
    throttle, store = LoginThrottle(policy), MemoryThrottleStore()
    now = START
    for _ in range(500):
        try:
            fail(throttle, store, now, source="198.51.100.7")
        except (AccountLocked, SourceThrottled) as exc:
            assert exc.retry_after <= policy.max_block.total_seconds()
            now += timedelta(seconds=1)
    later = now + policy.max_block + timedelta(seconds=1)
    throttle.check(store, email="ada@example.com", source="203.0.113.5", now=later)


def test_success_clears_the_account_counter() -> None:
    throttle, store = LoginThrottle(), MemoryThrottleStore()
    for i in range(3):
        fail(throttle, store, START + timedelta(seconds=i))
    throttle.record_success(store, email="ada@example.com")
    for i in range(4):
        fail(throttle, store, START + timedelta(seconds=10 + i))
    throttle.check(store, email="ada@example.com", source="203.0.113.1", now=START)


def test_one_source_failing_against_many_accounts_is_throttled() -> None:
    throttle, store = LoginThrottle(), MemoryThrottleStore()
    for i in range(50):
        fail(throttle, store, START, email=f"user{i}@example.com", source="198.51.100.9")
    with pytest.raises(SourceThrottled):
        throttle.check(store, email="new@example.com", source="198.51.100.9", now=START)
    throttle.check(store, email="new@example.com", source="198.51.100.10", now=START)


def test_emails_are_compared_case_insensitively() -> None:
    throttle, store = LoginThrottle(), MemoryThrottleStore()
    for i in range(5):
        fail(throttle, store, START, email=f"Ada@Example.com{'' if i % 2 else ' '}")
    with pytest.raises(AccountLocked):
        throttle.check(store, email="ada@example.com", source="203.0.113.1", now=START)


# The policy simulated over hours, and the admit/succeeded path sign-ins take ----------------


VICTIM, HOME = "victim@example.test", "203.0.113.7"


def test_attackers_at_home_and_elsewhere_together_stay_under_100_guesses_an_hour_2() -> None:
    throttle, store = LoginThrottle(), MemoryThrottleStore()
    throttle.record_success(store, email=VICTIM, source=HOME, now=START)
    next_try = {"home": START, "away": START}
    guesses, n = 0, 0
    while min(next_try.values()) < START + timedelta(hours=1):
        who = min(next_try, key=lambda k: next_try[k])
        now, n = next_try[who], n + 1
        source = HOME if who == "home" else f"198.51.{n // 200}.{n % 200}"
        try:
            throttle.check(store, email=VICTIM, source=source, now=now)
        except (AccountLocked, SourceThrottled) as blocked:
            next_try[who] = now + timedelta(seconds=blocked.retry_after)
            continue
        throttle.record_failure(store, email=VICTIM, source=source, now=now)
        guesses += 1
        next_try[who] = now + timedelta(milliseconds=100)
    assert guesses < 100


def test_a_stranger_hammering_all_day_never_blocks_the_owner_at_home_2() -> None:
    throttle, store = LoginThrottle(), MemoryThrottleStore()
    throttle.record_success(store, email=VICTIM, source=HOME, now=START)
    now = START
    while now < START + timedelta(hours=24):
        try:
            throttle.check(store, email=VICTIM, source="198.51.100.9", now=now)
            throttle.record_failure(store, email=VICTIM, source="198.51.100.9", now=now)
        except AccountLocked:
            # Every time the stranger is blocked, the owner at home still gets in …
            throttle.check(store, email=VICTIM, source=HOME, now=now)
            throttle.record_success(store, email=VICTIM, source=HOME, now=now)
        now += timedelta(seconds=7)
    # … and the owner's sign-ins never handed the stranger a fresh set of free guesses.
    with pytest.raises(AccountLocked):
        throttle.check(store, email=VICTIM, source="198.51.100.10", now=now)


def test_a_known_source_is_forgotten_after_its_lifetime_2() -> None:
    throttle, store = LoginThrottle(), MemoryThrottleStore()
    throttle.record_success(store, email=VICTIM, source=HOME, now=START)
    later = START + throttle.policy.known_source_lifetime + timedelta(seconds=1)
    for i in range(5):
        throttle.record_failure(store, email=VICTIM, source=f"198.51.100.{i}", now=later)
    with pytest.raises(AccountLocked):
        throttle.check(store, email=VICTIM, source=HOME, now=later)


def test_successful_sign_ins_take_back_their_provisional_failure_2() -> None:
    throttle, store = LoginThrottle(), MemoryThrottleStore()
    # A busy office behind one address: hundreds of good sign-ins never block the address …
    for i in range(300):
        email = f"user{i}@example.test"
        throttle.admit(store, email=email, source=HOME, now=START)
        throttle.succeeded(store, email=email, source=HOME, now=START)
    throttle.check(store, email="new@example.test", source=HOME, now=START)
    # … and getting the password right on the last free attempt leaves no block behind.
    for _ in range(4):
        throttle.admit(store, email=VICTIM, source="198.51.100.1", now=START)
    throttle.admit(store, email=VICTIM, source="198.51.100.1", now=START)
    throttle.succeeded(store, email=VICTIM, source="198.51.100.1", now=START)
    throttle.check(store, email=VICTIM, source="198.51.100.2", now=START)


def test_admitting_counts_the_attempt_before_the_password_is_checked_2() -> None:
    throttle, store = LoginThrottle(), MemoryThrottleStore()
    for _ in range(throttle.policy.account_free_failures):
        throttle.admit(store, email=VICTIM, source="198.51.100.1", now=START)
    with pytest.raises(AccountLocked):
        throttle.admit(store, email=VICTIM, source="198.51.100.1", now=START)
