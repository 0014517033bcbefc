"""The embedded local platform: real PostgreSQL and OpenBao from wheels, the APIs under uvicorn."""
