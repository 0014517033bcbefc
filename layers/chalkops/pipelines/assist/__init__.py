"""LLM assist: optional proposals for constructs the deterministic rules mark unknown."""
