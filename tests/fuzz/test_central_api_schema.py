"""Checklist 26: fuzzing the central API from its OpenAPI schema (positive and negative data)
finds no 5xx and no response that breaks the schema."""

from __future__ import annotations

from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.fuzz.conftest import refused_by_business_rule

pytestmark = pytest.mark.e2e
schema = schemathesis.pytest.from_fixture("central_schema")


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_central_api_conforms_and_never_fails_with_5xx(
    case: Any, fuzz_session: requests.Session
) -> None:
    response = case.call(session=fuzz_session, timeout=30)
    assert response.status_code < 500, f"{case.method} {case.formatted_path} -> {response.text}"
    case.validate_response(
        response,
        excluded_checks=[positive_data_acceptance] if refused_by_business_rule(response) else [],
    )
