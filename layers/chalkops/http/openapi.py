"""OpenAPI descriptions of problem+json responses, so clients and fuzzers know every answer."""

from __future__ import annotations

from typing import Any

from chalkops.http.problem_document import PROBLEM_JSON

_PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
    "additionalProperties": True,
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {
            "description": "Problem (RFC 9457)",
            "content": {PROBLEM_JSON: {"schema": _PROBLEM_SCHEMA}},
        }
        for status in statuses
    }


_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def document_common_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Add to every operation the problems any route can answer, whatever its handler says.

    FastAPI documents its own 422 body (``HTTPValidationError`` as ``application/json``), but
    the problem mapping answers every validation failure as problem+json; and the request guard
    answers before any handler runs: 404 for a path parameter that decodes to control characters,
    400 for a malformed or too deeply nested JSON body, 413 for a body too large. Without these,
    clients and fuzzers meet answers the schema says cannot happen.
    """
    problem_response = problems(400)[400]
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in _HTTP_METHODS or not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            has_input = bool(operation.get("parameters") or operation.get("requestBody"))
            if has_input and not _documents_problem(responses.get("422")):
                responses["422"] = {**problem_response, "description": "Validation failed"}
            if _has_path_parameters(operation):
                responses.setdefault("404", {**problem_response, "description": "Not found"})
            if operation.get("requestBody"):
                responses.setdefault("400", {**problem_response, "description": "Malformed JSON"})
                responses.setdefault("413", {**problem_response, "description": "Too large"})
    return schema


def _has_path_parameters(operation: dict[str, Any]) -> bool:
    return any(
        isinstance(parameter, dict) and parameter.get("in") == "path"
        for parameter in operation.get("parameters", [])
    )


def _documents_problem(response: Any) -> bool:
    return isinstance(response, dict) and PROBLEM_JSON in response.get("content", {})
