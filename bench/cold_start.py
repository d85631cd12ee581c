"""Cold start: a fresh interpreter importing the handler module, against the bare stack.

The floor is a fresh interpreter doing ``import boto3, chalice, pynamodb,
aws_lambda_powertools.logging`` — what any function on this stack pays before its own code.
Runs are interleaved (floor, app, app + first request) so machine load affects all alike.
"""

from __future__ import annotations

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


def _wall(code: str) -> float:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT)}
    env.update(FAKE_AWS_ENV)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)
    return time.perf_counter() - start


def _offenders(limit: int = 12) -> list[tuple[str, float]]:
    """Modules with the largest cumulative import time that the floor does not import."""

    def cumulative(code: str) -> dict[str, int]:
        env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), **FAKE_AWS_ENV}
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        times: dict[str, int] = {}
        for line in result.stderr.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            _, total, name = line.split("|")
            times[name.strip()] = int(total)
        return times

    floor, app = cumulative(FLOOR), cumulative(APP)
    extra = {name: us for name, us in app.items() if name not in floor and name != "app"}
    # Keep only roots of the extra import tree: a module whose parent package is also extra
    # would count its time twice.
    top = sorted(extra.items(), key=lambda item: item[1], reverse=True)[:limit]
    return [(name, us / 1000) for name, us in top]


def run(repeats: int = 9) -> Section:
    """Median process wall times and their ratios."""
    floors, apps, firsts = [], [], []
    _wall(APP)  # warm the file system cache and the bytecode cache
    for _ in range(repeats):
        floors.append(_wall(FLOOR))
        apps.append(_wall(APP))
        firsts.append(_wall(FIRST_REQUEST))
    floor = statistics.median(floors) * 1000
    section = Section("Cold start")
    section.text = (
        f"Median of {repeats} fresh interpreters each (process wall time, interpreter start "
        f"included), interleaved. Floor: `{FLOOR}`."
    )
    section.rows = [
        Row("floor: the bare stack", floor, "ms"),
        Row("`import app`", statistics.median(apps) * 1000, "ms", floor=floor, target=1.25),
        Row(
            "`import app` + first request (GET /health via the Lambda handler)",
            statistics.median(firsts) * 1000,
            "ms",
            floor=floor,
        ),
    ]
    offenders = _offenders()
    section.text += "\n\nLargest imports beyond the floor (`-X importtime`, cumulative):\n\n"
    section.text += "\n".join(f"- `{name}`: {ms:.1f} ms" for name, ms in offenders)
    section.extra = {"offenders_ms": dict(offenders)}
    return section
