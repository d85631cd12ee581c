"""Schedules, queues, dead-letter queues, roles and alarms follow what the Chalice app declares.

Checked on the real app (both stages: whatever schedules and queue consumers it has now) and on
``sample_project`` (always has a 1-minute sweep, a nightly cron and a queue consumer).
"""

from __future__ import annotations

from typing import Any

import pytest
from chalice.app import ScheduledEventConfig, SQSEventConfig
from chalice.utils import to_cfn_resource_name

from infra.stack import MAX_RECEIVES
from tests.infra.conftest import Synthesised, load_sample_app

CASES = ("dev", "prod", "sample")


def chalice_app(case: str) -> Any:
    if case == "sample":
        return load_sample_app().app
    from app import app

    return app


def _expression(source: ScheduledEventConfig) -> str:
    value = source.schedule_expression
    return value if isinstance(value, str) else value.to_string()


def _queue_id(synthesised: Synthesised, case: str, name: str) -> str:
    queues = synthesised.resources(case, "AWS::SQS::Queue")
    return next(k for k, q in queues.items() if q["Properties"].get("QueueName") == name)


def _alarms(synthesised: Synthesised, case: str) -> list[dict[str, Any]]:
    return [a["Properties"] for a in synthesised.resources(case, "AWS::CloudWatch::Alarm").values()]


def test_the_sample_declares_every_kind_of_source() -> None:
    sources = chalice_app("sample").event_sources
    assert sum(isinstance(s, ScheduledEventConfig) for s in sources) == 2
    assert sum(isinstance(s, SQSEventConfig) for s in sources) == 1


@pytest.mark.parametrize("case", CASES)
def test_every_declared_schedule_fires_its_own_function(
    synthesised: Synthesised, case: str
) -> None:
    functions = synthesised.resources(case, "AWS::Serverless::Function")
    for source in chalice_app(case).event_sources:
        if not isinstance(source, ScheduledEventConfig):
            continue
        function = functions[to_cfn_resource_name(source.name)]["Properties"]
        schedules = [e["Properties"]["Schedule"] for e in function["Events"].values()]
        assert schedules == [_expression(source)]
        assert function["FunctionName"].endswith(source.name.replace("_", "-"))
        assert function["Role"]["Fn::GetAtt"][0].startswith(to_cfn_resource_name(source.name))


@pytest.mark.parametrize("case", CASES)
def test_every_consumed_queue_exists_with_a_dead_letter_queue_and_partial_failures(
    synthesised: Synthesised, case: str
) -> None:
    functions = synthesised.resources(case, "AWS::Serverless::Function")
    queues = synthesised.resources(case, "AWS::SQS::Queue")
    for source in chalice_app(case).event_sources:
        if not isinstance(source, SQSEventConfig):
            continue
        assert source.queue
        queue_id = _queue_id(synthesised, case, source.queue)
        dlq_id = _queue_id(synthesised, case, f"{source.queue}-dlq")
        queue = queues[queue_id]["Properties"]
        assert queue["RedrivePolicy"] == {
            "deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]},
            "maxReceiveCount": MAX_RECEIVES,
        }
        assert queue["SqsManagedSseEnabled"] is True
        assert queues[dlq_id]["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600

        resource = functions[to_cfn_resource_name(source.name)]
        function = resource["Properties"]
        # Lambda requires the visibility timeout to cover the function timeout (6x advised).
        assert queue["VisibilityTimeout"] >= 6 * function["Timeout"]
        (event,) = function["Events"].values()
        assert event["Type"] == "SQS"
        assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert event["Properties"]["BatchSize"] == source.batch_size
        assert queue_id in resource["DependsOn"]

        role_id = function["Role"]["Fn::GetAtt"][0]
        role = synthesised.resources(case, "AWS::IAM::Role")[role_id]
        consume = [
            s
            for p in role["Properties"]["Policies"]
            for s in p["PolicyDocument"]["Statement"]
            if "sqs:ReceiveMessage" in s["Action"]
        ]
        assert [s["Resource"] for s in consume] == [{"Fn::GetAtt": [queue_id, "Arn"]}]

        dlq_alarms = [
            a
            for a in _alarms(synthesised, case)
            if a.get("MetricName") == "ApproximateNumberOfMessagesVisible"
            and a["Dimensions"][0]["Value"] == {"Fn::GetAtt": [dlq_id, "QueueName"]}
        ]
        assert len(dlq_alarms) == 1
        assert dlq_alarms[0]["Threshold"] == 0


@pytest.mark.parametrize("case", CASES)
def test_every_function_has_error_and_throttle_alarms(synthesised: Synthesised, case: str) -> None:
    alarms = _alarms(synthesised, case)
    for function in synthesised.resources(case, "AWS::Serverless::Function").values():
        name = function["Properties"]["FunctionName"]
        watched = {
            a["MetricName"]
            for a in alarms
            if a.get("Namespace") == "AWS/Lambda"
            and a["Dimensions"] == [{"Name": "FunctionName", "Value": name}]
        }
        assert {"Errors", "Throttles"} <= watched, name
        assert function["Properties"]["Tracing"] == "Active"


@pytest.mark.parametrize("case", CASES)
def test_application_alarms(synthesised: Synthesised, case: str) -> None:
    alarms = _alarms(synthesised, case)
    by_metric = {a.get("MetricName"): a for a in alarms}
    assert by_metric["ReactionFailed"]["Namespace"] == "AfterSales"
    assert by_metric["5XXError"]["Namespace"] == "AWS/ApiGateway"
    has_schedules = any(
        isinstance(s, ScheduledEventConfig) for s in chalice_app(case).event_sources
    )
    assert ("SweepLagSeconds" in by_metric) == has_schedules
    assert ("SweepUnfinished" in by_metric) == has_schedules
    throttle_alarms = [a for a in alarms if "Metrics" in a and "reads + writes" in str(a)]
    tables = synthesised.resources(case, "AWS::DynamoDB::Table")
    assert len(throttle_alarms) == len(tables)
    assert all(a["AlarmActions"] for a in alarms)


def test_schedules_that_run_out_of_time_alarm(synthesised: Synthesised) -> None:
    near_timeout = {
        a["Dimensions"][0]["Value"]: a["Threshold"]
        for a in _alarms(synthesised, "sample")
        if a.get("MetricName") == "Duration"
    }
    functions = synthesised.resources("sample", "AWS::Serverless::Function").values()
    timeouts = {f["Properties"]["FunctionName"]: f["Properties"]["Timeout"] for f in functions}
    assert set(near_timeout) == {"aftersales-prod-sweep-due", "aftersales-prod-nightly-close"}
    for name, threshold in near_timeout.items():
        assert threshold == 0.8 * timeouts[name] * 1000


def test_a_minute_sweep_that_stops_running_alarms(synthesised: Synthesised) -> None:
    not_running = [
        a
        for a in _alarms(synthesised, "sample")
        if a.get("MetricName") == "Invocations"
        and a["Dimensions"][0]["Value"] == "aftersales-prod-sweep-due"
    ]
    assert len(not_running) == 1
    assert not_running[0]["TreatMissingData"] == "breaching"
