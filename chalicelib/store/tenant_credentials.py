"""Per-tenant AWS credentials for the tenant API path (the SaaS "token vending" pattern).

When ``TENANT_DATA_ROLE_ARN`` is set (the deployed API function only; never jobs, local runs or
tests unless a test sets it), every DynamoDB call made while a tenant is being served
(``chalicelib.context.current_tenant()``) is signed with credentials of the tenant data role,
assumed for that tenant with

- the session tag ``tenant_id=<tenant>``: the role's policy allows DynamoDB item actions only
  while every leading (partition) key is ``<tenant>`` or ``<tenant>#...``
  (``dynamodb:LeadingKeys``), and S3 objects under ``<tenant>/`` only;
- a session policy with the same limits spelled with the literal tenant id (the effective
  permissions are the intersection, so a mis-tagged session still cannot leave the tenant).

So a bug that builds another tenant's key is refused by IAM, not only by the app's own checks.
Credentials are cached per tenant (per warm container) until ``TENANT_CREDENTIALS_REFRESH_SECONDS``
before they expire: one STS call per tenant per container per hour, none per request.

How PynamoDB gets its connection: a model's ``_get_connection()`` returns a ``TableConnection``
cached on the model class, built from ``Meta`` (region, host, and optionally static
credentials); there is no per-call credentials hook (PynamoDB issue #877). Our base models
override that one classmethod (``store/base.py``): on the tenant path it returns a
``TableConnection`` built with the vended credentials around the same table metadata, and all of
a tenant's tables share one PynamoDB ``Connection`` (one botocore client). Raw boto3 calls get a
client from :func:`chalicelib.store.clients.aws_client`, which applies the same rule.
"""

from __future__ import annotations

import functools
import json
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pynamodb.connection import Connection, TableConnection
from pynamodb.models import Model

from chalicelib.config import get_settings

TENANT_TAG = "tenant_id"
# Item-level DynamoDB actions the application uses. infra/access.py grants exactly these (one
# list for the roles and the session policy). TransactWriteItems/TransactGetItems are authorised
# per item by these same actions. No Scan: the application never scans.
DATA_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
)
OBJECT_ACTIONS = ("s3:GetObject", "s3:PutObject", "s3:DeleteObject")
# Tenant ids are ULIDs; anything with IAM wildcard characters (* ?) or the key separator (#)
# must never reach a policy or a tag.
_TENANT_ID = re.compile(r"[A-Za-z0-9_-]{1,56}")
_ROLE_ARN = re.compile(r"arn:(?P<partition>[a-z-]+):iam::(?P<account>\d{12}):role/.+")
MAX_CACHED_TENANTS = 512


class CredentialError(RuntimeError):
    """Tenant credentials could not be obtained (bad configuration or tenant id)."""


@dataclass(frozen=True)
class VendedCredentials:
    """Temporary credentials of the tenant data role for one tenant."""

    tenant_id: str
    access_key_id: str
    secret_access_key: str
    session_token: str
    expires_at: float  # epoch seconds


def session_policy(tenant_id: str, role_arn: str, table_prefix: str) -> str:
    """The session policy: the role's limits with the literal tenant id (JSON, compact)."""
    match = _ROLE_ARN.fullmatch(role_arn)
    if not match:
        raise CredentialError(f"TENANT_DATA_ROLE_ARN is not an IAM role ARN: {role_arn!r}")
    partition, account = match["partition"], match["account"]
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": list(DATA_ACTIONS),
                # Covers the tables' indexes too (".../table/<name>/index/<index>").
                "Resource": f"arn:{partition}:dynamodb:*:{account}:table/{table_prefix}*",
                "Condition": {
                    "ForAllValues:StringLike": {
                        "dynamodb:LeadingKeys": [tenant_id, f"{tenant_id}#*"]
                    }
                },
            },
            {
                "Effect": "Allow",
                "Action": list(OBJECT_ACTIONS),
                "Resource": f"arn:{partition}:s3:::*/{tenant_id}/*",
            },
        ],
    }
    return json.dumps(document, separators=(",", ":"))


@dataclass
class _TenantSession:
    credentials: VendedCredentials
    connection: Connection
    table_connections: dict[str, TableConnection] = field(default_factory=dict)
    client: Any = None


