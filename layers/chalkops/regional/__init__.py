"""The regional data plane: trusting the central API's forwarding, tenant context."""
