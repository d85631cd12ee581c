"""``import app`` must build nothing that needs the environment or the network."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
import app
heavy = sorted(m for m in ("pydantic", "boto3", "pynamodb") if m in sys.modules)
from chalicelib.config import get_settings
from chalicelib.store.clients import aws_client
from chalicelib.observability import get_metrics, get_tracer
print(json.dumps({
    "settings_built": get_settings.cache_info().currsize,
    "clients_built": aws_client.cache_info().currsize,
    "metrics_built": get_metrics.cache_info().currsize,
    "tracer_built": get_tracer.cache_info().currsize,
    "xray_imported": "aws_xray_sdk" in sys.modules,
    "moto_imported": "moto" in sys.modules,
    "heavy_imported": heavy,
    "routes": len(app.app.routes),
}))
"""


def test_import_app_builds_no_clients_or_settings() -> None:
    # A bare environment: no AWS settings at all. Import must still succeed.
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert facts["settings_built"] == 0
    assert facts["clients_built"] == 0
    assert facts["metrics_built"] == 0
    assert facts["tracer_built"] == 0
    assert not facts["xray_imported"]
    assert not facts["moto_imported"]
    # Validation, the AWS SDK and the store load with the first request that needs them.
    assert facts["heavy_imported"] == []
    assert facts["routes"] > 0


FIRST_HEALTH_REQUEST = """
import json, sys
import app
from bench.cold_start import HEALTH_EVENT, LambdaContext
response = app.app(HEALTH_EVENT, LambdaContext())
from pydantic.plugin import _loader
print(json.dumps({
    "status": response["statusCode"],
    "store_imported": sorted(m for m in sys.modules if m.startswith("chalicelib.store")),
    "pynamodb_connection_imported": "pynamodb.connection" in sys.modules,
    "plugins_scanned": _loader._plugins is not None,
}))
"""


def test_a_public_first_request_loads_neither_the_store_nor_pydantic_plugins() -> None:
    # What a cold instance pays for /health: no PynamoDB/botocore (authentication imports them
    # on first use) and no scan of installed distributions for pydantic plugins.
    result = subprocess.run(
        [sys.executable, "-c", FIRST_HEALTH_REQUEST],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "AWS_DEFAULT_REGION": "eu-west-1"},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert facts == {
        "status": 200,
        "store_imported": [],
        "pynamodb_connection_imported": False,
        "plugins_scanned": False,
    }


def test_every_table_model_calls_dynamodb_through_the_one_shared_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A botocore client per model connection was tens of milliseconds per table of a cold
    # container's first requests; the models and the raw calls now share one client.
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    from chalicelib.store.clients import platform_client, reset_clients
    from chalicelib.store.tables import ALL_TABLE_MODELS

    reset_clients()
    shared = platform_client("dynamodb")
    for model in ALL_TABLE_MODELS:
        for cls in (model, *model.__subclasses__()):
            cls._connection = None  # what a fresh container has
            assert cls._get_connection().connection.client is shared, cls.__name__
    reset_clients()


def test_reset_clients_hands_every_model_the_new_shared_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Tests, the local stack and the benchmarks reset clients to register hooks (call
    # counting) or switch servers; a model still holding the old client would bypass both.
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    from chalicelib.store.clients import platform_client, reset_clients
    from chalicelib.store.tables import ALL_TABLE_MODELS

    reset_clients()
    before = platform_client("dynamodb")
    for model in ALL_TABLE_MODELS:
        assert model._get_connection().connection.client is before
    reset_clients()
    after = platform_client("dynamodb")
    assert after is not before
    for model in ALL_TABLE_MODELS:
        assert model._get_connection().connection.client is after, model.__name__
    reset_clients()
