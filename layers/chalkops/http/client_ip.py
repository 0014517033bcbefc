"""The client's address: the one API Gateway saw, or the socket peer locally — never a header.

``X-Forwarded-For`` is whatever the client wrote; trusting it would let anyone walk around the
IP blacklist and the per-source throttle. Local uvicorn runs with ``--no-proxy-headers`` so its
``client`` is the real peer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def source_ip(scope: Mapping[str, Any]) -> str:
    event = scope.get("aws.event")
    if isinstance(event, Mapping):
        context = event.get("requestContext") or {}
        identity = context.get("identity") or {}  # REST API (v1 payload)
        if isinstance(identity, Mapping) and identity.get("sourceIp"):
            return str(identity["sourceIp"])
        http = context.get("http") or {}  # HTTP API (v2 payload)
        if isinstance(http, Mapping) and http.get("sourceIp"):
            return str(http["sourceIp"])
    client = scope.get("client")
    if client:
        return str(client[0])
    return "0.0.0.0"  # noqa: S104  (no peer at all: an in-process test client)
