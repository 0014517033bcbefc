"""HTTP concerns shared by the ChalkOps APIs: problem+json errors, request limits."""
