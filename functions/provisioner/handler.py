"""Lambda entry point of the regional tenant provisioner (placeholder)."""

from typing import Any


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    raise NotImplementedError("tenant provisioning lands with the control-plane issue")
