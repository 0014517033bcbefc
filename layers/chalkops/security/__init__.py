"""Security mechanisms shared by the central and regional APIs."""
