"""The global stack (primary region): tenant directory, central API, web application."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, Environment, Fn, Stack
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from stacks.config import DeploymentConfig
from stacks.constants import VAULT_PORT
from stacks.constructs.alarm_topic import AlarmTopic
from stacks.constructs.central_api import CentralApi
from stacks.constructs.database import POSTGRES_PORT, AuroraDatabase
from stacks.constructs.firewall import ApiFirewall
from stacks.constructs.network import Network
from stacks.constructs.service_function import ServiceFunction
from stacks.constructs.shared_layer import SharedLayer
from stacks.constructs.vault_settings import VaultSettings
from stacks.constructs.web_site import WebSite

GLOBAL_DATABASE = "chalkops_global"


class GlobalStack(Stack):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: DeploymentConfig, **kwargs: Any
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            env=Environment(account=config.account, region=config.primary_region),
            description="ChalkOps global: tenant directory, central API, web application",
            termination_protection=not config.is_development,
            **kwargs,
        )
        region = config.primary_region
        vault = VaultSettings(
            self, "Vault", vault=config.vault, region=region, functions=["central_api"]
        )
        alarms = AlarmTopic(self, "Alarms")
        network = Network(
            self,
            "Network",
            cidr=config.global_cidr,
            internet_egress=True,
            log_retention=config.log_retention,
        )
        self.database = AuroraDatabase(
            self,
            "Database",
            vpc=network.vpc,
            subnets=network.data_subnets,
            cluster_identifier=f"chalkops-{config.environment}-global",
            database_name=GLOBAL_DATABASE,
            development=config.is_development,
            log_retention=config.log_retention,
        )
        layer = SharedLayer(self, "SharedLayer", install_dependencies=config.install_dependencies)
        self.central_function = ServiceFunction(
            self,
            "CentralApiFunction",
            package="central_api",
            role_name=config.central_api_role_name(),
            layer=layer.layer,
            network=network,
            environment={
                "POWERTOOLS_SERVICE_NAME": "central-api",
                "CHALKOPS_ENVIRONMENT": config.environment,
                **self.database.connection_environment(vault.role("central_api")),
                **vault.environment("central_api"),
            },
            log_retention=config.log_retention,
            timeout=Duration.seconds(29),
        )
        self.central_api = CentralApi(
            self,
            "CentralApi",
            function=self.central_function.function,
            log_retention=config.log_retention,
            alarm_topic=alarms.topic,
        )
        self.firewall = ApiFirewall(
            self,
            "Firewall",
            stage=self.central_api.api.deployment_stage,
            name_prefix=f"chalkops-{config.environment}",
        )
        self.web = WebSite(
            self,
            "Web",
            site_dir=config.web_dist,
            api_origin=_origin_of(self.central_api.url),
            log_retention=config.log_retention,
        )
        self._connect(config)
        self._outputs()

    def _connect(self, config: DeploymentConfig) -> None:
        central = self.central_function
        self.firewall.grant_blacklist_sync(central.function)
        central.function.add_environment(
            "CHALKOPS_WAF_BLACKLIST_IPV4_ARN", self.firewall.blacklist_ipv4.attr_arn
        )
        central.function.add_environment(
            "CHALKOPS_WAF_BLACKLIST_IPV6_ARN", self.firewall.blacklist_ipv6.attr_arn
        )
        self.database.allow_from(central.security_group, "central API")
        central.allow_egress_to(
            self.database.security_group, ec2.Port.tcp(POSTGRES_PORT), "global database"
        )
        vault_peer = ec2.Peer.ipv4(config.vault.cidr)
        central.allow_egress_to(vault_peer, ec2.Port.tcp(VAULT_PORT), "Vault")
        # The regional APIs (public AWS endpoints in other regions, IAM-signed) and the WAF API
        # are reached through the NAT gateway; their addresses are not known in advance.
        central.allow_egress_to(ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "regional APIs, AWS APIs")
        # Vault's database secrets engine creates the short-lived roles the functions use.
        self.database.allow_from_cidr(config.vault.cidr, "Vault database secrets engine")

    def _outputs(self) -> None:
        CfnOutput(self, "CentralApiUrl", value=self.central_api.url)
        CfnOutput(self, "CentralApiRoleArn", value=self.central_function.role.role_arn)
        CfnOutput(self, "WebUrl", value=f"https://{self.web.distribution.distribution_domain_name}")
        CfnOutput(self, "DatabaseEndpoint", value=self.database.endpoint)
        CfnOutput(self, "DatabaseAdminSecretArn", value=self.database.admin_secret_arn)


def _origin_of(url: str) -> str:
    """``https://host`` of an ``https://host/stage/`` URL token."""
    return "https://" + Fn.select(2, Fn.split("/", url))
