"""Values every ChalkOps stack shares, so bumping the runtime or the architecture is one edit."""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_

# The one Lambda runtime of every ChalkOps function and of the shared layer. The layer's
# compiled wheels (pydantic-core, psycopg-binary, cryptography, ...) are fetched for this
# interpreter version, so the two can never drift apart.
LAMBDA_RUNTIME = lambda_.Runtime.PYTHON_3_12

# Graviton: cheaper per GB-second, and every compiled dependency ships aarch64 wheels.
LAMBDA_ARCHITECTURE = lambda_.Architecture.ARM_64

# Wheel tags pip may pick for LAMBDA_ARCHITECTURE. The python3.12 runtime runs on Amazon
# Linux 2023 (glibc 2.34), so any manylinux tag up to 2_34 loads there.
PIP_PLATFORMS = (
    "manylinux2014_aarch64",
    "manylinux_2_28_aarch64",
    "manylinux_2_34_aarch64",
)

# The Lambda Python runtime already carries the AWS SDK; shipping a second copy would double
# the layer's largest dependency (~35 MB unzipped) for no benefit.
RUNTIME_PROVIDED_PACKAGES = ("boto3", "botocore", "s3transfer")

# Names of the entry-point packages under functions/ and the handler attribute each exposes.
HANDLER_ATTRIBUTE = "handler"

# Vault's API port (HCP Vault Dedicated and the self-managed default alike).
VAULT_PORT = 8200
