"""The one way a ChalkOps FastAPI app becomes a Lambda handler."""

from __future__ import annotations

from typing import Any

from mangum import Mangum
from mangum.adapter import DEFAULT_TEXT_MIME_TYPES

from chalkops.http.problem_document import PROBLEM_JSON


def lambda_handler(app: Any) -> Mangum:
    # problem+json is text: without this Mangum would base64 it and API Gateway (with no binary
    # media types) would hand clients base64 instead of the error document.
    return Mangum(app, lifespan="auto", text_mime_types=[*DEFAULT_TEXT_MIME_TYPES, PROBLEM_JSON])
