-- The regional shared schema: which tenants this region hosts and where their data lives.
-- Tenant data itself lives only in the tenant's own schema (t_<uuid hex>).
CREATE TABLE tenants (
    id             uuid PRIMARY KEY,
    name           text NOT NULL UNIQUE,
    schema_name    text NOT NULL UNIQUE CHECK (schema_name ~ '^t_[0-9a-f]{32}$'),
    status         text NOT NULL CHECK (status IN ('provisioning', 'active')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
