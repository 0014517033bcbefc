#!/usr/bin/env python3
"""CDK entry point: ``make synth`` (``python app.py``) or the ``cdk`` CLI (see cdk.json)."""

from __future__ import annotations

import os

from stacks.application import build_app
from stacks.config import REPO_ROOT


def main() -> None:
    # Under the cdk CLI, CDK_OUTDIR names its assembly folder; run directly, write cdk.out.
    outdir = os.environ.get("CDK_OUTDIR") or str(REPO_ROOT / "cdk.out")
    built = build_app(outdir=outdir, default_account=os.environ.get("CDK_DEFAULT_ACCOUNT"))
    built.app.synth()


if __name__ == "__main__":
    main()
