"""Test helpers shared across test layers (software authenticators, factories)."""
