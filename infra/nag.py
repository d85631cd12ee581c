"""cdk-nag (AwsSolutions) suppressions, each with the reason it does not apply here.

Suppressions name the exact finding (``applies_to``) wherever the rule reports one, so a new
wildcard added later is still reported.
"""

from __future__ import annotations

from typing import Any

from cdk_nag import NagPackSuppression, NagSuppressions

XRAY = NagPackSuppression(
    id="AwsSolutions-IAM5",
    reason="X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.",
    applies_to=["Resource::*"],
)
LOG_STREAMS = NagPackSuppression(
    id="AwsSolutions-IAM5",
    reason="Lambda creates its log streams with generated names inside the function's own "
    "log group; the group itself is named exactly.",
    applies_to=[{"regex": "/^Resource::arn:<AWS::Partition>:logs:.*:log-stream:\\*$/"}],
)
ATTACHMENTS = NagPackSuppression(
    id="AwsSolutions-IAM5",
    reason="The API presigns uploads/downloads of attachment objects whose keys are generated "
    "per upload; only object actions on this one bucket are granted.",
    applies_to=[{"regex": "/^Resource::<AttachmentsBucket[0-9A-F]+\\.Arn>\\/\\*$/"}],
)
TENANT_OBJECTS = NagPackSuppression(
    id="AwsSolutions-IAM5",
    reason="Tenant-scoped: objects under the caller's own '<tenant_id>/' prefix only (the "
    "prefix is the session tag), the S3 counterpart of dynamodb:LeadingKeys.",
    applies_to=[
        {
            "regex": "/^Resource::<AttachmentsBucket[0-9A-F]+\\.Arn>\\/"
            ".aws:PrincipalTag.tenant_id.\\/\\*$/"
        }
    ],
)


def suppress(stack: Any) -> None:
    """Apply the justified suppressions to one stage's stack."""
    for role in stack.roles.values():
        NagSuppressions.add_resource_suppressions(
            role, [XRAY, LOG_STREAMS, ATTACHMENTS], apply_to_children=True
        )
    NagSuppressions.add_resource_suppressions(
        stack.tenant_role, [TENANT_OBJECTS], apply_to_children=True
    )
