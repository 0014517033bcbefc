"""The SNS topic every ChalkOps alarm notifies (on-call subscribes to it)."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct


class AlarmTopic(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.key = self._build_key()
        self.topic = self._build_topic()

    def _build_key(self) -> kms.Key:
        # A customer-managed key: CloudWatch cannot publish to a topic encrypted with the
        # AWS-managed SNS key, because that key's policy cannot be extended.
        key = kms.Key(
            self,
            "Key",
            enable_key_rotation=True,
            description="ChalkOps alarm topic",
            removal_policy=RemovalPolicy.DESTROY,
        )
        key.grant(
            iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*"
        )
        return key

    def _build_topic(self) -> sns.Topic:
        return sns.Topic(
            self, "Topic", display_name="ChalkOps alarms", master_key=self.key, enforce_ssl=True
        )
