"""The central API: a public REST API in front of the central FastAPI function."""

from __future__ import annotations

from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from constructs import Construct

from stacks.constructs.api_stage import ApiAlarms, access_log_group, stage_options


class CentralApi(Construct):
    """``ANY /`` and ``ANY /{proxy+}`` proxied to FastAPI (Mangum), which owns every route.

    Authentication happens in the application, not in API Gateway: login (password, passkey)
    must be reachable unauthenticated, and every other route verifies the ChalkOps JWT (signed
    by a Vault transit key, published as JWKS) before anything else runs. The WAF in front
    (:class:`~stacks.constructs.firewall.ApiFirewall`) blocks blacklisted addresses.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function: lambda_.IFunction,
        log_retention: logs.RetentionDays,
        alarm_topic: sns.ITopic,
    ) -> None:
        super().__init__(scope, construct_id)
        self.access_logs = access_log_group(self, log_retention)
        self.api = self._build_api()
        self._build_routes(function)
        self.alarms = ApiAlarms(self, "Alarms", api=self.api, function=function, topic=alarm_topic)

    @property
    def url(self) -> str:
        return self.api.url

    def _build_api(self) -> apigw.RestApi:
        return apigw.RestApi(
            self,
            "Api",
            rest_api_name="chalkops-central",
            description="ChalkOps central API (tenant directory, routing, global admin)",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            deploy_options=stage_options(self.access_logs),
            # Execution logging needs the account-level API Gateway logging role.
            cloud_watch_role=True,
        )

    def _build_routes(self, function: lambda_.IFunction) -> None:
        integration = apigw.LambdaIntegration(function, proxy=True, allow_test_invoke=False)
        self.api.root.add_method("ANY", integration)
        self.api.root.add_proxy(default_integration=integration, any_method=True)
