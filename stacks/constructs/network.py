"""A VPC with no inbound path from the internet, and flow logs."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from constructs import Construct

APP_SUBNETS = "app"
DATA_SUBNETS = "data"


class Network(Construct):
    """Two subnet groups per AZ: ``app`` for functions, ``data`` for databases (isolated).

    ``internet_egress`` adds one NAT gateway and makes the app subnets egress-capable. Only the
    global VPC needs it: its central API calls the regional APIs in *other* regions and the WAF
    API, and no VPC endpoint serves a cross-region call. Everything an endpoint can serve goes
    through an endpoint instead.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cidr: str,
        internet_egress: bool,
        log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, construct_id)
        self.vpc = self._build_vpc(cidr, internet_egress)
        self._build_flow_log(log_retention)
        self._build_endpoints()

    @property
    def app_subnets(self) -> ec2.SubnetSelection:
        return ec2.SubnetSelection(subnet_group_name=APP_SUBNETS)

    @property
    def data_subnets(self) -> ec2.SubnetSelection:
        return ec2.SubnetSelection(subnet_group_name=DATA_SUBNETS)

    def _build_vpc(self, cidr: str, internet_egress: bool) -> ec2.Vpc:
        subnets = [
            ec2.SubnetConfiguration(
                name=APP_SUBNETS,
                subnet_type=(
                    ec2.SubnetType.PRIVATE_WITH_EGRESS
                    if internet_egress
                    else ec2.SubnetType.PRIVATE_ISOLATED
                ),
                cidr_mask=20,
            ),
            ec2.SubnetConfiguration(
                name=DATA_SUBNETS, subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24
            ),
        ]
        if internet_egress:
            # The NAT gateway's own subnet; nothing else is placed there.
            subnets.append(
                ec2.SubnetConfiguration(
                    name="egress", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=26
                )
            )
        return ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(cidr),
            max_azs=2,
            nat_gateways=1 if internet_egress else 0,
            subnet_configuration=subnets,
            # The default security group is never used; strip its rules so nothing can
            # accidentally rely on its allow-all egress / self-ingress.
            restrict_default_security_group=True,
        )

    def _build_flow_log(self, retention: logs.RetentionDays) -> None:
        log_group = logs.LogGroup(
            self, "FlowLogs", retention=retention, removal_policy=RemovalPolicy.DESTROY
        )
        self.vpc.add_flow_log(
            "FlowLog",
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(log_group),
            traffic_type=ec2.FlowLogTrafficType.ALL,
        )

    def _build_endpoints(self) -> None:
        # Gateway endpoints cost nothing: S3 traffic (migration artifacts, and container image
        # layers for the agents next wave) stays off the NAT and off the internet. Interface
        # endpoints are added by the constructs whose functions call those services (SQS and
        # Step Functions arrive with the next wave).
        self.vpc.add_gateway_endpoint("S3", service=ec2.GatewayVpcEndpointAwsService.S3)
