"""Checklist 26 for the regional API: fuzzing its OpenAPI schema (positive and negative data)
through the central API's forwarding, signed in as a tenant admin, finds no 5xx and no response
that breaks the schema.

The schema is the regional process's own ``/openapi.json``, read through the forwarding
(``/tenants/<name>/openapi.json``), and every request goes to ``<central>/tenants/<name>/...``.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    positive_data_acceptance,
    unsupported_method,
)

from tests.fuzz.conftest import FuzzTenant, refused_by_business_rule

pytestmark = pytest.mark.e2e
schema = schemathesis.pytest.from_fixture("regional_schema")

# Through the forwarding, the central API — not the region — answers the methods it does not
# forward (OPTIONS, TRACE…): its 405 and ``Allow`` describe the forwarding route, whatever the
# regional resource serves. (``PATCH /users/me`` also reaches ``PATCH /users/{user_id}``: a 422
# for "me", not a 405.) These checks judge the central API's routing, not the regional answers.
NOT_APPLICABLE = [unsupported_method, allow_header_conformance]
# A schema-valid WebAuthn response is not a signed one: the ceremony endpoints rightly refuse
# what the fuzzer makes up (400 / 401), so "valid data must be accepted" cannot apply there.
CEREMONY_VERIFY = {"/auth/passkeys/register/verify", "/auth/passkeys/login/verify"}


@schema.parametrize()
@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
def test_regional_api_through_forwarding_conforms_and_never_fails_with_5xx(
    case: Any, regional_fuzz_session: requests.Session, fuzz_tenant: FuzzTenant
) -> None:
    headers = fuzz_tenant.auth_headers
    response = case.call(session=regional_fuzz_session, headers=headers, timeout=30)
    assert response.status_code < 500, f"{case.method} {case.formatted_path} -> {response.text}"
    if case.method == "POST" and case.path == "/auth/logout" and response.status_code == 204:
        fuzz_tenant.sign_in()  # the fuzzer ended the admin's session: keep a valid token
    case.validate_response(
        response,
        headers=headers,
        transport_kwargs={"session": regional_fuzz_session},
        excluded_checks=NOT_APPLICABLE
        + (
            [positive_data_acceptance]
            if case.path in CEREMONY_VERIFY or refused_by_business_rule(response)
            else []
        ),
    )
