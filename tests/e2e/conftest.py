"""End-to-end fixtures: the real local stack (``make run``'s program) over real HTTP."""

from __future__ import annotations

import collections
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Stack:
    """A running local stack and what it printed."""

    process: subprocess.Popen[str]
    base_url: str
    outbox_url: str
    platform_key: str
    admin_key: str
    widget_key: str
    tenant_id: str
    widget_url: str = ""
    output: collections.deque[str] | None = None
    reader: threading.Thread | None = None

    def call(
        self,
        method: str,
        path: str,
        *,
        key: str | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if key:
            request.add_header("Authorization", f"Bearer {key}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                return response.status, dict(response.headers), json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, dict(error.headers), json.loads(raw) if raw else None


def start_stack(extra_env: dict[str, str] | None = None) -> Stack:
    """Start ``scripts.local_stack`` on free ports and wait for its banner."""
    port, outbox, widget = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "OUTBOX_PORT": str(outbox),
        "WIDGET_PORT": str(widget),
        "PLATFORM_API_KEY": "e2e-platform-key",
        "SCHEDULE_INTERVAL": "1",
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
    }
    # The test process's settings must not leak into the stack; ``extra_env`` may set them on
    # purpose (e.g. a shared APP_SECRET so a test can sign survey links).
    for name in ("AWS_ENDPOINT_URL", "TABLE_PREFIX", "APP_SECRET"):
        env.pop(name, None)
    # Never overwrite the developer's own .local/stack.env (their `make run`).
    env["STACK_ENV_FILE"] = os.path.join(tempfile.mkdtemp(prefix="stack-env-"), "stack.env")
    env.update(extra_env or {})
    process = subprocess.Popen(
        [sys.executable, "-m", "scripts.local_stack"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "Ctrl-C stops everything" in line:
            break
    text = "".join(lines)
    # Keep reading what the stack prints (request logs, warnings): an undrained pipe fills up
    # after a few hundred requests and then blocks the server mid-response.
    tail: collections.deque[str] = collections.deque(maxlen=500)
    reader = threading.Thread(
        target=lambda: tail.extend(process.stdout or ()), name="stack-output", daemon=True
    )
    reader.start()

    def grab(label: str) -> str:
        found = re.search(rf"{label}\s+(\S+)", text)
        assert found, f"{label} missing from banner:\n{text}"
        return found.group(1)

    return Stack(
        process=process,
        base_url=f"http://127.0.0.1:{port}",
        outbox_url=f"http://127.0.0.1:{outbox}",
        platform_key=grab("Platform key"),
        admin_key=grab("Demo admin key"),
        widget_key=grab("Demo widget key"),
        tenant_id=grab("Demo tenant"),
        widget_url=grab("Widget demo"),
        output=tail,
        reader=reader,
    )


def stop_stack(stack: Stack) -> None:
    """SIGTERM; the stack must exit by itself with 0, or the test fails with its last output
    (a stalled stop prints every thread's stack before it gives up)."""
    stack.process.send_signal(signal.SIGTERM)
    try:
        code: int | None = stack.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        code = None
        stack.process.kill()
        stack.process.wait()
    if code != 0:
        if stack.reader is not None:
            stack.reader.join(timeout=5)
        last = "".join(list(stack.output or ())[-200:])
        pytest.fail(f"local stack exited with {code} after SIGTERM; it printed:\n{last}")


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    """One local stack for the e2e session."""
    running = start_stack()
    yield running
    stop_stack(running)


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian chromium driven by Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        pytest.fail("chromium is missing: run `make browser` (scripts/install_test_packages.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-dev-shm-usage"],
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def signed_stack() -> Iterator[Stack]:
    """A local stack sharing this process's signing secret (the test signs links)."""
    running = start_stack({"APP_SECRET": os.environ["APP_SECRET"]})
    yield running
    stop_stack(running)
