"""PostgreSQL access: pooled connections, tenant-scoped transactions, migrations."""
