"""Constructs: each builds one concern's resources; the stacks only compose them."""
