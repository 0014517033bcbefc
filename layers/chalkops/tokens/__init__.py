"""Tokens: ES256 JWTs signed in Vault transit (access, admin, agent) and the Ed25519 forwarding
credential the central API attaches to each request it forwards to a region."""
