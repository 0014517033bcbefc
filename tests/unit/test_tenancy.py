from __future__ import annotations

import uuid

import pytest

from chalkops.db.exceptions import InvalidTenantSchema
from chalkops.db.tenancy import is_tenant_schema, tenant_schema
from chalkops.ids import new_id


def test_schema_name_derives_from_the_tenant_uuid_only() -> None:
    tenant_id = new_id()
    schema = tenant_schema(tenant_id)
    assert schema == f"t_{tenant_id.hex}"
    assert is_tenant_schema(schema)
    assert tenant_schema(str(tenant_id)) == schema


@pytest.mark.parametrize(
    "hostile",
    [
        "acme",
        'x"; DROP SCHEMA public; --',
        "t_../../etc",
        "",
        "00000000-0000-0000-0000-00000000000g",
    ],
)
def test_anything_that_is_not_a_uuid_never_becomes_a_schema_name(hostile: str) -> None:
    with pytest.raises(InvalidTenantSchema):
        tenant_schema(hostile)


def test_schema_names_are_plain_lowercase_identifiers() -> None:
    assert not is_tenant_schema("t_" + uuid.uuid4().hex.upper())
    assert not is_tenant_schema("public")
