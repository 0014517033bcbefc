from __future__ import annotations

from chalkops.db.migrations import MigrationSet, load_migrations


def test_every_migration_set_loads_in_version_order_without_gaps() -> None:
    for kind in MigrationSet:
        migrations = load_migrations(kind)
        assert migrations, f"{kind} has no migrations"
        versions = [migration.version for migration in migrations]
        assert versions == list(range(1, len(versions) + 1)), f"{kind}: {versions}"


def test_tenant_migrations_never_name_a_schema() -> None:
    # Tenant DDL must stay unqualified: the runner points search_path at the tenant schema.
    for migration in load_migrations(MigrationSet.TENANT):
        lowered = migration.sql.lower()
        assert "public." not in lowered
        assert "regional." not in lowered
        assert "set search_path" not in lowered
