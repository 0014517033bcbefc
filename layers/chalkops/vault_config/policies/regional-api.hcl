# A regional API, one policy per region (${region} is filled in when the policy is applied).

path "database/creds/regional-api-${region}" {
  capabilities = ["read"]
}

# Signs tenant access tokens with this region's key; `update` only: never `create`, which would
# let a caller mint a new key by naming it.
path "transit/sign/jwt-${region}" {
  capabilities = ["update"]
}
path "transit/keys/jwt-${region}" {
  capabilities = ["read"]
}

# This region's WebAuthn secrets (the key that makes decoy passkey options for unknown emails).
path "chalkops-kv/data/regional/${region}/webauthn" {
  capabilities = ["read"]
}

# Verifies the central API's forwarding credential.
path "chalkops-kv/data/forwarding/public" {
  capabilities = ["read"]
}

path "sys/leases/renew" {
  capabilities = ["update"]
}
path "sys/leases/lookup" {
  capabilities = ["update"]
}
