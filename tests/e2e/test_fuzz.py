"""Schema-driven fuzzing of the real local stack over HTTP (Schemathesis).

Every operation of ``/openapi.json`` is exercised with generated valid and invalid requests
(coverage, fuzzing and stateful phases) using a fresh tenant's admin key and the platform key,
and every response is checked: no 5xx, status codes, content types and bodies as documented,
invalid input refused, auth never ignored, deleted resources gone. Configuration (checks and
the one documented exception) is in ``tests/fuzz/schemathesis.toml``.

The run inside ``make test`` is bounded (``FUZZ_MAX_EXAMPLES``, fixed seed so CI is
reproducible); ``make fuzz`` runs the same test with many more examples and a random seed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest

from tests.e2e.conftest import ROOT, Stack, start_stack, stop_stack

pytestmark = pytest.mark.e2e

CONFIG = ROOT / "tests" / "fuzz" / "schemathesis.toml"
ORIGIN = "https://fuzz.example.com"


def _schemathesis() -> list[str]:
    return [str(Path(sys.executable).with_name("st"))]


@pytest.fixture(scope="module")
def fuzz_stack() -> Iterator[Stack]:
    """A stack of its own: the fuzzer also drives the platform API (suspends, offboards)."""
    running = start_stack()
    yield running
    stop_stack(running)


def _identity(stack: Stack, admin_key: str) -> str:
    status, _, secret = stack.call(
        "POST", "/v1/widget-secrets", key=admin_key, body={"name": "fuzz signer"}
    )
    assert status == 201, secret
    now = int(time.time())
    claims = {"sub": "fuzz-customer", "email": "fuzz@example.com", "iat": now, "exp": now + 3000}
    return jwt.encode(claims, secret["secret"], algorithm="HS256", headers={"kid": secret["kid"]})


def test_schemathesis_finds_no_failures(fuzz_stack: Stack, tmp_path: Path) -> None:
    stack = fuzz_stack
    status, _, created = stack.call(
        "POST",
        "/platform/tenants",
        key=stack.platform_key,
        body={"name": "Fuzz target", "widget_origins": [ORIGIN]},
    )
    assert status == 201
    admin_key = created["admin_api_key"]["secret"]
    max_examples = os.environ.get("FUZZ_MAX_EXAMPLES", "5")
    # Bounded run: generated fuzzing and stateful sequences. `make fuzz` adds the coverage phase
    # (boundary values of every schema) and many more examples.
    phases = os.environ.get("FUZZ_PHASES", "fuzzing,stateful")
    seed = os.environ.get("FUZZ_SEED", "20261123")
    command = [
        *_schemathesis(),
        "--config-file",
        str(CONFIG),
        "--no-color",
        "run",
        f"{stack.base_url}/openapi.json",
        "--max-examples",
        max_examples,
        "--phases",
        phases,
        "--workers",
        os.environ.get("FUZZ_WORKERS", "2"),
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path),
        "--request-timeout",
        "30",
    ]
    if seed != "random":
        command += ["--seed", seed]
    env = {
        **os.environ,
        "FUZZ_TENANT_KEY": admin_key,
        "FUZZ_PLATFORM_KEY": stack.platform_key,
        "FUZZ_WIDGET_KEY": created["widget_key"]["key"],
        "FUZZ_WIDGET_ORIGIN": ORIGIN,
        "FUZZ_WIDGET_IDENTITY": _identity(stack, admin_key),
        "NO_COLOR": "1",
    }
    # Tenant and widget operations first; then the platform's, which may suspend or offboard
    # the tenant whose keys the first run needs.
    outputs = []
    for selection in (
        ["--exclude-path-regex", "^/platform/"],
        ["--include-path-regex", "^/platform/"],
    ):
        result = subprocess.run(
            [*command, *selection],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=1200,
            check=False,
        )
        output = result.stdout + result.stderr
        outputs.append(output)
        report = ROOT / ".fuzz-last-run.txt"
        # Whole logs, long lines (generated payloads) cut: the failures stay readable.
        report.write_text("\n".join(line[:400] for o in outputs for line in o.splitlines()))
        assert result.returncode == 0, f"Schemathesis found failures (full log: {report}):\n" + (
            "\n".join(line[:400] for line in output.splitlines()[-150:])
        )
        summary = re.search(r"(\d+) generated, .*", output)
        assert summary, output[-2000:]
        assert int(summary.group(1)) > 0


@pytest.mark.parametrize("method", ["TRACE", "QUERY", "BREW"])
def test_any_http_method_gets_a_problem_response(stack: Stack, method: str) -> None:
    """Found by fuzzing: the local server answered unknown methods with a 501 HTML page."""
    status, headers, body = stack.call(method, "/v1/customers", key=stack.admin_key)
    assert status == 405
    assert headers["Content-Type"] == "application/problem+json"
    assert body["code"] == "method_not_allowed"
