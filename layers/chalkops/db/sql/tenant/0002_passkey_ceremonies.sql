-- Passkey ceremonies. A sign-in that started from an email must be answered by that user's
-- credential only, even when the email matched nobody (user_id NULL): without this flag such a
-- ceremony would look discoverable and accept anyone's passkey, which tells known emails apart.
ALTER TABLE webauthn_challenges ADD COLUMN email_first boolean NOT NULL DEFAULT false;

-- Verification finds the challenge by the value the browser signed (single use: DELETE).
CREATE UNIQUE INDEX webauthn_challenges_value ON webauthn_challenges (purpose, challenge);

-- Abandoned ceremonies are purged in small batches, oldest first.
CREATE INDEX webauthn_challenges_expiry ON webauthn_challenges (expires_at);
