"""How ChalkOps functions reach Vault: stack parameters, passed to each function's environment."""

from __future__ import annotations

from aws_cdk import CfnParameter
from constructs import Construct

from stacks.config import VaultConfig


class VaultSettings(Construct):
    """``VaultAddress`` plus one ``VaultAuthRole<Function>`` parameter per function.

    Parameters rather than constants, so an operator can point a deployed stack at a different
    Vault cluster (``cdk deploy --parameters VaultAddress=...``) without editing context. Each
    function gets its own Vault AWS-auth role, bound in Vault to that function's IAM role, so a
    function's Vault policy is as narrow as its IAM policy.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vault: VaultConfig,
        region: str,
        functions: list[str],
    ) -> None:
        super().__init__(scope, construct_id)
        self._address = self._parameter(
            "VaultAddress", vault.address(region), "HTTPS address of this region's Vault cluster"
        )
        self._roles = {
            function: self._parameter(
                f"VaultAuthRole{_camel(function)}",
                vault.auth_role(function, region),
                f"Vault AWS-auth role the {function} function logs in with",
            )
            for function in functions
        }

    def role(self, function: str) -> str:
        """The function's Vault role name (AWS auth and database engine alike)."""
        return self._roles[function].value_as_string

    def environment(self, function: str) -> dict[str, str]:
        """The Vault variables for one function.

        ``CHALKOPS_VAULT__*`` is what ``chalkops.config`` parses (nested settings, ``__``
        delimiter); the flat ``CHALKOPS_VAULT_*`` names are the deployment contract that
        operators and runbooks refer to. Both carry the same values.
        """
        address = self._address.value_as_string
        role = self.role(function)
        return {
            "CHALKOPS_VAULT_ADDR": address,
            "CHALKOPS_VAULT_AUTH_METHOD": "aws",
            "CHALKOPS_VAULT_AWS_ROLE": role,
            "CHALKOPS_VAULT__ADDR": address,
            "CHALKOPS_VAULT__AUTH_METHOD": "aws",
            "CHALKOPS_VAULT__AWS_ROLE": role,
        }

    def _parameter(self, name: str, default: str, description: str) -> CfnParameter:
        parameter = CfnParameter(
            self, name, type="String", default=default, description=description, min_length=1
        )
        # A plain logical id, so that `--parameters VaultAddress=...` works as documented.
        parameter.override_logical_id(name)
        return parameter


def _camel(snake: str) -> str:
    return "".join(part.capitalize() for part in snake.split("_"))
