# The central API (global control plane). It reaches regions over HTTP only: no regional
# secret, key or database login is readable with this policy.

# Its own database logins: dynamic, short-lived, members of the global app role.
path "database/creds/central-api" {
  capabilities = ["read"]
}

# Signs global-admin access tokens; the private key never leaves Vault.
path "transit/sign/central-jwt" {
  capabilities = ["update"]
}
path "transit/keys/central-jwt" {
  capabilities = ["read"]
}

# The key that signs the internal forwarding credential the regional APIs verify.
path "chalkops-kv/data/forwarding/signing" {
  capabilities = ["read"]
}

# Keep its own leases alive.
path "sys/leases/renew" {
  capabilities = ["update"]
}
path "sys/leases/lookup" {
  capabilities = ["update"]
}
