"""Least privilege, read from the synthesised templates (moto cannot evaluate IAM conditions)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.infra.conftest import Synthesised

DATA_SERVICES = ("dynamodb", "s3", "sqs", "ses", "ssm", "events", "kms", "sts")
STAGES = ("dev", "prod")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statements(synthesised: Synthesised, stage: str) -> list[tuple[str, dict[str, Any]]]:
    """(role logical id, statement) for every inline and attached policy statement."""
    found: list[tuple[str, dict[str, Any]]] = []
    for name, role in synthesised.resources(stage, "AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            found.extend((name, s) for s in policy["PolicyDocument"]["Statement"])
    for policy in synthesised.resources(stage, "AWS::IAM::Policy").values():
        for role_ref in policy["Properties"].get("Roles", []):
            role_name = role_ref.get("Ref", "?") if isinstance(role_ref, dict) else role_ref
            found.extend(
                (role_name, s) for s in policy["Properties"]["PolicyDocument"]["Statement"]
            )
    return found


@pytest.mark.parametrize("stage", STAGES)
def test_no_wildcard_actions_and_no_wildcard_resources_on_data(
    synthesised: Synthesised, stage: str
) -> None:
    for role, statement in statements(synthesised, stage):
        actions = _as_list(statement["Action"])
        for action in actions:
            assert "*" not in action, f"{role}: wildcard action {action}"
        if any(a.split(":")[0] in DATA_SERVICES for a in actions):
            assert "*" not in _as_list(statement["Resource"]), f"{role}: {actions} on '*'"


@pytest.mark.parametrize("stage", STAGES)
def test_nobody_may_scan_or_manage_tables(synthesised: Synthesised, stage: str) -> None:
    granted = {a for _, s in statements(synthesised, stage) for a in _as_list(s["Action"])}
    dynamodb = {a for a in granted if a.startswith("dynamodb:")}
    assert dynamodb, "the functions need DynamoDB item access"
    assert not dynamodb & {
        "dynamodb:Scan",
        "dynamodb:DeleteTable",
        "dynamodb:CreateTable",
        "dynamodb:UpdateTable",
    }


def _tenant_role(synthesised: Synthesised, stage: str) -> tuple[str, dict[str, Any]]:
    roles = synthesised.resources(stage, "AWS::IAM::Role")
    return next((n, r) for n, r in roles.items() if n.startswith("TenantDataRole"))


@pytest.mark.parametrize("stage", STAGES)
def test_tenant_role_is_limited_to_the_callers_leading_keys(
    synthesised: Synthesised, stage: str
) -> None:
    _, role = _tenant_role(synthesised, stage)
    policy_statements = [
        s for p in role["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]
    ]
    dynamodb = [s for s in policy_statements if _as_list(s["Action"])[0].startswith("dynamodb:")]
    assert dynamodb
    for statement in dynamodb:
        assert statement["Effect"] == "Allow"
        assert statement["Condition"] == {
            "ForAllValues:StringLike": {
                "dynamodb:LeadingKeys": [
                    "${aws:PrincipalTag/tenant_id}",
                    "${aws:PrincipalTag/tenant_id}#*",
                ]
            }
        }
        assert "dynamodb:Scan" not in _as_list(statement["Action"])
        # Platform-owned indexes (tenant directory, due-time shards) are not even named.
        rendered = str(statement["Resource"])
        assert "/index/directory" not in rendered
        assert "/index/by_tenant" in rendered
    s3 = [s for s in policy_statements if _as_list(s["Action"])[0].startswith("s3:")]
    assert all("${aws:PrincipalTag/tenant_id}/*" in str(s["Resource"]) for s in s3)


@pytest.mark.parametrize("stage", STAGES)
def test_only_the_api_role_may_assume_the_tenant_role_and_only_with_the_tag(
    synthesised: Synthesised, stage: str
) -> None:
    _, role = _tenant_role(synthesised, stage)
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert sorted(_as_list(trust["Action"])) == ["sts:AssumeRole", "sts:TagSession"]
    assert trust["Principal"]["AWS"]["Fn::GetAtt"][0].startswith("APIHandlerRole")
    assert trust["Condition"]["StringLike"] == {"aws:RequestTag/tenant_id": "?*"}
    assert trust["Condition"]["ForAllValues:StringEquals"] == {"aws:TagKeys": ["tenant_id"]}
    assumers = {
        role_name
        for role_name, s in statements(synthesised, stage)
        if "sts:AssumeRole" in _as_list(s["Action"])
    }
    assert len(assumers) == 1
    assert next(iter(assumers)).startswith("APIHandlerRole")


@pytest.mark.parametrize("stage", STAGES)
def test_each_function_has_its_own_role(synthesised: Synthesised, stage: str) -> None:
    functions = synthesised.resources(stage, "AWS::Serverless::Function")
    roles = [f["Properties"]["Role"]["Fn::GetAtt"][0] for f in functions.values()]
    assert len(set(roles)) == len(roles) == len(functions)
    tenant = synthesised.resources(stage, "AWS::Serverless::Function")["APIHandler"]
    variables = tenant["Properties"]["Environment"]["Variables"]
    assert variables["TENANT_DATA_ROLE_ARN"]["Fn::GetAtt"][0].startswith("TenantDataRole")
    for name, function in functions.items():
        if name != "APIHandler":
            assert "TENANT_DATA_ROLE_ARN" not in function["Properties"]["Environment"]["Variables"]
