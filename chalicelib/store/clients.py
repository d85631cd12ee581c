"""Cached boto3 clients: built on first use, never at import time.

The endpoint comes from botocore's standard configuration (``AWS_ENDPOINT_URL`` and friends),
which is how the local stack points everything at its embedded moto server.

DynamoDB on the tenant path: when token vending is on (``TENANT_DATA_ROLE_ARN``, deployed API
only), ``aws_client("dynamodb")`` returns a client signed with the credentials of the tenant
being served (see ``store/tenant_credentials.py``), so raw boto3 calls are held to the same
``dynamodb:LeadingKeys`` limits as PynamoDB models.
"""

from __future__ import annotations

import functools
from typing import Any


def aws_client(service: str) -> Any:
    """A boto3 client for ``service``: process-wide, or the served tenant's for DynamoDB."""
    if service == "dynamodb":
        from chalicelib.context import current_tenant

        tenant_id = current_tenant()
        if tenant_id is not None:
            from chalicelib.store.tenant_credentials import vendor

            scoped = vendor()
            if scoped is not None:
                return scoped.dynamodb_client(tenant_id)
    return _shared_client(service)


def platform_client(service: str) -> Any:
    """The process-wide client of ``service`` (platform credentials, never a tenant's)."""
    return _shared_client(service)


@functools.cache
def _shared_client(service: str) -> Any:
    import boto3
    from botocore.config import Config

    # The follow-up sweep calls from up to FOLLOWUP_SWEEP_CONCURRENCY (≤ 64) threads; botocore's
    # default pool of 10 would open and drop a connection per call beyond it. Pools fill
    # lazily, so the larger bound costs nothing when it is not used.
    config = Config(retries={"mode": "standard", "max_attempts": 4}, max_pool_connections=64)
    if service == "s3":
        # Presigned URLs must be SigV4 (SigV2 is refused by newer regions and by KMS buckets).
        config = config.merge(Config(signature_version="s3v4"))
    return boto3.client(service, config=config)


def reset_clients() -> None:
    """Drop cached clients and tenant credentials (tests switch between moto sessions)."""
    from chalicelib.store import tenant_credentials
    from chalicelib.store.base import forget_connections

    _shared_client.cache_clear()
    forget_connections()
    tenant_credentials.reset()


# ``aws_client`` keeps the functools.cache introspection of the shared clients (the cold-start
# test counts them).
aws_client.cache_info = _shared_client.cache_info  # type: ignore[attr-defined]
aws_client.cache_clear = _shared_client.cache_clear  # type: ignore[attr-defined]
