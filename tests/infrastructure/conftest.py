"""One synthesis of the whole CDK app per test session, shared by every infrastructure test.

Synthesizing is the slow part (a few seconds per app on these machines), so the app is built
once for the default context (production, two regions) and once for development. Bundling runs
for real but without the pip install of the layer's dependencies (``install_dependencies``
off): assets are still built by the same local bundlers, only smaller.
"""

from __future__ import annotations

import pytest

from tests.infrastructure._synth import Synthesized, synthesize


@pytest.fixture(scope="session")
def production(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    return synthesize(tmp_path_factory.mktemp("cdk-production"))


@pytest.fixture(scope="session")
def development(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    return synthesize(
        tmp_path_factory.mktemp("cdk-development"), **{"chalkops:environment": "development"}
    )
