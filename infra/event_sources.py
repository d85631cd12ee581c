"""The Lambda functions, schedules and queues the Chalice app declares, read from ``app.py``.

Nothing is listed by hand: a new ``@app.schedule`` or ``@app.on_sqs_message`` handler becomes a
function with its own role, alarms and (for queues) a queue with a dead-letter queue the next
time the CDK app is synthesised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from chalice.utils import to_cfn_resource_name

API_HANDLER = "api_handler"
API_HANDLER_RESOURCE = "APIHandler"


@dataclass(frozen=True)
class FunctionSpec:
    """One Lambda function that Chalice packages."""

    name: str  # Chalice's function name (the Python function's name; "api_handler" for the API)
    kind: Literal["api", "schedule", "queue"]
    schedule: str | None = None  # "rate(1 minute)" / "cron(...)"
    queue: str | None = None  # SQS queue name the function consumes
    batch_size: int = 10

    @property
    def resource_name(self) -> str:
        """The function's logical id in the template ``chalice package`` writes."""
        if self.kind == "api":
            return API_HANDLER_RESOURCE
        return to_cfn_resource_name(self.name)


def _expression(value: Any) -> str:
    return value if isinstance(value, str) else str(value.to_string())


def function_specs(chalice_app: Any | None = None) -> list[FunctionSpec]:
    """Every function of the app: the REST API handler, then its schedules and queue consumers."""
    from chalice.app import ScheduledEventConfig, SQSEventConfig

    if chalice_app is None:
        from app import app as default_app

        chalice_app = default_app
    assert chalice_app is not None
    functions = [FunctionSpec(name=API_HANDLER, kind="api")] if chalice_app.routes else []
    for source in chalice_app.event_sources:
        if isinstance(source, ScheduledEventConfig):
            functions.append(
                FunctionSpec(
                    name=source.name,
                    kind="schedule",
                    schedule=_expression(source.schedule_expression),
                )
            )
        elif isinstance(source, SQSEventConfig):
            if not source.queue:
                raise ValueError(
                    f"{source.name}: consume queues by name (queue=...), so infra can create "
                    "the queue, its dead-letter queue and alarms"
                )
            functions.append(
                FunctionSpec(
                    name=source.name,
                    kind="queue",
                    queue=source.queue,
                    batch_size=source.batch_size,
                )
            )
        else:
            raise ValueError(
                f"{source.name}: event source {type(source).__name__} has no infra support yet"
            )
    return functions
