"""Suite-wide setup: a safe fake AWS environment and the tenancy guard on every DynamoDB call."""

from __future__ import annotations

import os

# Before anything imports boto3: never reach a real AWS account from tests.
for _name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
    os.environ.pop(_name, None)
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "TABLE_PREFIX": "test-",
        "STAGE": "test",
        "APP_SECRET": "test-app-secret-0123456789abcdef",
        "PLATFORM_API_KEY": "test-platform-key",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "POWERTOOLS_DEV": "false",
    }
)

import moto  # noqa: E402,F401  (registers moto's botocore hook before any client exists)

from chalicelib.store import tenancy_guard  # noqa: E402
from tests.support import dynamo_calls, faults  # noqa: E402

tenancy_guard.install()
dynamo_calls.install()
faults.install()
