"""The environment each function gets names real settings and the resources the stack made."""

from __future__ import annotations

import pytest

from chalicelib.config import Settings
from tests.infra.conftest import Synthesised

# Read by libraries rather than chalicelib.config.
LIBRARY_VARIABLES = {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE"}


@pytest.mark.parametrize("stage", ["dev", "prod", "sample"])
def test_every_injected_variable_is_a_setting_the_app_reads(
    synthesised: Synthesised, stage: str
) -> None:
    settings = {name.upper() for name in Settings.model_fields} | {"POWERTOOLS_LOG_LEVEL"}
    for name, function in synthesised.resources(stage, "AWS::Serverless::Function").items():
        variables = set(function["Properties"]["Environment"]["Variables"])
        unknown = variables - settings - LIBRARY_VARIABLES
        assert not unknown, f"{name}: {sorted(unknown)} are not settings (typo or stale name?)"


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_functions_are_pointed_at_this_stacks_resources(
    synthesised: Synthesised, stage: str
) -> None:
    resources = synthesised.templates[stage]["Resources"]
    for function in synthesised.resources(stage, "AWS::Serverless::Function").values():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["TABLE_PREFIX"] == f"aftersales-{stage}-"
        assert variables["EVENT_BUS_NAME"] == f"aftersales-{stage}"
        assert variables["PLATFORM_API_KEY_PARAM"] == f"/aftersales/{stage}/platform-api-key"
        assert variables["APP_SECRET_PARAM"] == f"/aftersales/{stage}/app-secret"
        bucket = variables["ATTACHMENTS_BUCKET"]["Ref"]
        assert resources[bucket]["Type"] == "AWS::S3::Bucket"
        assert variables["UPLOADS_BUCKET"] == {"Ref": bucket}
        configuration_set = variables["SES_CONFIGURATION_SET"]["Ref"]
        assert resources[configuration_set]["Type"] == "AWS::SES::ConfigurationSet"


def test_queue_url_settings_point_at_the_declared_queue(synthesised: Synthesised) -> None:
    """``followups_queue_url`` gets the declared queue whose name contains "followups"."""
    queues = synthesised.resources("sample", "AWS::SQS::Queue")
    (queue_id,) = (
        k
        for k, q in queues.items()
        if q["Properties"]["QueueName"] == "aftersales-sample-followups"
    )
    for function in synthesised.resources("sample", "AWS::Serverless::Function").values():
        assert function["Properties"]["Environment"]["Variables"]["FOLLOWUPS_QUEUE_URL"] == {
            "Ref": queue_id
        }
