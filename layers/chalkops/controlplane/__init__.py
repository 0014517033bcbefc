"""The global control plane: tenants, regions, global admins, the IP blacklist, forwarding."""
