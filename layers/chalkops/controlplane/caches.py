"""Short-lived in-process caches in front of the global database.

The blacklist is consulted on every central request and tenant → region on every forwarded one,
so neither may cost a database round trip per request. Both refresh after a short TTL (other
processes' changes show up within it) and are invalidated at once by changes made here.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from chalkops.controlplane.models import Tenant

T = TypeVar("T")
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class BlacklistCache:
    def __init__(
        self,
        load: Callable[[], list[str]],
        *,
        ttl_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load
        self._ttl = ttl_seconds
        self._clock = clock
        self._networks: tuple[IPNetwork, ...] = ()
        self._loaded_at: float | None = None
        self._lock = threading.Lock()

    def is_blocked(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False  # not an IP (a unix-socket peer, a test client): nothing to match
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return any(ip.version == net.version and ip in net for net in self._current())

    def invalidate(self) -> None:
        with self._lock:
            self._loaded_at = None

    def _current(self) -> tuple[IPNetwork, ...]:
        now = self._clock()
        loaded_at = self._loaded_at
        if loaded_at is not None and now - loaded_at < self._ttl:
            return self._networks
        with self._lock:
            if self._loaded_at is None or now - self._loaded_at >= self._ttl:
                self._networks = tuple(
                    ipaddress.ip_network(cidr, strict=False) for cidr in self._load()
                )
                self._loaded_at = now
            return self._networks


class TenantDirectory:
    """tenant name → tenant (id, region, status), cached per name."""

    def __init__(
        self,
        load: Callable[[str], Tenant | None],
        *,
        ttl_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load
        self._ttl = ttl_seconds
        self._clock = clock
        self._entries: dict[str, tuple[float, Tenant | None]] = {}
        self._lock = threading.Lock()

    def cached(self, name: str) -> Tenant | None:
        """The tenant if a fresh entry is cached, without any I/O (safe on the event loop)."""
        entry = self._entries.get(name)
        if entry is not None and self._clock() - entry[0] < self._ttl:
            return entry[1]
        return None

    def get(self, name: str) -> Tenant | None:
        hit = self.cached(name)
        if hit is not None:
            return hit
        now = self._clock()
        tenant = self._load(name)
        with self._lock:
            if tenant is not None:
                self._entries[name] = (now, tenant)
                if len(self._entries) > 10_000:  # bounded: drop the oldest half
                    for key in sorted(self._entries, key=lambda k: self._entries[k][0])[:5000]:
                        del self._entries[key]
            else:
                self._entries.pop(name, None)
        return tenant

    def invalidate(self, name: str) -> None:
        with self._lock:
            self._entries.pop(name, None)
