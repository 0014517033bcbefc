"""An ASGI middleware in front of every API: blacklist, request id, body size and JSON depth.

Pure ASGI rather than Starlette's ``BaseHTTPMiddleware`` so it adds next to nothing to a request.
Bodies are buffered up to ``max_body_bytes`` (bigger → 413) and JSON bodies nested deeper than
``max_json_depth`` get a 400 before the JSON parser — whose recursion limit would otherwise turn
hostile input into a 500 — ever sees them. Paths that decode to control characters (``%00``,
``%1F``…) get a 404: no ChalkOps resource has one, PostgreSQL text cannot hold NUL, and an HTTP
client re-sending such a path (the central API's forwarding) refuses to build the URL.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from chalkops.http.problem_document import problem_document
from chalkops.ids import new_id
from chalkops.observability import bind

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Gate = Callable[[Scope], "Rejection | None"]


class Rejection(Exception):
    def __init__(self, status: int, code: str, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.title, self.detail = status, code, title, detail


class RequestGuard:
    def __init__(
        self,
        app: ASGIApp,
        *,
        gate: Gate | None = None,
        max_body_bytes: int = 1024 * 1024,
        max_json_depth: int = 32,
    ) -> None:
        self.app = app
        self.gate = gate
        self.max_body_bytes = max_body_bytes
        self.max_json_depth = max_json_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _header(scope, b"x-request-id") or new_id().hex
        with bind(request_id=request_id[:64]):
            rejection = self.gate(scope) if self.gate else None
            if rejection is None and _has_control_characters(str(scope.get("path", ""))):
                rejection = Rejection(
                    404, "not_found", "Not found", "no resource has control characters in its path"
                )
            if rejection is not None:
                await _problem(send, rejection)
                return
            try:
                body = await self._read_body(scope, receive)
            except Rejection as exc:
                await _problem(send, exc)
                return
            await self.app(scope, _replay(body, receive), send)

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes:
        declared = _header(scope, b"content-length")
        if declared and declared.isdigit() and int(declared) > self.max_body_bytes:
            raise _too_large(self.max_body_bytes)
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise _too_large(self.max_body_bytes)
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        content_type = (_header(scope, b"content-type") or "").lower()
        if body and "json" in content_type:
            depth, has_nul = _scan_json(body)
            if depth > self.max_json_depth:
                raise Rejection(
                    400,
                    "json_too_deep",
                    "JSON too deep",
                    f"JSON nesting deeper than {self.max_json_depth} levels is refused",
                )
            if has_nul:
                # PostgreSQL text cannot hold NUL, and no field of ours has a use for it.
                raise Rejection(
                    400,
                    "nul_character",
                    "NUL character",
                    "text containing the NUL character (\\u0000) is refused",
                )
        return body


def _too_large(limit: int) -> Rejection:
    return Rejection(
        413, "payload_too_large", "Payload too large", f"the request body exceeds {limit} bytes"
    )


def _has_control_characters(path: str) -> bool:
    return any(ord(char) < 0x20 or ord(char) == 0x7F for char in path)


def _scan_json(body: bytes) -> tuple[int, bool]:
    """Deepest nesting of arrays/objects (ignoring brackets inside strings) and whether a
    string holds a ``\\u0000`` escape, in one linear pass before any parser runs."""
    depth = deepest = 0
    in_string = escaped = has_nul = False
    for index, byte in enumerate(body):
        if in_string:
            if escaped:
                escaped = False
                has_nul = has_nul or (byte == 0x75 and body[index + 1 : index + 5] == b"0000")
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest, has_nul


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def _replay(body: bytes, original: Receive) -> Receive:
    """The buffered body once, then the real channel (so disconnects still arrive)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return await original()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _problem(send: Send, rejection: Rejection) -> None:
    document = problem_document(rejection.status, rejection.code, rejection.title, rejection.detail)
    body = json.dumps(document).encode()
    await send(
        {
            "type": "http.response.start",
            "status": rejection.status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
