"""The whole stack on one machine: ``make run``.

Starts an embedded moto server on loopback, provisions every table/bus/identity from the code's
own definitions, seeds a demo tenant, serves the Chalice app on http://127.0.0.1:$PORT (8000),
runs the schedule loop (EventBridge schedules and SQS consumers fired with real event shapes,
since ``chalice local`` fires neither) and an outbox page listing the emails "sent" via SES.
Ctrl-C or SIGTERM stops everything; the process also dies with its parent.
"""

from __future__ import annotations

import ctypes
import faulthandler
import functools
import html
import importlib
import json
import os
import re
import secrets
import signal
import socket
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
REGION = "eu-west-1"
ACCOUNT = "123456789012"
# Seconds SIGTERM / Ctrl-C may take before the stack dumps its threads and exits anyway.
STOP_WATCHDOG_SECONDS = 12.0


def _die_with_parent() -> None:
    # If `make` (our parent) is killed, take us down too: no stray servers.
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def configure_environment(moto_port: int, api_port: int) -> dict[str, str]:
    """Point every AWS client at the embedded moto server and set the app's settings."""
    env = {
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ENDPOINT_URL": f"http://{HOST}:{moto_port}",
        "STAGE": "local",
        "TABLE_PREFIX": "local-",
        "EVENT_BUS_NAME": "aftersales-local",
        "SES_SENDER": "support@demo.example",
        "PUBLIC_BASE_URL": f"http://{HOST}:{api_port}",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_SERVICE_NAME": "aftersales",
        "POWERTOOLS_LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
        # Local webhook receivers live on loopback over plain http; deployed stages refuse them.
        "WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
    }
    env["PLATFORM_API_KEY"] = os.environ.get("PLATFORM_API_KEY") or "plat_" + secrets.token_hex(16)
    env["APP_SECRET"] = os.environ.get("APP_SECRET") or secrets.token_hex(32)
    os.environ.pop("AWS_PROFILE", None)
    os.environ.update(env)
    return env


def seed_demo_tenant(api_port: int, widget_origins: list[str] | None = None) -> dict[str, Any]:
    """Create the demo tenant (with a few customers) through the services."""
    from chalicelib import context
    from chalicelib.schemas.common import Locale
    from chalicelib.schemas.customers import CustomerCreate
    from chalicelib.schemas.tenants import TenantCreate
    from chalicelib.services import customers, tenants

    created = tenants.onboard(
        TenantCreate(
            name="Demo Appliances",
            plan="growth",
            default_locale="en",
            time_zone="Europe/Vilnius",
            widget_origins=[
                f"http://{HOST}:{api_port}",
                f"http://localhost:{api_port}",
                *(widget_origins or []),
            ],
        )
    )
    tenant_id = created.tenant.id
    with context.serving_tenant(tenant_id):
        demo_customers: tuple[tuple[str, str, Locale], ...] = (
            ("Ona Petraitė", "ona@example.lt", "lt"),
            ("Jānis Bērziņš", "janis@example.lv", "lv"),
            ("Alex Morgan", "alex@example.com", "en"),
        )
        for name, email, locale in demo_customers:
            customers.create_customer(
                tenant_id, CustomerCreate(name=name, email=email, locale=locale)
            )
        _demo_followup_settings(tenant_id)
    return created.model_dump(mode="json")


def _demo_followup_settings(tenant_id: str) -> None:
    """Let a person watch a follow-up go out: CSAT a minute after solving, no quiet hours."""
    from chalicelib.schemas.followups import ContactBudgetSettings, FollowUpSettings, RuleSettings
    from chalicelib.services.settings import put_section

    put_section(
        tenant_id,
        "followups",
        FollowUpSettings(
            budget=ContactBudgetSettings(quiet_hours_enabled=False),
            rules={"csat_on_solved": RuleSettings(delay_hours=round(1 / 60, 4))},
        ),
        None,
    )


