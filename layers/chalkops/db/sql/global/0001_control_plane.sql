-- The global control plane: regions, tenants, global admins, IP blacklist, audit trail.
CREATE TABLE regions (
    code        text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9-]{1,30}$'),
    name        text NOT NULL,
    enabled     boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tenants (
    id             uuid PRIMARY KEY,
    name           text NOT NULL UNIQUE CHECK (name ~ '^[a-z][a-z0-9-]{2,62}$'),
    region         text NOT NULL REFERENCES regions (code),
    display_name   text,
    status         text NOT NULL CHECK (status IN ('provisioning', 'active', 'failed')),
    status_reason  text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Global admins. tenant_id is the tenant whose registration created the row; NULL for platform
-- operators. Emails are stored as given and compared in their lower-cased form.
CREATE TABLE global_system_users (
    id               uuid PRIMARY KEY,
    tenant_id        uuid REFERENCES tenants (id) ON DELETE CASCADE,
    email            text NOT NULL,
    email_lower      text NOT NULL,
    password_hash    text NOT NULL,
    roles            text[] NOT NULL DEFAULT ARRAY['tenant_owner'],
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_login_at    timestamptz,
    UNIQUE (email_lower, tenant_id)
);
CREATE UNIQUE INDEX global_system_users_operator_email
    ON global_system_users (email_lower) WHERE tenant_id IS NULL;

CREATE TABLE ip_blacklist (
    id          uuid PRIMARY KEY,
    cidr        cidr NOT NULL,
    reason      text,
    expires_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  uuid
);
CREATE INDEX ip_blacklist_cidr ON ip_blacklist USING gist (cidr inet_ops);

-- Failed-login counters, one row per key ("account:<email>" or "ip:<address>"), in fixed windows.
CREATE TABLE login_throttle (
    key            text PRIMARY KEY,
    window_start   timestamptz NOT NULL,
    failures       integer NOT NULL DEFAULT 0,
    blocked_until  timestamptz
);

CREATE TABLE audit_events (
    id           uuid PRIMARY KEY,
    occurred_at  timestamptz NOT NULL DEFAULT now(),
    event        text NOT NULL,
    outcome      text NOT NULL,
    tenant_id    uuid,
    actor        text,
    source_ip    inet,
    details      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_events_tenant ON audit_events (tenant_id, occurred_at);
