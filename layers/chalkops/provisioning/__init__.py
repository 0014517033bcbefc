"""Tenant provisioning in a region: the tenant schema, its tables and its first admin user."""
