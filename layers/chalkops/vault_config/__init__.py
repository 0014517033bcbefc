"""Vault configuration as code: the policies and the bootstrap ChalkOps needs from a Vault.

The same files and code configure the local OpenBao (``chalkops dev``) and production Vault
(``chalkops vault-apply``).
"""