class ScheduleLoop(threading.Thread):
    """Fires the app's schedules and drains its SQS queues, like EventBridge and Lambda would."""

    def __init__(self, app: Any, interval: float) -> None:
        super().__init__(name="schedule-loop", daemon=True)
        self.app = app
        self.interval = interval
        self.stopping = threading.Event()

    def _handler(self, handler_string: str) -> Any:
        module_name, _, attr = handler_string.rpartition(".")
        return getattr(importlib.import_module(module_name), attr)

    def fire_schedules(self) -> None:
        from chalice.app import ScheduledEventConfig

        for source in self.app.event_sources:
            if self.stopping.is_set():
                return
            if isinstance(source, ScheduledEventConfig):
                event = {
                    "version": "0",
                    "id": str(uuid.uuid4()),
                    "detail-type": "Scheduled Event",
                    "source": "aws.events",
                    "account": ACCOUNT,
                    "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "region": REGION,
                    "resources": [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{source.name}"],
                    "detail": {},
                }
                self._invoke(source.handler_string, event)

    def drain_queues(self) -> None:
        from chalice.app import SQSEventConfig

        from chalicelib.store.clients import aws_client

        sqs = aws_client("sqs")
        for source in self.app.event_sources:
            if not isinstance(source, SQSEventConfig) or not source.queue:
                continue
            url = sqs.get_queue_url(QueueName=source.queue)["QueueUrl"]
            arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{source.queue}"
            for _ in range(100):  # bounded per tick
                if self.stopping.is_set():
                    return
                got = sqs.receive_message(
                    QueueUrl=url,
                    MaxNumberOfMessages=min(source.batch_size, 10),
                    AttributeNames=["All"],
                    WaitTimeSeconds=0,
                ).get("Messages", [])
                if not got:
                    break
                records = [
                    {
                        "messageId": m["MessageId"],
                        "receiptHandle": m["ReceiptHandle"],
                        "body": m["Body"],
                        "attributes": m.get("Attributes", {}),
                        "messageAttributes": {},
                        "md5OfBody": m.get("MD5OfBody", ""),
                        "eventSource": "aws:sqs",
                        "eventSourceARN": arn,
                        "awsRegion": REGION,
                    }
                    for m in got
                ]
                result = self._invoke(source.handler_string, {"Records": records})
                failed = {
                    f["itemIdentifier"]
                    for f in (result or {}).get("batchItemFailures", [])
                    if isinstance(result, dict)
                }
                for m in got:
                    if m["MessageId"] not in failed:
                        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

    def _invoke(self, handler_string: str, event: dict[str, Any]) -> Any:
        try:
            return self._handler(handler_string)(event, _LambdaContext(handler_string))
        except Exception as exc:  # keep the loop alive, show the failure
            print(f"[schedule-loop] {handler_string} failed: {exc!r}", file=sys.stderr)
            return None

    def tick(self) -> None:
        """One round: fire every schedule, then drain every queue."""
        self.fire_schedules()
        self.drain_queues()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.tick()
            self.stopping.wait(self.interval)


class _LambdaContext:
    def __init__(self, name: str) -> None:
        self.function_name = name
        self.memory_limit_in_mb = 512
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
        self.aws_request_id = str(uuid.uuid4())
        self._deadline = time.monotonic() + 300

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _sent_emails() -> list[dict[str, Any]]:
    """Every email "sent" through moto SES: simple sends and raw MIME (follow-ups) alike."""
    from moto.ses.models import ses_backends

    backend = ses_backends[ACCOUNT][REGION]
    found = []
    for message in backend.sent_messages:
        raw = getattr(message, "raw_data", None)
        if raw:
            parsed = _parse_raw(raw)
            found.append(
                {
                    "id": message.id,
                    "channel": "email",
                    **parsed,
                    "body": parsed["text"] or parsed["html"],
                }
            )
            continue
        body = str(getattr(message, "body", "") or "")
        found.append(
            {
                "id": message.id,
                "channel": "email",
                "from": getattr(message, "source", ""),
                "to": recipients(getattr(message, "destinations", {})),
                "subject": getattr(message, "subject", ""),
                "body": body,
                "text": body if "<" not in body else "",
                "html": body if "<" in body else "",
                "headers": {},
            }
        )
    return found


def recipients(destinations: Any) -> str:
    """SES's ``{'ToAddresses': [...], 'CcAddresses': [...]}`` as plain addresses, comma-separated
    (what a person reads, and what raw messages' ``To`` header already gives)."""
    if isinstance(destinations, dict):
        addresses = [
            str(address)
            for field in ("ToAddresses", "CcAddresses", "BccAddresses")
            for address in destinations.get(field) or []
        ]
        return ", ".join(addresses)
    if isinstance(destinations, list | tuple):
        return ", ".join(str(address) for address in destinations)
    return str(destinations or "")


def _parse_raw(raw: str) -> dict[str, Any]:
    """Subject, recipients, text and HTML parts and list headers of a raw MIME message."""
    import email
    from email import policy

    message = email.message_from_bytes(raw.encode("utf-8"), policy=policy.default)
    parts: dict[str, str] = {}
    for kind in ("plain", "html"):
        part = message.get_body(preferencelist=(kind,))
        if part is not None:
            parts[kind] = str(part.get_content())
    return {
        "from": str(message.get("From", "")),
        "to": str(message.get("To", "")),
        "subject": str(message.get("Subject", "")),
        "text": parts.get("plain", ""),
        "html": parts.get("html", ""),
        "headers": {
            name: str(message[name])
            for name in ("List-Unsubscribe", "List-Unsubscribe-Post")
            if message[name]
        },
    }


_URL = re.compile(r"https?://[^\s<>\"]+")


def _linkify(text: str) -> str:
    """Escaped text with every URL a clickable link (opens in a new tab)."""
    out, last = [], 0
    for match in _URL.finditer(text):
        out.append(html.escape(text[last : match.start()]))
        url = html.escape(match.group(0))
        out.append(f'<a href="{url}" target="_blank" rel="noopener">{url}</a>')
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def _outbox_entry(e: dict[str, Any]) -> str:
    text = str(e.get("text") or "")
    rendered = str(e.get("html") or "")
    parts = [
        f"<article><h3>{html.escape(str(e['subject']))}</h3>",
        f"<p><b>To:</b> {html.escape(str(e['to']))}</p>",
    ]
    for name, value in (e.get("headers") or {}).items():
        parts.append(f"<p><b>{html.escape(name)}:</b> {_linkify(value)}</p>")
    if text:
        parts.append(f"<pre style='white-space:pre-wrap'>{_linkify(text)}</pre>")
    if rendered:
        # The HTML part as the customer sees it, sandboxed (no scripts); links open a new tab.
        parts.append(
            "<details><summary>HTML version</summary>"
            f'<iframe sandbox="allow-popups allow-popups-to-escape-sandbox" '
            f'style="width:100%;height:420px;border:1px solid #ccc" '
            f'srcdoc="{html.escape(rendered.replace("<a ", "<a target=_blank "))}"></iframe>'
            "</details>"
        )
    parts.append("</article><hr>")
    return "".join(parts)


class OutboxHandler(BaseHTTPRequestHandler):
    """``/`` lists emails sent through (moto) SES; ``/outbox.json`` gives them as JSON."""

    def log_message(self, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        emails = _sent_emails()
        if self.path.startswith("/outbox.json"):
            payload = json.dumps(emails, default=str).encode()
            content_type = "application/json"
        else:
            rows = "".join(_outbox_entry(e) for e in reversed(emails))
            payload = (
                "<!doctype html><meta charset=utf-8><title>Local outbox</title>"
                f"<h1>Outbox ({len(emails)})</h1>{rows or '<p>No emails yet.</p>'}"
            ).encode()
            content_type = "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def _answer_every_method(server: Any) -> None:
    """Let the app answer every HTTP method (TRACE, QUERY, made-up ones: a 405 problem).

    Chalice's local handler only defines the methods API Gateway routes; Python's HTTP server
    answers any other method with a 501 HTML page, which no deployed endpoint would send.
    """
    from chalice.local import ChaliceRequestHandler

    class EveryMethodHandler(ChaliceRequestHandler):
        def __getattr__(self, name: str) -> Any:
            if name.startswith("do_"):
                return self._generic_handle
            raise AttributeError(name)

    wrapped = server.server.RequestHandlerClass
    server.server.RequestHandlerClass = functools.partial(
        EveryMethodHandler, *wrapped.args, **wrapped.keywords
    )


def write_env_file(values: dict[str, str]) -> Path:
    """The stack's URLs and keys as shell variables, for README's examples to ``source``
    (``STACK_ENV_FILE``, default ``.local/stack.env`` under the current directory)."""
    import shlex

    path = Path(os.environ.get("STACK_ENV_FILE") or ".local/stack.env").resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"export {name}={shlex.quote(value)}" for name, value in values.items()]
    path.write_text(
        "# written by make run: the local stack's URLs and keys\n" + "\n".join(lines) + "\n"
    )
    path.chmod(0o600)
    return path


def main() -> None:
    """Start everything and block until Ctrl-C / SIGTERM."""
    _die_with_parent()
    sys.path.insert(0, str(ROOT))
    api_port = int(os.environ.get("PORT", "8000"))
    outbox_port = int(os.environ.get("OUTBOX_PORT", str(api_port + 1)))
    widget_port = int(os.environ.get("WIDGET_PORT", str(api_port + 2)))
    moto_port = int(os.environ.get("MOTO_PORT", "0")) or _free_port()
    interval = float(os.environ.get("SCHEDULE_INTERVAL", "60"))

    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    moto_server = ThreadedMotoServer(ip_address=HOST, port=moto_port, verbose=False)
    moto_server.start()
    env = configure_environment(moto_port, api_port)

    from chalicelib.store import tenancy_guard

    tenancy_guard.install()
    from scripts.provision import provision

    provision()
    from scripts import widget_demo

    demo = seed_demo_tenant(api_port, widget_demo.origins(HOST, widget_port))
    kid, secret = widget_demo.seed(demo["tenant"]["id"], f"http://{HOST}:{widget_port}/")
    widget_demo.seed_products(demo["tenant"]["id"])
    demo_site = widget_demo.DemoSite(
        host=HOST,
        port=widget_port,
        api=f"http://{HOST}:{api_port}",
        outbox=f"http://{HOST}:{outbox_port}/",
        tenant_name=demo["tenant"]["name"],
        widget_key=demo["widget_key"]["key"],
        kid=kid,
        secret=secret,
    )

    from chalice.cli import factory as chalice_factory
    from chalice.local import create_local_server

    import app as app_module

    config = chalice_factory.CLIFactory(project_dir=str(ROOT)).create_config_obj(
        chalice_stage_name="dev"
    )
    server = create_local_server(app_module.app, config, HOST, api_port)
    _answer_every_method(server)
    threading.Thread(target=server.serve_forever, name="api", daemon=True).start()
    outbox = ThreadingHTTPServer((HOST, outbox_port), OutboxHandler)
    threading.Thread(target=outbox.serve_forever, name="outbox", daemon=True).start()
    widget_site = widget_demo.serve(demo_site)
    threading.Thread(target=widget_site.serve_forever, name="widget-demo", daemon=True).start()
    loop = ScheduleLoop(app_module.app, interval)
    loop.start()

    stop = threading.Event()

    def _stop(signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)

    base = f"http://{HOST}:{api_port}"
    env_file = write_env_file(
        {
            "API": base,
            "OUTBOX": f"http://{HOST}:{outbox_port}",
            "PLATFORM_KEY": env["PLATFORM_API_KEY"],
            "TENANT": demo["tenant"]["id"],
            "KEY": demo["admin_api_key"]["secret"],
            "WIDGET_KEY": demo["widget_key"]["key"],
        }
    )
    print(
        "\n".join(
            [
                "",
                "After-sales backend running locally",
                f"  API            {base}   (health: {base}/health, spec: {base}/openapi.json)",
                f"  Outbox         http://{HOST}:{outbox_port}/   (emails sent via local SES)",
                f"  Moto (AWS)     {env['AWS_ENDPOINT_URL']}",
                f"  Schedules      every {interval:g}s (SCHEDULE_INTERVAL)",
                "",
                f"  Platform key   {env['PLATFORM_API_KEY']}",
                f"  Demo tenant    {demo['tenant']['id']}  ({demo['tenant']['name']})",
                f"  Demo admin key {demo['admin_api_key']['secret']}",
                f"  Demo widget key {demo['widget_key']['key']}",
                f"  Widget demo    {demo_site.url}   (the support widget on a demo site)",
                "",
                f"  Shell settings {env_file}   (source it: API, PLATFORM_KEY, KEY, WIDGET_KEY)",
                "",
                "Try:",
                f"  curl -s {base}/v1/customers -H 'Authorization: Bearer "
                f"{demo['admin_api_key']['secret']}'",
                "",
                "Ctrl-C stops everything.",
            ]
        ),
        flush=True,
    )
    stop.wait()
    print("stopping...", flush=True)
    # Stopping must never hang: if a step below stalls, print where every thread is and exit.
    faulthandler.dump_traceback_later(STOP_WATCHDOG_SECONDS, exit=True)
    loop.stopping.set()
    # Let the handler in flight finish against the live moto server (the loop checks
    # ``stopping`` between handlers, so this is one handler at most).
    loop.join(timeout=STOP_WATCHDOG_SECONDS / 2)
    server.shutdown()
    outbox.shutdown()
    widget_site.shutdown()
    moto_server.stop()
    print("stopped", flush=True)
    sys.stderr.flush()
    # Everything lived in memory; skip interpreter teardown, which would join the worker
    # threads of a handler still in flight (they could only retry against a stopped server).
    os._exit(0)


if __name__ == "__main__":
    main()
