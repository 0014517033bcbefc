"""Assist adapter for any OpenAI-compatible ``/chat/completions`` endpoint."""

from __future__ import annotations

import httpx

from chalkops.pipelines.assist.base import SYSTEM_PROMPT, AssistRequest
from chalkops.pipelines.exceptions import AssistUnavailable


class OpenAICompatibleAssist:
    """Proposals over HTTP; the ``httpx.Client`` may be injected (tests use a mock transport)."""

    name = "openai-compatible"

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        http_client: httpx.Client | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key
        self._client = http_client or httpx.Client(timeout=timeout)

    def propose(self, request: AssistRequest) -> str:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        payload = {
            "model": self.model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": request.prompt()},
            ],
        }
        try:
            response = self._client.post(
                f"{self.base_url}/chat/completions", json=payload, headers=headers
            )
            response.raise_for_status()
            return str(response.json()["choices"][0]["message"]["content"])
        except (httpx.HTTPError, KeyError, IndexError, ValueError) as exc:
            raise AssistUnavailable(f"assist endpoint failed: {type(exc).__name__}") from exc
