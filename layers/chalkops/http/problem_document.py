"""The RFC 9457 problem document, with ChalkOps' stable ``code`` (no web framework imports)."""

from __future__ import annotations

from typing import Any

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE_BASE = "https://chalkops.dev/problems/"


def problem_document(status: int, code: str, title: str, detail: str) -> dict[str, Any]:
    return {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
