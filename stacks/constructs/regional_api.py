"""A regional API: callable by the central API only, through IAM-signed requests."""

from __future__ import annotations

from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from constructs import Construct

from stacks.constructs.api_stage import ApiAlarms, access_log_group, stage_options

INVOKE = "execute-api:Invoke"
ALL_METHODS = "execute-api:/*"


class RegionalApi(Construct):
    """``ANY /`` and ``ANY /{proxy+}`` with AWS_IAM authorization and a resource policy.

    Why a resource policy and not a PRIVATE endpoint: a private API answers only through an
    ``execute-api`` interface endpoint in the caller's own region, but the central API runs in
    the primary region and calls every region, so a private API would need inter-region peering
    or a transit gateway plus endpoint-specific host names before a single request flows. A
    REGIONAL endpoint whose policy denies every principal except the central API's role gives
    the same guarantee (nothing on the internet gets past API Gateway without that role's
    SigV4 signature) and makes each forwarded request verifiable: the signature is the
    central API's credential. When the Site-to-Site VPN lands, the agents' path is added as an
    ``execute-api`` endpoint in this region's VPC and an ``aws:SourceVpce`` allowance here.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function: lambda_.IFunction,
        central_api_role_arn: str,
        log_retention: logs.RetentionDays,
        alarm_topic: sns.ITopic,
    ) -> None:
        super().__init__(scope, construct_id)
        self.access_logs = access_log_group(self, log_retention)
        self.api = self._build_api(central_api_role_arn)
        self._build_routes(function)
        self.alarms = ApiAlarms(self, "Alarms", api=self.api, function=function, topic=alarm_topic)

    @property
    def url(self) -> str:
        return self.api.url

    def _build_api(self, central_api_role_arn: str) -> apigw.RestApi:
        return apigw.RestApi(
            self,
            "Api",
            rest_api_name="chalkops-regional",
            description="ChalkOps regional API (tenant data, identity, jobs)",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            policy=_central_api_only(central_api_role_arn),
            deploy_options=stage_options(self.access_logs),
            default_method_options=apigw.MethodOptions(
                authorization_type=apigw.AuthorizationType.IAM
            ),
            cloud_watch_role=True,
        )

    def _build_routes(self, function: lambda_.IFunction) -> None:
        integration = apigw.LambdaIntegration(function, proxy=True, allow_test_invoke=False)
        self.api.root.add_method("ANY", integration)
        self.api.root.add_proxy(default_integration=integration, any_method=True)


def _central_api_only(central_api_role_arn: str) -> iam.PolicyDocument:
    return iam.PolicyDocument(
        statements=[
            iam.PolicyStatement(
                effect=iam.Effect.ALLOW,
                principals=[iam.ArnPrincipal(central_api_role_arn)],
                actions=[INVOKE],
                resources=[ALL_METHODS],
            ),
            # Explicit, so that no identity policy in the account (an administrator's, say)
            # can open the API to anyone else.
            iam.PolicyStatement(
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=[INVOKE],
                resources=[ALL_METHODS],
                conditions={"StringNotEquals": {"aws:PrincipalArn": central_api_role_arn}},
            ),
        ]
    )
