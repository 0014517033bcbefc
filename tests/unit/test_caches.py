"""The blacklist and tenant caches: no database round trip per request, changes seen quickly."""

from __future__ import annotations

import uuid

from chalkops.controlplane.caches import BlacklistCache, TenantDirectory
from chalkops.controlplane.models import Tenant, TenantStatus


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_blacklist_loads_once_per_ttl_and_invalidate_forces_a_reload() -> None:
    loads: list[int] = []
    entries = ["192.0.2.0/24"]
    clock = Clock()

    def load() -> list[str]:
        loads.append(1)
        return list(entries)

    cache = BlacklistCache(load, ttl_seconds=5, clock=clock)
    assert all(cache.is_blocked("192.0.2.9") for _ in range(100))
    assert len(loads) == 1
    entries.clear()
    clock.now = 4.9
    assert cache.is_blocked("192.0.2.9"), "within the TTL the cached list answers"
    cache.invalidate()
    assert not cache.is_blocked("192.0.2.9")
    assert len(loads) == 2


def test_blacklist_ignores_what_is_not_an_ip() -> None:
    assert not BlacklistCache(lambda: ["0.0.0.0/0"]).is_blocked("not-an-ip")


def test_tenant_directory_caches_hits_and_refreshes_after_invalidate() -> None:
    calls: list[str] = []
    tenant = Tenant(uuid.uuid4(), "acme", "local-1", TenantStatus.PROVISIONING)
    state = {"tenant": tenant}

    def load(name: str) -> Tenant | None:
        calls.append(name)
        return state["tenant"]

    directory = TenantDirectory(load, ttl_seconds=30, clock=Clock())
    for _ in range(10):
        assert directory.get("acme") is tenant
    assert calls == ["acme"]
    state["tenant"] = Tenant(tenant.id, "acme", "local-1", TenantStatus.ACTIVE)
    directory.invalidate("acme")
    assert directory.get("acme").status is TenantStatus.ACTIVE  # type: ignore[union-attr]


def test_unknown_tenants_are_not_cached() -> None:
    calls: list[str] = []

    def load(name: str) -> Tenant | None:
        calls.append(name)
        return None

    directory = TenantDirectory(load, clock=Clock())
    assert directory.get("ghost") is None
    assert directory.get("ghost") is None
    assert calls == ["ghost", "ghost"], "a tenant registered a moment later must be found"


def test_a_cache_peek_never_loads_and_honours_expiry() -> None:
    calls: list[str] = []
    tenant = Tenant(uuid.uuid4(), "acme", "local-1", TenantStatus.ACTIVE)

    def load(name: str) -> Tenant | None:
        calls.append(name)
        return tenant

    clock = Clock()
    directory = TenantDirectory(load, ttl_seconds=30, clock=clock)
    assert directory.cached("acme") is None
    assert calls == [], "a peek is answered on the event loop: it must never reach the DB"
    directory.get("acme")
    assert directory.cached("acme") is tenant
    clock.now += 31
    assert directory.cached("acme") is None