class CredentialVendor:
    """Assumes the tenant data role per tenant and caches the result until near expiry."""

    def __init__(
        self,
        role_arn: str,
        table_prefix: str,
        *,
        duration_seconds: int = 3600,
        refresh_seconds: int = 300,
        clock: Callable[[], float] = time.time,
        max_tenants: int = MAX_CACHED_TENANTS,
    ) -> None:
        self.role_arn = role_arn
        self.table_prefix = table_prefix
        self.duration_seconds = duration_seconds
        self.refresh_seconds = refresh_seconds
        self.clock = clock
        self.max_tenants = max_tenants
        self._sessions: OrderedDict[str, _TenantSession] = OrderedDict()
        self._lock = threading.Lock()

    def _assume(self, tenant_id: str) -> VendedCredentials:
        from chalicelib.store.clients import aws_client

        response = aws_client("sts").assume_role(
            RoleArn=self.role_arn,
            RoleSessionName=f"tenant-{tenant_id}"[:64],
            DurationSeconds=self.duration_seconds,
            Tags=[{"Key": TENANT_TAG, "Value": tenant_id}],
            Policy=session_policy(tenant_id, self.role_arn, self.table_prefix),
        )
        raw = response["Credentials"]
        expiration = raw["Expiration"]
        expires_at = expiration.timestamp() if hasattr(expiration, "timestamp") else expiration
        return VendedCredentials(
            tenant_id=tenant_id,
            access_key_id=raw["AccessKeyId"],
            secret_access_key=raw["SecretAccessKey"],
            session_token=raw["SessionToken"],
            expires_at=float(expires_at),
        )

    def _session(self, tenant_id: str) -> _TenantSession:
        if not _TENANT_ID.fullmatch(tenant_id or ""):
            raise CredentialError(f"refusing to vend credentials for tenant id {tenant_id!r}")
        now = self.clock()
        with self._lock:
            cached = self._sessions.get(tenant_id)
            if cached and cached.credentials.expires_at - self.refresh_seconds > now:
                self._sessions.move_to_end(tenant_id)
                return cached
        credentials = self._assume(tenant_id)
        session = _TenantSession(
            credentials=credentials,
            connection=_pynamodb_connection(credentials),
        )
        with self._lock:
            self._sessions[tenant_id] = session
            self._sessions.move_to_end(tenant_id)
            while len(self._sessions) > self.max_tenants:
                self._sessions.popitem(last=False)
        return session

    def credentials(self, tenant_id: str) -> VendedCredentials:
        """The tenant's current credentials (assumed on first use, refreshed near expiry)."""
        return self._session(tenant_id).credentials

    def table_connection(
        self, tenant_id: str, model: type[Model], platform: TableConnection
    ) -> TableConnection:
        """A connection to ``model``'s table signed with the tenant's credentials."""
        session = self._session(tenant_id)
        table_name = platform.table_name
        found = session.table_connections.get(table_name)
        if found is None:
            found = TableConnection(
                table_name,
                region=model.Meta.region,
                host=model.Meta.host,
                meta_table=platform.get_meta_table(),
            )
            # Every table of the tenant shares one Connection (one botocore client).
            found.connection = session.connection
            session.connection.add_meta_table(platform.get_meta_table())
            session.table_connections[table_name] = found
        return found

    def dynamodb_client(self, tenant_id: str) -> Any:
        """A boto3 DynamoDB client signed with the tenant's credentials."""
        session = self._session(tenant_id)
        if session.client is None:
            import boto3
            from botocore.config import Config

            session.client = boto3.session.Session(
                aws_access_key_id=session.credentials.access_key_id,
                aws_secret_access_key=session.credentials.secret_access_key,
                aws_session_token=session.credentials.session_token,
            ).client("dynamodb", config=Config(retries={"mode": "standard", "max_attempts": 4}))
        return session.client


def _pynamodb_connection(credentials: VendedCredentials) -> Connection:
    return Connection(
        aws_access_key_id=credentials.access_key_id,
        aws_secret_access_key=credentials.secret_access_key,
        aws_session_token=credentials.session_token,
    )


@functools.cache
def vendor() -> CredentialVendor | None:
    """The process-wide vendor, or None when token vending is off (no role configured)."""
    settings = get_settings()
    if not settings.tenant_data_role_arn:
        return None
    return CredentialVendor(
        settings.tenant_data_role_arn,
        settings.table_prefix,
        duration_seconds=settings.tenant_credentials_seconds,
        refresh_seconds=settings.tenant_credentials_refresh_seconds,
    )


def reset() -> None:
    """Forget the vendor and every cached credential (tests, settings changes)."""
    vendor.cache_clear()
