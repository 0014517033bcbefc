"""Failed-sign-in throttling per account and per source address.

Fixed windows of 15 minutes. The first few failures are free; after that each failure doubles a
temporary block, capped at 15 minutes, and a window with no failures starts clean — so an
account sees at most a few dozen guesses an hour (ASVS allows 100) and a stranger who knows a
victim's email can delay their sign-in but never lock them out for good. Unknown accounts are
throttled exactly like known ones, so throttling reveals nothing about which emails exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from chalkops.security.exceptions import AccountLocked, SourceThrottled


@dataclass(frozen=True)
class ThrottlePolicy:
    window: timedelta = timedelta(minutes=15)
    account_free_failures: int = 5
    source_free_failures: int = 50
    first_block: timedelta = timedelta(seconds=2)
    max_block: timedelta = timedelta(minutes=15)


@dataclass
class ThrottleState:
    key: str
    window_start: datetime
    failures: int
    blocked_until: datetime | None


class ThrottleStore(Protocol):
    """Persistence of throttle counters (a table in the global DB or a tenant schema)."""

    def load(self, keys: list[str]) -> dict[str, ThrottleState]: ...

    def save(self, state: ThrottleState) -> None: ...

    def clear(self, key: str) -> None: ...


def account_key(email: str) -> str:
    return f"account:{email.strip().lower()}"


def source_key(address: str) -> str:
    return f"ip:{address}"


class LoginThrottle:
    def __init__(self, policy: ThrottlePolicy | None = None) -> None:
        self.policy = policy or ThrottlePolicy()

    def check(self, store: ThrottleStore, *, email: str, source: str, now: datetime) -> None:
        """Raise if either key is blocked right now (before any password is verified)."""
        states = store.load([account_key(email), source_key(source)])
        source_state = states.get(source_key(source))
        if source_state and source_state.blocked_until and source_state.blocked_until > now:
            raise SourceThrottled(
                "too many failed sign-ins from this address; try again later",
                retry_after=_seconds_until(source_state.blocked_until, now),
            )
        account_state = states.get(account_key(email))
        if account_state and account_state.blocked_until and account_state.blocked_until > now:
            raise AccountLocked(
                "too many failed sign-ins for this account; try again later",
                retry_after=_seconds_until(account_state.blocked_until, now),
            )

    def record_failure(
        self, store: ThrottleStore, *, email: str, source: str, now: datetime
    ) -> None:
        keys = {
            account_key(email): self.policy.account_free_failures,
            source_key(source): self.policy.source_free_failures,
        }
        states = store.load(list(keys))
        for key, free in keys.items():
            store.save(self._after_failure(states.get(key), key, free, now))

    def record_success(self, store: ThrottleStore, *, email: str) -> None:
        store.clear(account_key(email))

    def _after_failure(
        self, state: ThrottleState | None, key: str, free: int, now: datetime
    ) -> ThrottleState:
        if state is None or now - state.window_start >= self.policy.window:
            state = ThrottleState(key, now, 0, None)
        state.failures += 1
        beyond = state.failures - free + 1  # the failure that uses up the free ones blocks
        if beyond > 0:
            block = min(self.policy.first_block * (2 ** min(beyond - 1, 20)), self.policy.max_block)
            state.blocked_until = now + block
        return state


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, int((moment - now).total_seconds() + 0.999))


def utcnow() -> datetime:
    return datetime.now(UTC)
