"""Assist adapter for Amazon Bedrock (the Converse API of ``bedrock-runtime``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalkops.pipelines.assist.base import SYSTEM_PROMPT, AssistRequest
from chalkops.pipelines.exceptions import AssistUnavailable

if TYPE_CHECKING:
    from mypy_boto3_bedrock_runtime import BedrockRuntimeClient


class BedrockAssist:
    """Proposals from a Bedrock model; the client is built lazily unless one is injected."""

    name = "bedrock"

    def __init__(
        self,
        model_id: str,
        *,
        region: str | None = None,
        boto3_client: BedrockRuntimeClient | None = None,
    ) -> None:
        self.model_id = model_id
        self.region = region
        self._client = boto3_client

    @property
    def client(self) -> BedrockRuntimeClient:
        if self._client is None:
            import boto3  # noqa: PLC0415 - only a configured provider pays for boto3

            self._client = boto3.client("bedrock-runtime", region_name=self.region)
        return self._client

    def propose(self, request: AssistRequest) -> str:
        try:
            response: Any = self.client.converse(
                modelId=self.model_id,
                system=[{"text": SYSTEM_PROMPT}],
                messages=[{"role": "user", "content": [{"text": request.prompt()}]}],
                inferenceConfig={"maxTokens": 1024, "temperature": 0.0},
            )
            return str(response["output"]["message"]["content"][0]["text"])
        except Exception as exc:  # botocore raises many types; all mean "no proposal"
            raise AssistUnavailable(f"Bedrock converse failed: {type(exc).__name__}") from exc
