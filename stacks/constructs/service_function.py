"""One ChalkOps Lambda function with its own role, security group and log group."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from stacks.constants import HANDLER_ATTRIBUTE, LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME
from stacks.constructs.network import Network
from stacks.packaging import function_code

# Lambda's ENI management in a VPC; EC2 offers no resource-level scoping for these actions.
VPC_ACCESS_ACTIONS = [
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
]


class ServiceFunction(Construct):
    """A function from ``functions/<package>/handler.py`` in the VPC's app subnets.

    The role starts with nothing but writing its own log group and attaching to the VPC; each
    further permission is granted by the stack that wires the function to a resource. The
    security group allows no egress until a peer is opened with :meth:`allow_egress_to`.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        package: str,
        role_name: str,
        layer: lambda_.ILayerVersion,
        network: Network,
        environment: dict[str, str],
        log_retention: logs.RetentionDays,
        timeout: Duration,
        memory_size: int = 1024,
    ) -> None:
        super().__init__(scope, construct_id)
        self.package = package
        self.log_group = self._build_log_group(log_retention)
        self.role = self._build_role(role_name)
        self.security_group = self._build_security_group(network)
        self.function = self._build_function(
            layer=layer,
            network=network,
            environment=environment,
            timeout=timeout,
            memory_size=memory_size,
        )

    @property
    def handler_path(self) -> str:
        return f"functions.{self.package}.handler.{HANDLER_ATTRIBUTE}"

    def allow_egress_to(self, peer: ec2.IPeer, port: ec2.Port, description: str) -> None:
        self.security_group.add_egress_rule(peer, port, description)

    def _build_log_group(self, retention: logs.RetentionDays) -> logs.LogGroup:
        return logs.LogGroup(
            self, "Logs", retention=retention, removal_policy=RemovalPolicy.DESTROY
        )

    def _build_role(self, role_name: str) -> iam.Role:
        # A fixed name: Vault's AWS auth binds its role to this exact IAM principal ARN.
        role = iam.Role(
            self,
            "Role",
            role_name=role_name,
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"ChalkOps {self.package} function",
        )
        self.log_group.grant_write(role)
        role.add_to_policy(iam.PolicyStatement(actions=VPC_ACCESS_ACTIONS, resources=["*"]))
        return role

    def _build_security_group(self, network: Network) -> ec2.SecurityGroup:
        return ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=network.vpc,
            allow_all_outbound=False,
            description=f"ChalkOps {self.package} function",
        )

    def _build_function(
        self,
        *,
        layer: lambda_.ILayerVersion,
        network: Network,
        environment: dict[str, str],
        timeout: Duration,
        memory_size: int,
    ) -> lambda_.Function:
        return lambda_.Function(
            self,
            "Function",
            runtime=LAMBDA_RUNTIME,
            architecture=LAMBDA_ARCHITECTURE,
            code=function_code(self.package),
            handler=self.handler_path,
            layers=[layer],
            role=self.role,
            log_group=self.log_group,
            vpc=network.vpc,
            vpc_subnets=network.app_subnets,
            security_groups=[self.security_group],
            memory_size=memory_size,
            timeout=timeout,
            tracing=lambda_.Tracing.ACTIVE,
            environment={"POWERTOOLS_METRICS_NAMESPACE": "ChalkOps", **environment},
        )
