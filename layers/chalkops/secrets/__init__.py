"""Secrets: Vault (kv-v2, transit, dynamic database credentials) behind small ports."""
