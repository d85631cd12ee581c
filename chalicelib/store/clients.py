"""Cached boto3 clients: built on first use, never at import time.

The endpoint comes from botocore's standard configuration (``AWS_ENDPOINT_URL`` and friends),
which is how the local stack points everything at its embedded moto server.
"""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def aws_client(service: str) -> Any:
    """A process-wide boto3 client for ``service``."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        service,
        config=Config(retries={"mode": "standard", "max_attempts": 4}),
    )


def reset_clients() -> None:
    """Drop cached clients (tests switch between moto sessions)."""
    aws_client.cache_clear()
