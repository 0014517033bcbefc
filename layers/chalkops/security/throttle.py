"""Failed-sign-in throttling per account and per source address.

Fixed windows of 15 minutes. The first few failures are free; after that each failure doubles a
temporary block, capped at 15 minutes, and a window with no failures starts clean — so an
account sees at most a few dozen guesses an hour (ASVS allows 100) and a stranger who knows a
victim's email can delay their sign-in but never lock them out for good. Unknown accounts are
throttled exactly like known ones, so throttling reveals nothing about which emails exist.

A stranger who keeps guessing could still keep an account blocked around the clock, one guess
per block. So the account-wide block does not apply to a *known source* — an address this
account signed in from successfully within the last 30 days (the owner's usual network): there
only the failures from that address itself count (the account+source pair, same policy). The
owner keeps signing in from home while a stranger elsewhere hammers the account, and a stranger
sharing the owner's address is held to the pair's budget. Passkey sign-in is never throttled here.
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
    known_source_lifetime: timedelta = timedelta(days=30)


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


def pair_key(email: str, address: str) -> str:
    """Failures of one account from one source (what limits a known source)."""
    return f"{account_key(email)}|{source_key(address)}"


def known_source_key(email: str, address: str) -> str:
    """Set by a successful sign-in: this source is one the account's owner uses."""
    return f"known:{pair_key(email, address)}"


class LoginThrottle:
    def __init__(self, policy: ThrottlePolicy | None = None) -> None:
        self.policy = policy or ThrottlePolicy()

    def check(self, store: ThrottleStore, *, email: str, source: str, now: datetime) -> None:
        """Raise if this attempt is blocked right now (before any password is verified)."""
        keys = [account_key(email), source_key(source), pair_key(email, source)]
        known = known_source_key(email, source)
        states = store.load([*keys, known])
        until = _blocked_until(states.get(source_key(source)), now)
        if until is not None:
            raise SourceThrottled(
                "too many failed sign-ins from this address; try again later",
                retry_after=_seconds_until(until, now),
            )
        # A known source answers for its own failures only; any other for the account's.
        account = pair_key(email, source) if self._known(states.get(known), now) else keys[0]
        until = _blocked_until(states.get(account), now)
        if until is not None:
            raise AccountLocked(
                "too many failed sign-ins for this account; try again later",
                retry_after=_seconds_until(until, now),
            )

    def admit(self, store: ThrottleStore, *, email: str, source: str, now: datetime) -> None:
        """Check, then count this attempt as a failure *before* its password is verified.

        Counting up front is what bounds parallel guessing: with a store that serialises
        callers on the same keys (``PostgresThrottleStore(lock=True)``), a burst of concurrent
        attempts cannot all pass the check before any of them is counted. A success then takes
        its provisional failure back (:meth:`succeeded`).
        """
        self.check(store, email=email, source=source, now=now)
        self.record_failure(store, email=email, source=source, now=now)

    def succeeded(self, store: ThrottleStore, *, email: str, source: str, now: datetime) -> None:
        """The attempt :meth:`admit` counted was the right password: undo it, then record it."""
        keys = self._counted(email, source)
        states = store.load(list(keys))
        for key, free in keys.items():
            state = states.get(key)
            if state is not None and state.failures > 0:
                state.failures -= 1
                if state.failures < free:
                    state.blocked_until = None  # only the failure just taken back set it
                store.save(state)
        self.record_success(store, email=email, source=source, now=now)

    def record_failure(
        self, store: ThrottleStore, *, email: str, source: str, now: datetime
    ) -> None:
        keys = self._counted(email, source)
        states = store.load(list(keys))
        for key, free in keys.items():
            store.save(self._after_failure(states.get(key), key, free, now))

    def _counted(self, email: str, source: str) -> dict[str, int]:
        """The counters a failure adds to, with the free failures each allows."""
        return {
            account_key(email): self.policy.account_free_failures,
            source_key(source): self.policy.source_free_failures,
            pair_key(email, source): self.policy.account_free_failures,
        }

    def record_success(
        self,
        store: ThrottleStore,
        *,
        email: str,
        source: str | None = None,
        now: datetime | None = None,
    ) -> None:
        """Clear the account's failures and, given the source, remember it as a known one.

        While the account is blocked (a known source got in past the block), its counter stays:
        the owner signing in must not hand a stranger a fresh set of free guesses.
        """
        now = now or utcnow()
        if source is not None:
            store.clear(pair_key(email, source))
            store.save(ThrottleState(known_source_key(email, source), now, 0, None))
        account = store.load([account_key(email)]).get(account_key(email))
        if account is not None and _blocked_until(account, now) is None:
            store.clear(account_key(email))

    def _known(self, state: ThrottleState | None, now: datetime) -> bool:
        return state is not None and now - state.window_start < self.policy.known_source_lifetime

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


def _blocked_until(state: ThrottleState | None, now: datetime) -> datetime | None:
    if state is None or state.blocked_until is None or state.blocked_until <= now:
        return None
    return state.blocked_until


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, int((moment - now).total_seconds() + 0.999))


def utcnow() -> datetime:
    return datetime.now(UTC)
