"""ChalkOps shared library: the code every ChalkOps process (Lambda, local service, agent) shares."""
