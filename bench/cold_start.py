"""Cold start: a fresh interpreter importing the handler module, against the bare stack.

The floor is a fresh interpreter doing ``import boto3, chalice, pynamodb,
aws_lambda_powertools.logging`` — what any function on this stack pays before its own code.
Runs are interleaved (floor, app, app + first request) so machine load affects all alike.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import subprocess
import sys
import time
from typing import Any

from bench.harness import FAKE_AWS_ENV, ROOT, Row, Section

FLOOR = "import boto3, chalice, pynamodb, aws_lambda_powertools.logging"
APP = "import app"
# The first request through the real Lambda entry point (API Gateway proxy event, /health).
HEALTH_EVENT: dict[str, Any] = {
    "resource": "/health",
    "path": "/health",
    "httpMethod": "GET",
    "headers": {"Host": "localhost"},
    "multiValueHeaders": {},
    "queryStringParameters": None,
    "multiValueQueryStringParameters": None,
    "pathParameters": None,
    "stageVariables": None,
    "requestContext": {
        "resourcePath": "/health",
        "httpMethod": "GET",
        "stage": "bench",
        "requestId": "bench",
        "identity": {"sourceIp": "127.0.0.1"},
    },
    "body": None,
    "isBase64Encoded": False,
}


class LambdaContext:
    """The parts of the Lambda context object the handler reads."""

    function_name = "aftersales-bench"
    memory_limit_in_mb = 512
    aws_request_id = "bench"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:bench"

    def get_remaining_time_in_millis(self) -> int:
        """Time left in the invocation."""
        return 30_000


# Self-contained (importing this module would add the bench's own imports to the timing).
FIRST_REQUEST = f"""
import app
class LambdaContext:
    function_name = "aftersales-bench"
    memory_limit_in_mb = 512
    aws_request_id = "bench"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:bench"
    def get_remaining_time_in_millis(self): return 30000
response = app.app({HEALTH_EVENT!r}, LambdaContext())
assert response["statusCode"] == 200, response
"""


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT)}
    env.update(FAKE_AWS_ENV)
    env.update(extra or {})
    return env


def _wall(code: str, extra_env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(extra_env), check=True)
    return time.perf_counter() - start


def _output(code: str, extra_env: dict[str, str]) -> Any:
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_env(extra_env),
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- the first *authenticated* request, against a moto server --------------------------------

# Provisions the moto server and makes a tenant with a customer (run once, not timed).
_SETUP = """
import json
from chalice.test import Client
from scripts.provision import provision
provision()
import app
with Client(app.app, stage_name="bench") as client:
    def post(path, body, key):
        response = client.http.post(path, body=json.dumps(body), headers={
            "Authorization": f"Bearer {key}", "Content-Type": "application/json"})
        assert response.status_code == 201, response.body
        return json.loads(response.body)
    tenant = post("/platform/tenants", {"name": "Cold Co"}, "bench-platform-key")
    key = tenant["admin_api_key"]["secret"]
    customer = post("/v1/customers", {"name": "Ona", "email": "ona@example.lt"}, key)
print(json.dumps({"key": key, "customer_id": customer["id"]}))
"""


def _customer_event(key: str, customer_id: str) -> dict[str, Any]:
    path = f"/v1/customers/{customer_id}"
    return {
        **HEALTH_EVENT,
        "resource": "/v1/customers/{customer_id}",
        "path": path,
        "headers": {"Host": "localhost", "Authorization": f"Bearer {key}"},
        "pathParameters": {"customer_id": customer_id},
        "requestContext": {
            **HEALTH_EVENT["requestContext"],
            "resourcePath": "/v1/customers/{customer_id}",
        },
    }


# Runs the request in a fresh interpreter and prints the DynamoDB calls it made (not timed).
_RECORD = """
import json
from botocore.handlers import BUILTIN_HANDLERS
calls = []
BUILTIN_HANDLERS.append(("provide-client-params.dynamodb.*",
                         lambda params, model, **_: calls.append([model.name, params])))
{request}
print(json.dumps(calls))
"""

_AUTHENTICATED = """
import app
class LambdaContext:
    function_name = "aftersales-bench"
    memory_limit_in_mb = 512
    aws_request_id = "bench"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:bench"
    def get_remaining_time_in_millis(self): return 30000
response = app.app({event!r}, LambdaContext())
assert response["statusCode"] == 200, response
"""

# The floor of that request: the bare stack, one boto3 client, the same DynamoDB calls.
_AUTHENTICATED_FLOOR = """
import boto3, chalice, pynamodb, aws_lambda_powertools.logging
client = boto3.client("dynamodb")
for operation, params in {calls!r}:
    client._make_api_call(operation, params)
