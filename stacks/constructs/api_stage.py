"""What every ChalkOps REST API stage shares: access and execution logging, tracing, alarms."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from constructs import Construct

STAGE_NAME = "v1"
# API Gateway ends an integration after 29 s; p99 well below that is the service objective.
LATENCY_P99_THRESHOLD_MS = 3000
SERVER_ERRORS_THRESHOLD = 5


def access_log_group(scope: Construct, retention: logs.RetentionDays) -> logs.LogGroup:
    return logs.LogGroup(
        scope, "AccessLogs", retention=retention, removal_policy=RemovalPolicy.DESTROY
    )


def stage_options(access_logs: logs.ILogGroup) -> apigw.StageOptions:
    return apigw.StageOptions(
        stage_name=STAGE_NAME,
        access_log_destination=apigw.LogGroupLogDestination(access_logs),
        access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
            caller=True,
            http_method=True,
            ip=True,
            protocol=True,
            request_time=True,
            resource_path=True,
            response_length=True,
            status=True,
            user=True,
        ),
        # Execution logs at ERROR: INFO would copy request headers, including bearer tokens,
        # into CloudWatch. Data tracing (full bodies: passwords) stays off for the same reason.
        logging_level=apigw.MethodLoggingLevel.ERROR,
        data_trace_enabled=False,
        metrics_enabled=True,
        tracing_enabled=True,
        throttling_rate_limit=200,
        throttling_burst_limit=400,
    )


class ApiAlarms(Construct):
    """5xx, latency and function-error alarms for one API, notifying ``topic``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        api: apigw.RestApi,
        function: lambda_.IFunction,
        topic: sns.ITopic,
    ) -> None:
        super().__init__(scope, construct_id)
        self._action = cw_actions.SnsAction(topic)
        self.server_errors = self._build_server_errors_alarm(api)
        self.latency = self._build_latency_alarm(api)
        self.function_errors = self._build_function_errors_alarm(function)

    def _alarm(
        self, construct_id: str, metric: cloudwatch.Metric, threshold: float, periods: int
    ) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            metric=metric,
            threshold=threshold,
            evaluation_periods=periods,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            # No traffic is not an outage of this API.
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(self._action)
        alarm.add_ok_action(self._action)
        return alarm

    def _build_server_errors_alarm(self, api: apigw.RestApi) -> cloudwatch.Alarm:
        metric = api.metric_server_error(period=Duration.minutes(5), statistic="Sum")
        return self._alarm("ServerErrors", metric, SERVER_ERRORS_THRESHOLD, periods=1)

    def _build_latency_alarm(self, api: apigw.RestApi) -> cloudwatch.Alarm:
        metric = api.metric_latency(period=Duration.minutes(5), statistic="p99")
        return self._alarm("LatencyP99", metric, LATENCY_P99_THRESHOLD_MS, periods=3)

    def _build_function_errors_alarm(self, function: lambda_.IFunction) -> cloudwatch.Alarm:
        metric = function.metric_errors(period=Duration.minutes(5), statistic="Sum")
        return self._alarm("FunctionErrors", metric, SERVER_ERRORS_THRESHOLD, periods=1)
