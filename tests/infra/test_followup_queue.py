"""The follow-up queue: its dead-letter queue is known to the functions and writable by them."""

from __future__ import annotations

import json

import pytest

from tests.infra.conftest import Synthesised


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_follow_up_worker_may_park_failed_work_on_its_dead_letter_queue(
    synthesised: Synthesised, stage: str
) -> None:
    """FOLLOWUPS_DEAD_LETTER_QUEUE_URL is the follow-up queue's DLQ, and roles may send to it."""
    from tests.infra.test_iam import statements

    queues = synthesised.resources(stage, "AWS::SQS::Queue")
    (dlq_id,) = (k for k, q in queues.items() if q["Properties"]["QueueName"].endswith("-dlq"))
    functions = synthesised.resources(stage, "AWS::Serverless::Function")
    assert functions
    for function in functions.values():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["FOLLOWUPS_DEAD_LETTER_QUEUE_URL"] == {"Ref": dlq_id}
    enqueue = [s for _, s in statements(synthesised, stage) if s.get("Sid") == "EnqueueWork"]
    assert enqueue
    for statement in enqueue:
        arns = json.dumps(statement["Resource"])
        assert dlq_id in arns
