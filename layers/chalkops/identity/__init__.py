"""Tenant identity: who a tenant user is and how they prove it (passwords, passkeys, tokens)."""
