"""One regional stack per region: tenant data, the regional API and the provisioner."""

from __future__ import annotations

from typing import Any

from aws_cdk import Aws, CfnOutput, Duration, Environment, Stack
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from stacks.config import DeploymentConfig, RegionConfig
from stacks.constants import VAULT_PORT
from stacks.constructs.alarm_topic import AlarmTopic
from stacks.constructs.database import POSTGRES_PORT, AuroraDatabase
from stacks.constructs.network import Network
from stacks.constructs.regional_api import RegionalApi
from stacks.constructs.service_function import ServiceFunction
from stacks.constructs.shared_layer import SharedLayer
from stacks.constructs.vault_settings import VaultSettings

FUNCTIONS = ("regional_api", "provisioner")


class RegionalStack(Stack):
    """Everything one region runs. The next wave adds, as constructs composed here:

    - ``JobQueue``: the SQS queue (KMS-encrypted, TLS-only) and its dead-letter queue that feed
      the self-hosted agents, plus SQS interface endpoints in this VPC;
    - ``MigrationWorkflows``: the Step Functions state machines deployed from
      ``statemachines/*.asl.json`` (the files, never a copy), with their task functions;
    - ``AgentService``: the Fargate service running the agent image in ``sqs`` mode, in the
      app subnets, with ECR / Logs interface endpoints;
    - ``CustomerVpn``: the Site-to-Site VPN (virtual private gateway, customer gateways) and
      the ``execute-api`` interface endpoint through which customer agents poll the regional
      API (see :class:`~stacks.constructs.regional_api.RegionalApi`).

    None of them has resources yet, on purpose: they arrive with the code that uses them.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeploymentConfig,
        region: RegionConfig,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            env=Environment(account=config.account, region=region.name),
            description=f"ChalkOps regional ({region.name}): tenant data, regional API",
            termination_protection=not config.is_development,
            **kwargs,
        )
        self.config = config
        vault = VaultSettings(
            self, "Vault", vault=config.vault, region=region.name, functions=list(FUNCTIONS)
        )
        alarms = AlarmTopic(self, "Alarms")
        self.network = Network(
            self,
            "Network",
            cidr=region.cidr,
            internet_egress=False,
            log_retention=config.log_retention,
        )
        self.database = AuroraDatabase(
            self,
            "Database",
            vpc=self.network.vpc,
            subnets=self.network.data_subnets,
            cluster_identifier=f"chalkops-{config.environment}-regional",
            database_name=regional_database_name(region.name),
            development=config.is_development,
            log_retention=config.log_retention,
        )
        self.layer = SharedLayer(
            self, "SharedLayer", install_dependencies=config.install_dependencies
        )
        common = {"CHALKOPS_ENVIRONMENT": config.environment, "CHALKOPS_REGION": region.name}
        central_role_arn = _role_arn(config.central_api_role_name())
        self.api_function = self._function(
            "RegionalApiFunction",
            "regional_api",
            environment={
                **common,
                **vault.environment("regional_api"),
                **self.database.connection_environment(vault.role("regional_api")),
                "POWERTOOLS_SERVICE_NAME": "regional-api",
                # The only caller API Gateway lets through; the app can check it again.
                "CHALKOPS_CENTRAL_API_ROLE_ARN": central_role_arn,
            },
            timeout=Duration.seconds(29),
        )
        self.provisioner = self._function(
            "ProvisionerFunction",
            "provisioner",
            environment={
                **common,
                **vault.environment("provisioner"),
                **self.database.connection_environment(vault.role("provisioner")),
                "POWERTOOLS_SERVICE_NAME": "provisioner",
            },
            timeout=Duration.minutes(5),
        )
        self.regional_api = RegionalApi(
            self,
            "RegionalApi",
            function=self.api_function.function,
            central_api_role_arn=central_role_arn,
            log_retention=config.log_retention,
            alarm_topic=alarms.topic,
        )
        self.database.allow_from_cidr(config.vault.cidr, "Vault database secrets engine")
        CfnOutput(self, "RegionalApiUrl", value=self.regional_api.url)
        CfnOutput(self, "DatabaseEndpoint", value=self.database.endpoint)
        CfnOutput(self, "DatabaseAdminSecretArn", value=self.database.admin_secret_arn)
        # The IAM principals `chalkops vault-apply` binds to this region's Vault AWS-auth roles.
        CfnOutput(self, "RegionalApiRoleArn", value=self.api_function.role.role_arn)
        CfnOutput(self, "ProvisionerRoleArn", value=self.provisioner.role.role_arn)

    def _function(
        self, construct_id: str, package: str, *, environment: dict[str, str], timeout: Duration
    ) -> ServiceFunction:
        function = ServiceFunction(
            self,
            construct_id,
            package=package,
            role_name=self.config.function_role_name(package.replace("_", "-"), self.region),
            layer=self.layer.layer,
            network=self.network,
            environment=environment,
            log_retention=self.config.log_retention,
            timeout=timeout,
        )
        # Each function reaches its region's database and Vault, and nothing else: the app
        # subnets have no route to the internet.
        self.database.allow_from(function.security_group, package)
        function.allow_egress_to(
            self.database.security_group, ec2.Port.tcp(POSTGRES_PORT), "regional database"
        )
        function.allow_egress_to(
            ec2.Peer.ipv4(self.config.vault.cidr), ec2.Port.tcp(VAULT_PORT), "Vault"
        )
        return function


def regional_database_name(region: str) -> str:
    # Same naming as the local platform and `chalkops vault-apply` use for a region's database.
    return "chalkops_" + region.replace("-", "_")


def _role_arn(role_name: str) -> str:
    # IAM is global, so the central API's role (created by the global stack in the primary
    # region) has a predictable ARN here without a cross-region reference.
    return f"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}:role/{role_name}"
