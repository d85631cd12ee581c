"""Assertions on the synthesised CloudFormation templates of both stages.

The expected tables are computed here from the PynamoDB models directly (their attributes and
index classes), not through ``infra.tables``: if a model's keys or indexes change and the
template does not follow, or the derivation in infra drifts from what PynamoDB creates, these
tests fail. ``test_checker_notices_drift`` proves the comparison itself can fail.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template
from pynamodb.indexes import LocalSecondaryIndex
from pynamodb.models import Model

from chalicelib.store.tables import ALL_TABLE_MODELS, TTL_ATTRIBUTES
from tests.infra.conftest import Synthesised

STAGES = ("dev", "prod")
_TYPE = {"S": "S", "N": "N", "B": "B"}


def expected_table(model: type[Model], prefix: str) -> dict[str, Any]:
    """The AWS::DynamoDB::Table properties a model implies, read from the model's own classes."""
    attributes = model.get_attributes()
    used: set[str] = {model._hash_keyname}
    key_schema = [{"AttributeName": model._hash_keyname, "KeyType": "HASH"}]
    if model._range_keyname:
        key_schema.append({"AttributeName": model._range_keyname, "KeyType": "RANGE"})
        used.add(model._range_keyname)
    gsis, lsis = [], []
    for index in model._indexes.values():
        index_keys = []
        for name, attribute in index.Meta.attributes.items():
            if attribute.is_hash_key:
                index_keys.insert(0, {"AttributeName": name, "KeyType": "HASH"})
                used.add(name)
            elif attribute.is_range_key:
                index_keys.append({"AttributeName": name, "KeyType": "RANGE"})
                used.add(name)
        projection: dict[str, Any] = {"ProjectionType": index.Meta.projection.projection_type}
        if index.Meta.projection.non_key_attributes:
            projection["NonKeyAttributes"] = sorted(index.Meta.projection.non_key_attributes)
        entry = {"IndexName": index.Meta.index_name, "KeySchema": index_keys}
        entry["Projection"] = projection
        (lsis if isinstance(index, LocalSecondaryIndex) else gsis).append(entry)
    return {
        "TableName": prefix + model.Meta.base_name,
        "KeySchema": key_schema,
        "AttributeDefinitions": sorted(
            (
                {"AttributeName": name, "AttributeType": _TYPE[attributes[name].attr_type]}
                for name in used
            ),
            key=lambda d: d["AttributeName"],
        ),
        "GlobalSecondaryIndexes": sorted(gsis, key=lambda i: i["IndexName"]),
        "LocalSecondaryIndexes": sorted(lsis, key=lambda i: i["IndexName"]),
        "TimeToLive": TTL_ATTRIBUTES.get(model),
    }


def actual_table(properties: dict[str, Any]) -> dict[str, Any]:
    """The same shape, read from a template's table properties."""

    def index(entry: dict[str, Any]) -> dict[str, Any]:
        projection = dict(entry["Projection"])
        if "NonKeyAttributes" in projection:
            projection["NonKeyAttributes"] = sorted(projection["NonKeyAttributes"])
        return {
            "IndexName": entry["IndexName"],
            "KeySchema": entry["KeySchema"],
            "Projection": projection,
        }

    ttl = properties.get("TimeToLiveSpecification") or {}
    return {
        "TableName": properties["TableName"],
        "KeySchema": properties["KeySchema"],
        "AttributeDefinitions": sorted(
            properties["AttributeDefinitions"], key=lambda d: d["AttributeName"]
        ),
        "GlobalSecondaryIndexes": sorted(
            (index(i) for i in properties.get("GlobalSecondaryIndexes", [])),
            key=lambda i: i["IndexName"],
        ),
        "LocalSecondaryIndexes": sorted(
            (index(i) for i in properties.get("LocalSecondaryIndexes", [])),
            key=lambda i: i["IndexName"],
        ),
        "TimeToLive": ttl.get("AttributeName") if ttl.get("Enabled") else None,
    }


def table_drift(template: dict[str, Any], prefix: str) -> list[str]:
    """Differences between the template's tables and the models (empty when they match)."""
    tables = {
        r["Properties"]["TableName"]: r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::DynamoDB::Table"
    }
    problems = []
    expected_names = {prefix + m.Meta.base_name for m in ALL_TABLE_MODELS}
    for extra in sorted(set(tables) - expected_names):
        problems.append(f"{extra}: in the template but no model defines it")
    for model in ALL_TABLE_MODELS:
        expected = expected_table(model, prefix)
        found = tables.get(expected["TableName"])
        if found is None:
            problems.append(f"{expected['TableName']}: model {model.__name__} has no table")
            continue
        actual = actual_table(found)
        for field, want in expected.items():
            if actual[field] != want:
                problems.append(
                    f"{expected['TableName']}.{field}: template {json.dumps(actual[field])} "
                    f"!= model {json.dumps(want)}"
                )
    return problems


@pytest.mark.parametrize("stage", STAGES)
def test_every_model_has_its_table_with_the_same_keys_and_indexes(
    synthesised: Synthesised, stage: str
) -> None:
    assert table_drift(synthesised.templates[stage], f"aftersales-{stage}-") == []


