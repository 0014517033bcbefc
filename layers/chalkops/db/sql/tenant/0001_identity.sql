-- A tenant's identity tables. Unqualified names: the runner sets search_path to the tenant schema.
CREATE TABLE users (
    id              uuid PRIMARY KEY,
    email           text NOT NULL,
    email_lower     text NOT NULL UNIQUE,
    display_name    text,
    password_hash   text,
    roles           text[] NOT NULL DEFAULT ARRAY['member'],
    webauthn_handle bytea NOT NULL UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    last_login_at   timestamptz
);

CREATE TABLE passkeys (
    id                 uuid PRIMARY KEY,
    user_id            uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id      bytea NOT NULL UNIQUE,
    public_key         bytea NOT NULL,
    sign_count         bigint NOT NULL DEFAULT 0,
    transports         text[] NOT NULL DEFAULT '{}',
    aaguid             text,
    backup_eligible    boolean NOT NULL DEFAULT false,
    backup_state       boolean NOT NULL DEFAULT false,
    nickname           text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    last_used_at       timestamptz
);
CREATE INDEX passkeys_user ON passkeys (user_id);

CREATE TABLE webauthn_challenges (
    id          uuid PRIMARY KEY,
    purpose     text NOT NULL CHECK (purpose IN ('registration', 'authentication')),
    user_id     uuid REFERENCES users (id) ON DELETE CASCADE,
    challenge   bytea NOT NULL,
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE refresh_tokens (
    id           uuid PRIMARY KEY,
    family_id    uuid NOT NULL,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   text NOT NULL UNIQUE,
    expires_at   timestamptz NOT NULL,
    rotated_at   timestamptz,
    revoked_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

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
    user_id      uuid,
    source_ip    inet,
    details      jsonb NOT NULL DEFAULT '{}'::jsonb
);
