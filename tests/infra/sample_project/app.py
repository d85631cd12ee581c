"""A small Chalice project with every kind of event source the CDK app supports.

The infra tests synthesise it next to the real app, so the queue, DLQ, schedule and role
machinery is exercised whatever handlers the real app declares today.
"""

from chalice.app import Chalice, Rate, SQSEvent

app = Chalice(app_name="aftersales")


@app.route("/health")
def health() -> dict[str, str]:
    """Liveness."""
    return {"status": "ok"}


@app.schedule(Rate(1, unit=Rate.MINUTES))
def sweep_due(event: object) -> None:
    """Every minute."""


@app.schedule("cron(15 3 * * ? *)")
def nightly_close(event: object) -> None:
    """Once a night."""


@app.on_sqs_message(queue="aftersales-sample-followups", batch_size=5)
def work(event: SQSEvent) -> dict[str, list[dict[str, str]]]:
    """Queue consumer reporting partial batch failures."""
    return {"batchItemFailures": []}
