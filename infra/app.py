"""Entry point of the CDK app: ``python -m infra.app`` (or ``cdk synth`` via infra/cdk.json).

Synthesises one stack per stage into ``cdk.out/`` (``CDK_OUTDIR`` overrides), with the cdk-nag
AwsSolutions pack applied. Needs no AWS account: the stacks are environment-agnostic unless
``CDK_DEFAULT_ACCOUNT``/``CDK_DEFAULT_REGION`` are set (as the CDK CLI does when deploying).
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Feature flags of current CDK defaults that change the template (see infra/cdk.json too).
FEATURE_FLAGS = {
    # Grant S3 server-access-log delivery by bucket policy, not the legacy ACL.
    "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,
    "@aws-cdk/aws-iam:minimizePolicies": True,
    "@aws-cdk/core:validateAgainstDefaultRules": False,
}


def build_app(
    outdir: str | None = None,
    stages: Iterable[str] | None = None,
    *,
    source_dir: Path | None = None,
    chalice_app: object | None = None,
) -> object:
    """Build (not synthesise) the CDK app with a stack per stage and cdk-nag attached.

    ``source_dir``/``chalice_app`` default to this repository's Chalice app.
    """
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import aws_cdk as cdk
    from cdk_nag import AwsSolutionsChecks

    from infra import nag
    from infra.stack import AfterSalesStack
    from infra.stages import DEFAULT_REGION, STAGES

    region = os.environ.get("CDK_DEFAULT_REGION") or DEFAULT_REGION
    # `chalice package` needs a region even though nothing is called.
    os.environ.setdefault("AWS_DEFAULT_REGION", region)
    app = cdk.App(
        outdir=outdir or os.environ.get("CDK_OUTDIR") or str(ROOT / "cdk.out"),
        context=FEATURE_FLAGS,
    )
    env = cdk.Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=region)
    for name in stages or STAGES:
        stage = with_context_overrides(STAGES[name], app.node.try_get_context)
        stack = AfterSalesStack(
            app, stage, env=env, source_dir=source_dir or ROOT, chalice_app=chalice_app
        )
        nag.suppress(stack)
    cdk.Aspects.of(app).add(AwsSolutionsChecks(reports=True, verbose=True))
    return app


# Deploy-time settings that are not secrets but differ per installation:
# `cdk deploy prod -c prod.ses_sender=support@acme.example -c prod.alarm_email=ops@acme.example`
# (or without the stage prefix for every stage).
CONTEXT_OVERRIDES = ("ses_sender", "alarm_email", "public_base_url")


def with_context_overrides(stage: Any, get_context: Callable[[str], Any]) -> Any:
    """The stage with CDK context values (``<stage>.<key>`` or ``<key>``) applied."""
    changes = {}
    for key in CONTEXT_OVERRIDES:
        value = get_context(f"{stage.name}.{key}") or get_context(key)
        if value:
            changes[key] = str(value)
    return dataclasses.replace(stage, **changes) if changes else stage


def main() -> None:
    """Synthesise every stage (what `cdk synth` runs)."""
    app = build_app()
    app.synth()  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