"""


class FirstAuthenticatedRequest:
    """A moto server, a tenant with a customer, and the app / floor programs to time."""

    def __enter__(self) -> FirstAuthenticatedRequest:
        import socket

        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log in the report run

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        self.server.start()
        self.env = {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"}
        made = _output(_SETUP, self.env)
        self.app = _AUTHENTICATED.format(event=_customer_event(made["key"], made["customer_id"]))
        calls = _output(_RECORD.format(request=self.app), self.env)
        self.calls = [name for name, _ in calls]
        self.floor = _AUTHENTICATED_FLOOR.format(calls=calls)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.stop()


def _offenders(
    app_code: str, floor_code: str, env: dict[str, str], limit: int = 12
) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """What the app imports beyond the floor (``-X importtime``): per top-level package and per
    module, in *self* time of the modules the floor never imports. (Cumulative times would
    mislead: whichever module first imports botocore is charged for it, though the floor
    imports botocore too.)"""

    def self_times(code: str) -> dict[str, int]:
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code],
            cwd=ROOT,
            env=_env(env),
            capture_output=True,
            text=True,
            check=True,
        )
        times: dict[str, int] = {}
        for line in result.stderr.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            own, _, name = line.removeprefix("import time:").split("|")
            times[name.strip()] = int(own)
        return times

    floor, app = self_times(floor_code), self_times(app_code)
    extra = {name: us for name, us in app.items() if name not in floor}
    packages: dict[str, int] = {}
    for name, us in extra.items():
        packages[name.split(".")[0]] = packages.get(name.split(".")[0], 0) + us
    top_packages = sorted(packages.items(), key=lambda item: item[1], reverse=True)[:limit]
    top_modules = sorted(extra.items(), key=lambda item: item[1], reverse=True)[:limit]
    return (
        [(name, us / 1000) for name, us in top_packages],
        [(name, us / 1000) for name, us in top_modules],
    )


def run(repeats: int = 9) -> Section:
    """Median process wall times and their ratios."""
    floors, apps, firsts, auth_floors, auth_firsts = [], [], [], [], []
    _wall(APP)  # warm the file system cache and the bytecode cache
    with FirstAuthenticatedRequest() as authenticated:
        for _ in range(repeats):
            floors.append(_wall(FLOOR))
            apps.append(_wall(APP))
            firsts.append(_wall(FIRST_REQUEST))
            auth_floors.append(_wall(authenticated.floor, authenticated.env))
            auth_firsts.append(_wall(authenticated.app, authenticated.env))
    floor = statistics.median(floors) * 1000
    auth_floor = statistics.median(auth_floors) * 1000
    section = Section("Cold start")
    section.text = (
        f"Median of {repeats} fresh interpreters each (process wall time, interpreter start "
        f"included), interleaved. Floor: `{FLOOR}`. The first authenticated request is "
        f"`GET /v1/customers/{{id}}` through the Lambda handler against a moto server "
        f"({', '.join(authenticated.calls)}: the API-key lookup of a cold container, then the "
        f"customer); its floor is the bare stack plus one boto3 client making the same "
        f"DynamoDB calls against the same server."
    )
    section.rows = [
        Row("floor: the bare stack", floor, "ms"),
        Row("`import app`", statistics.median(apps) * 1000, "ms", floor=floor, target=1.25),
        Row(
            "`import app` + first request (GET /health via the Lambda handler)",
            statistics.median(firsts) * 1000,
            "ms",
            floor=floor,
            target=1.25,
        ),
        Row("floor: the bare stack + boto3 client + the same DynamoDB calls", auth_floor, "ms"),
        Row(
            "`import app` + first authenticated request (GET /v1/customers/{id})",
            statistics.median(auth_firsts) * 1000,
            "ms",
            floor=auth_floor,
            target=1.25,
        ),
    ]
    with FirstAuthenticatedRequest() as again:
        packages, modules = _offenders(again.app, again.floor, again.env)
    section.text += (
        "\n\n`-X importtime` of the first authenticated request, modules its floor does not "
        f"import ({sum(ms for _, ms in packages):.0f} ms of self time in the top packages):\n\n"
        "| package | self ms | | module | self ms |\n|---|---:|---|---|---:|\n"
    )
    section.text += "\n".join(
        f"| `{p}` | {pm:.1f} | | `{m}` | {mm:.1f} |"
        for (p, pm), (m, mm) in zip(packages, modules, strict=False)
    )
    section.extra = {
        "import_packages_ms": dict(packages),
        "import_modules_ms": dict(modules),
        "first_request_calls": authenticated.calls,
    }
    return section
