# A region's tenant provisioner: creates tenant schemas, so its logins are members of the
# region database's owner role. Nothing else.

path "database/creds/provisioner-${region}" {
  capabilities = ["read"]
}

path "chalkops-kv/data/forwarding/public" {
  capabilities = ["read"]
}

path "sys/leases/renew" {
  capabilities = ["update"]
}
path "sys/leases/lookup" {
  capabilities = ["update"]
}
