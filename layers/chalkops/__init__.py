"""ChalkOps shared library: code every ChalkOps process (Lambda, local service, agent) shares."""
