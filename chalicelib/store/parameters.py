"""SSM Parameter Store access for secrets (deployed stages keep secrets out of the environment)."""

from __future__ import annotations

from chalicelib.store.clients import aws_client


def read_secure_parameter(name: str) -> str:
    """Read and decrypt one SecureString parameter."""
    response = aws_client("ssm").get_parameter(Name=name, WithDecryption=True)
    return str(response["Parameter"]["Value"])