def test_checker_notices_drift(synthesised: Synthesised) -> None:
    """Tamper with a copy of the template: every kind of drift is reported."""
    template = copy.deepcopy(synthesised.templates["dev"])
    tables = [r for r in template["Resources"].values() if r["Type"] == "AWS::DynamoDB::Table"]
    with_index = next(t for t in tables if t["Properties"].get("GlobalSecondaryIndexes"))
    gsi = with_index["Properties"]["GlobalSecondaryIndexes"][0]
    gsi["Projection"] = {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]}
    tables[0]["Properties"]["KeySchema"][0]["AttributeName"] = "renamed"
    problems = table_drift(template, "aftersales-dev-")
    assert any("GlobalSecondaryIndexes" in p for p in problems)
    assert any("KeySchema" in p for p in problems)
    del template["Resources"][next(k for k, r in template["Resources"].items() if r is tables[-1])]
    assert any("has no table" in p for p in table_drift(template, "aftersales-dev-"))


@pytest.mark.parametrize("stage", STAGES)
def test_tables_are_on_demand_encrypted_and_recoverable(
    synthesised: Synthesised, stage: str
) -> None:
    tables = synthesised.resources(stage, "AWS::DynamoDB::Table")
    assert len(tables) == len(ALL_TABLE_MODELS)
    for table in tables.values():
        props = table["Properties"]
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert props["SSESpecification"]["SSEEnabled"] is True
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True


def test_prod_tables_are_protected_and_retained(synthesised: Synthesised) -> None:
    for table in synthesised.resources("prod", "AWS::DynamoDB::Table").values():
        assert table["Properties"]["DeletionProtectionEnabled"] is True
        assert table["DeletionPolicy"] == "Retain"
        assert table["UpdateReplacePolicy"] == "Retain"
    for table in synthesised.resources("dev", "AWS::DynamoDB::Table").values():
        assert table["Properties"].get("DeletionProtectionEnabled") in (False, None)


def test_ttl_attributes_follow_the_registry(synthesised: Synthesised) -> None:
    template = Template.from_json(synthesised.templates["prod"])
    for model, attribute in TTL_ATTRIBUTES.items():
        template.has_resource_properties(
            "AWS::DynamoDB::Table",
            {
                "TableName": f"aftersales-prod-{model.Meta.base_name}",
                "TimeToLiveSpecification": {"AttributeName": attribute, "Enabled": True},
            },
        )


def test_event_bus_configuration_set_and_bucket(synthesised: Synthesised) -> None:
    for stage in STAGES:
        template = Template.from_json(synthesised.templates[stage])
        template.has_resource_properties("AWS::Events::EventBus", {"Name": f"aftersales-{stage}"})
        template.has_resource_properties(
            "AWS::SES::ConfigurationSet", {"Name": f"aftersales-{stage}"}
        )
        template.has_resource_properties(
            "AWS::S3::Bucket",
            {
                "BucketEncryption": Match.object_like(
                    {
                        "ServerSideEncryptionConfiguration": [
                            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                        ]
                    }
                ),
                "PublicAccessBlockConfiguration": {
                    "BlockPublicAcls": True,
                    "BlockPublicPolicy": True,
                    "IgnorePublicAcls": True,
                    "RestrictPublicBuckets": True,
                },
                "VersioningConfiguration": {"Status": "Enabled"},
            },
        )


@pytest.mark.parametrize("stage", STAGES)
def test_api_is_throttled_per_stage_and_per_plan_and_behind_a_firewall(
    synthesised: Synthesised, stage: str
) -> None:
    from infra.stages import STAGES as SETTINGS
    from infra.stages import TIERS, plan_names

    api = synthesised.resources(stage, "AWS::Serverless::Api")["RestAPI"]["Properties"]
    assert api["Name"] == f"aftersales-{stage}"
    (settings,) = api["MethodSettings"]
    assert settings["ThrottlingRateLimit"] == SETTINGS[stage].api_rate_per_second
    assert settings["ThrottlingBurstLimit"] == SETTINGS[stage].api_burst
    assert api["AccessLogSetting"]["DestinationArn"]
    assert api["TracingEnabled"] is True

    plans = {
        p["Properties"]["UsagePlanName"]: p["Properties"]
        for p in synthesised.resources(stage, "AWS::ApiGateway::UsagePlan").values()
    }
    assert set(plans) == {f"aftersales-{stage}-{plan}" for plan in plan_names()}
    for plan in plan_names():
        properties = plans[f"aftersales-{stage}-{plan}"]
        assert properties["Throttle"] == {
            "RateLimit": TIERS[plan].rate_per_second,
            "BurstLimit": TIERS[plan].burst,
        }
        assert properties["Quota"] == {"Limit": TIERS[plan].requests_per_day, "Period": "DAY"}
        (api_stage,) = properties["ApiStages"]
        assert api_stage == {"ApiId": {"Ref": "RestAPI"}, "Stage": {"Ref": "RestAPI.Stage"}}

    (acl,) = synthesised.resources(stage, "AWS::WAFv2::WebACL").values()
    rules = {r["Name"]: r for r in acl["Properties"]["Rules"]}
    assert rules["PerIpRateLimit"]["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    assert {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"} <= set(rules)
    (association,) = synthesised.resources(stage, "AWS::WAFv2::WebACLAssociation").values()
    assert "RestAPI.Stage" in json.dumps(association["Properties"]["ResourceArn"])
