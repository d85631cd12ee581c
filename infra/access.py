"""IAM: one execution role per function kind and instance, plus the tenant data-access role.

Which role does what (docs/security.md has the reasoning):

- ``<Function>Role``, one per Lambda function (``APIHandlerRole`` for the REST API, one per
  schedule and per queue consumer): DynamoDB item actions on every table and named index (never
  Scan), the bus, the SSM secrets, SES from the configured sender, its own queue and log group.
  The API role also holds ``sts:AssumeRole``/``sts:TagSession`` on the tenant role.
- ``TenantDataRole``: assumed by the API per tenant request with the session tag
  ``tenant_id`` (token vending). The same item actions, allowed only while every leading key is
  ``<tenant>`` or ``<tenant>#...`` (``dynamodb:LeadingKeys``), and S3 objects under
  ``<tenant>/`` only. Platform indexes (``dir_pk``, ``due_pk``) are not granted at all.

No statement grants a data action on ``*``: every DynamoDB, SQS, S3, SES, SSM and EventBridge
statement names its resources. The only ``*`` resources are X-Ray's (it has no resource-level
permissions), suppressed for cdk-nag with that reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.stages import Stage
from infra.tables import TableSpec

# Item-level actions the app uses (PynamoDB, Powertools idempotency, batches, transactions:
# TransactWriteItems/TransactGetItems are authorised per item by these same actions).
# Deliberately absent: Scan (the app never scans), table management, streams, exports.
DATA_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
)
TENANT_TAG = "tenant_id"
# A tenant's items: partition key equal to its id or starting with "<id>#" (see store/base.py).
TENANT_LEADING_KEYS = (
    f"${{aws:PrincipalTag/{TENANT_TAG}}}",
    f"${{aws:PrincipalTag/{TENANT_TAG}}}#*",
)


@dataclass
class DataResources:
    """What the roles grant access to."""

    tables: list[tuple[TableSpec, dynamodb.Table]]
    bus: events.IEventBus
    queues: dict[str, sqs.Queue]
    bucket: s3.IBucket
    parameter_arns: Sequence[str]
    ses_identity_arn: str
    ses_configuration_set_arn: str
    ses_sender: str
    # Workers park messages that failed for good here themselves (the follow-up worker marks
    # the follow-up failed and copies it to its queue's DLQ for the alarm).
    dead_letter_queues: dict[str, sqs.Queue] = field(default_factory=dict)


def table_arns(
    tables: Iterable[tuple[TableSpec, dynamodb.Table]], *, tenant_indexes_only: bool = False
) -> list[str]:
    """Table ARNs plus each named index ARN (no ``index/*`` wildcard)."""
    from chalicelib.store.base import PLATFORM_INDEX_KEYS

    arns: list[str] = []
    for spec, table in tables:
        arns.append(table.table_arn)
        for index in spec.indexes:
            if tenant_indexes_only and index.partition_key[0] in PLATFORM_INDEX_KEYS:
                continue
            arns.append(f"{table.table_arn}/index/{index.name}")
    return arns


def data_statement(resources: DataResources) -> iam.PolicyStatement:
    """Item actions on every table and index (platform and job roles)."""
    return iam.PolicyStatement(
        sid="TableItems", actions=list(DATA_ACTIONS), resources=table_arns(resources.tables)
    )


def tenant_data_statement(resources: DataResources) -> iam.PolicyStatement:
    """Item actions restricted to the caller's tenant partitions (tenant role only)."""
    return iam.PolicyStatement(
        sid="TenantItemsOnly",
        actions=list(DATA_ACTIONS),
        resources=table_arns(resources.tables, tenant_indexes_only=True),
        conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": list(TENANT_LEADING_KEYS)}},
    )


def tenant_objects_statement(resources: DataResources) -> iam.PolicyStatement:
    """Attachments of the caller's tenant only: keys ``<tenant>/...``."""
    return iam.PolicyStatement(
        sid="TenantObjectsOnly",
        actions=["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        resources=[resources.bucket.arn_for_objects(f"${{aws:PrincipalTag/{TENANT_TAG}}}/*")],
    )


def _common_statements(stage: Stage, resources: DataResources) -> list[iam.PolicyStatement]:
    stack = cdk.Stack.of(resources.bus)
    return [
        data_statement(resources),
        iam.PolicyStatement(
            sid="PublishDomainEvents",
            actions=["events:PutEvents"],
            resources=[resources.bus.event_bus_arn],
        ),
        iam.PolicyStatement(
            sid="ReadSecrets",
            actions=["ssm:GetParameter"],
            resources=list(resources.parameter_arns),
        ),
        iam.PolicyStatement(
            sid="SendEmail",
            actions=["ses:SendEmail", "ses:SendRawEmail"],
            resources=[resources.ses_identity_arn, resources.ses_configuration_set_arn],
            conditions={"StringEquals": {"ses:FromAddress": resources.ses_sender}},
        ),
        iam.PolicyStatement(
            sid="EnqueueWork",
            actions=["sqs:SendMessage"],
            resources=[
                queue.queue_arn
                for queue in [*resources.queues.values(), *resources.dead_letter_queues.values()]
            ]
            or [stack.format_arn(service="sqs", resource=f"{stage.prefix}none")],
        ),
        iam.PolicyStatement(
            sid="Tracing",
            actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            resources=["*"],
        ),
    ]


def _logs_statement(function_name: str) -> iam.PolicyStatement:
    stack_arn = f"arn:{cdk.Aws.PARTITION}:logs:{cdk.Aws.REGION}:{cdk.Aws.ACCOUNT_ID}"
    group = f"{stack_arn}:log-group:/aws/lambda/{function_name}"
    return iam.PolicyStatement(
        sid="WriteOwnLogs",
        actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        resources=[group, f"{group}:log-stream:*"],
    )


def function_role(
    scope: Construct,
    construct_id: str,
    *,
    stage: Stage,
    function_name: str,
    resources: DataResources,
    consumes: sqs.Queue | None = None,
    uploads: bool = False,
) -> iam.Role:
    """The execution role of one function: only what that kind of function does."""
    statements = [*_common_statements(stage, resources), _logs_statement(function_name)]
    if consumes is not None:
        statements.append(
            iam.PolicyStatement(
                sid="ConsumeOwnQueue",
                actions=[
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:ChangeMessageVisibility",
                    "sqs:GetQueueAttributes",
                ],
                resources=[consumes.queue_arn],
            )
        )
    if uploads:
        statements.append(
            iam.PolicyStatement(
                sid="Attachments",
                actions=["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                resources=[resources.bucket.arn_for_objects("*")],
            )
        )
    return iam.Role(
        scope,
        construct_id,
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description=f"{function_name}: execution role",
        inline_policies={"function": iam.PolicyDocument(statements=statements)},
    )


def tenant_data_role(
    scope: Construct, *, stage: Stage, api_role: iam.Role, resources: DataResources
) -> iam.Role:
    """The role the API assumes per tenant request (token vending): tenant partitions only.

    The API's execution role may assume it only while tagging the session with ``tenant_id``;
    the role's policy turns that tag into the ``dynamodb:LeadingKeys`` and S3 prefix limits.
    """
    trust = iam.PrincipalWithConditions(
        iam.ArnPrincipal(api_role.role_arn),
        {
            "StringLike": {f"aws:RequestTag/{TENANT_TAG}": "?*"},
            "ForAllValues:StringEquals": {"aws:TagKeys": [TENANT_TAG]},
        },
    )
    role = iam.Role(
        scope,
        "TenantDataRole",
        assumed_by=trust.with_session_tags(),
        description=f"{stage.name}: per-tenant data access (dynamodb:LeadingKeys)",
        max_session_duration=cdk.Duration.hours(1),
        inline_policies={
            "tenant-data": iam.PolicyDocument(
                statements=[tenant_data_statement(resources), tenant_objects_statement(resources)]
            )
        },
    )
    api_role.add_to_principal_policy(
        iam.PolicyStatement(
            sid="VendTenantCredentials",
            actions=["sts:AssumeRole", "sts:TagSession"],
            resources=[role.role_arn],
        )
    )
    return role
