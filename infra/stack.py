"""The deployment of one stage: data, messaging, the Chalice app, IAM, throttling, monitoring.

The stack's construct id is the stage name (``dev``/``prod``) on purpose: ``chalice.cdk.Chalice``
packages the app for the Chalice stage named like its scope, so the ``.chalice/config.json``
stage of the same name is merged with what this stack injects (its ``stage_config``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_wafv2 as wafv2
from chalice.cdk import Chalice
from constructs import Construct

from infra import access, monitoring
from infra.event_sources import FunctionSpec, function_specs
from infra.stages import API_GATEWAY_STAGE, APP_NAME, TIERS, Stage, camel, plan_names
from infra.tables import TableSpec, build_table, table_specs

ROOT = Path(__file__).resolve().parent.parent
MAX_RECEIVES = 5  # deliveries of a queue message before it moves to the dead-letter queue


class AfterSalesStack(cdk.Stack):
    """All resources of one stage."""

    def __init__(
        self,
        scope: Construct,
        stage: Stage,
        *,
        source_dir: Path = ROOT,
        chalice_app: Any | None = None,
        **kwargs: Any,
    ) -> None:
        """``source_dir``/``chalice_app``: the Chalice project (tests pass a small one)."""
        super().__init__(scope, stage.name, stack_name=f"{APP_NAME}-{stage.name}", **kwargs)
        self.stage = stage
        self.source_dir = source_dir
        cdk.Tags.of(self).add("app", APP_NAME)
        cdk.Tags.of(self).add("stage", stage.name)
        removal = cdk.RemovalPolicy.RETAIN if stage.production else cdk.RemovalPolicy.DESTROY

        self.table_specs: list[TableSpec] = table_specs()
        self.tables = [(spec, build_table(self, spec, stage)) for spec in self.table_specs]
        self.functions: list[FunctionSpec] = function_specs(chalice_app)

        self.bus = events.EventBus(self, "Bus", event_bus_name=stage.event_bus_name)
        self.bus_archive = self.bus.archive(
            "BusArchive",
            event_pattern=events.EventPattern(source=["aftersales"]),
            retention=cdk.Duration.days(365 if stage.production else 30),
        )
        self.queues, self.dead_letter_queues = self._queues(removal)
        self.bucket = self._attachments_bucket()
        self.configuration_set = ses.ConfigurationSet(
            self,
            "EmailConfigurationSet",
            configuration_set_name=f"{APP_NAME}-{stage.name}",
            reputation_metrics=True,
            suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
            sending_enabled=True,
        )
        sender_domain = stage.ses_sender.rpartition("@")[2]
        resources = access.DataResources(
            tables=self.tables,
            bus=self.bus,
            queues=self.queues,
            dead_letter_queues=self.dead_letter_queues,
            bucket=self.bucket,
            parameter_arns=[
                self.format_arn(
                    service="ssm",
                    resource="parameter",
                    resource_name=stage.parameter(name).lstrip("/"),
                )
                for name in ("platform-api-key", "app-secret")
            ],
            ses_identity_arn=self.format_arn(
                service="ses", resource="identity", resource_name=sender_domain
            ),
            ses_configuration_set_arn=self.format_arn(
                service="ses",
                resource="configuration-set",
                resource_name=self.configuration_set.configuration_set_name,
            ),
            ses_sender=stage.ses_sender,
        )
        self.roles = self._roles(resources)
        api_role = self.roles["api_handler"]
        self.tenant_role = access.tenant_data_role(
            self, stage=stage, api_role=api_role, resources=resources
        )
        self.app = self._chalice_app(api_role)
        self.api_access_logs = logs.LogGroup(
            self,
            "ApiAccessLogs",
            retention=_retention(stage.log_retention_days),
            removal_policy=removal,
        )
        self._configure_api()
        self.usage_plans = self._usage_plans()
        self.web_acl = self._web_acl()
        # CDK's own template validation does not run the SAM transform, so it cannot see the
        # stage SAM generates (``RestAPI.Stage``); cfn-lint (make synth) validates after it.
        cdk.Validations.of(self).acknowledge(
            cdk.Acknowledgment(
                id="CloudFormation-Validate::F1020",
                reason="RestAPI.Stage is resolved by the SAM transform (checked by cfn-lint)",
            )
        )
        self.alarm_topic = self._alarm_topic()
        monitoring.add_alarms_and_dashboard(self)
        cdk.CfnOutput(self, "TenantDataRoleArn", value=self.tenant_role.role_arn)
        cdk.CfnOutput(self, "AttachmentsBucketName", value=self.bucket.bucket_name)
        cdk.CfnOutput(self, "EventBusName", value=self.bus.event_bus_name)

    # -- messaging and storage ----------------------------------------------------------------

    def _queues(
        self, removal: cdk.RemovalPolicy
    ) -> tuple[dict[str, sqs.Queue], dict[str, sqs.Queue]]:
        queues: dict[str, sqs.Queue] = {}
        dead: dict[str, sqs.Queue] = {}
        visibility = cdk.Duration.seconds(6 * self.stage.lambda_timeout_seconds)
        for function in self.functions:
            if function.kind != "queue" or function.queue is None or function.queue in queues:
                continue
            name = function.queue
            construct_id = camel(name)
            dlq = sqs.Queue(
                self,
                f"{construct_id}DeadLetterQueue",
                queue_name=f"{name}-dlq",
                retention_period=cdk.Duration.days(14),
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
                removal_policy=removal,
            )
            queues[name] = sqs.Queue(
                self,
                f"{construct_id}Queue",
                queue_name=name,
                visibility_timeout=visibility,
                retention_period=cdk.Duration.days(4),
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
                dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=MAX_RECEIVES, queue=dlq),
                removal_policy=removal,
            )
            dead[name] = dlq
        return queues, dead

    def _attachments_bucket(self) -> s3.Bucket:
        """Ticket attachments and proof-of-purchase uploads (keys ``<tenant>/...``)."""
        access_logs = s3.Bucket(
            self,
            "AccessLogsBucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[s3.LifecycleRule(expiration=cdk.Duration.days(365))],
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        return s3.Bucket(
            self,
            "AttachmentsBucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="attachments/",
            cors=[
                # Browsers upload with presigned URLs (the signature is the authorisation);
                # tenants' widget origins are per tenant, so the origin cannot be pinned here.
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods.PUT, s3.HttpMethods.POST, s3.HttpMethods.GET],
                    allowed_origins=["*"],
                    allowed_headers=["*"],
                    max_age=3000,
                )
            ],
            lifecycle_rules=[
                s3.LifecycleRule(abort_incomplete_multipart_upload_after=cdk.Duration.days(1)),
                s3.LifecycleRule(noncurrent_version_expiration=cdk.Duration.days(30)),
            ],
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )

    # -- functions ----------------------------------------------------------------------------

    def function_name(self, function: FunctionSpec) -> str:
        """Physical name of a function (so its log group and alarms are predictable)."""
        return f"{APP_NAME}-{self.stage.name}-{function.name.replace('_', '-')}"[:64]

    def _roles(self, resources: access.DataResources) -> dict[str, iam.Role]:
        roles: dict[str, iam.Role] = {}
        for function in self.functions:
            roles[function.name] = access.function_role(
                self,
                f"{function.resource_name}Role",
                stage=self.stage,
                function_name=self.function_name(function),
                resources=resources,
                consumes=self.queues.get(function.queue or ""),
                uploads=function.kind == "api",
            )
        return roles

    def _environment(self) -> dict[str, str]:
        env = self.stage.environment()
        env["ATTACHMENTS_BUCKET"] = self.bucket.bucket_name
        # Proof-of-purchase uploads share the bucket (keys ``<tenant>/proof-of-purchase/...``,
        # under the same tenant-prefix policy and lifecycle as ticket attachments).
        env["UPLOADS_BUCKET"] = self.bucket.bucket_name
        env["SES_CONFIGURATION_SET"] = self.configuration_set.configuration_set_name
        if self.stage.public_base_url:
            env["PUBLIC_BASE_URL"] = self.stage.public_base_url
        from chalicelib.config import Settings

        # Settings that name a queue URL (FOLLOWUPS_QUEUE_URL...) get the declared queue whose
        # name contains the setting's stem.
        for field in Settings.model_fields:
            if field.endswith("_dead_letter_queue_url"):
                # ...and ``<stem>_dead_letter_queue_url`` that queue's dead-letter queue.
                stem = field.removesuffix("_dead_letter_queue_url").replace("_", "-")
                for name, dead in self.dead_letter_queues.items():
                    if stem in name:
                        env[field.upper()] = dead.queue_url
            elif field.endswith("_queue_url"):
                stem = field.removesuffix("_queue_url").replace("_", "-")
                for name, queue in self.queues.items():
                    if stem in name:
                        env[field.upper()] = queue.queue_url
        return env

    def _chalice_app(self, api_role: iam.Role) -> Chalice:
        stage = self.stage
        app = Chalice(
            self,
            "Api",
            source_dir=str(self.source_dir),
            stage_config={
                "api_gateway_stage": API_GATEWAY_STAGE,
                "manage_iam_role": False,
                "iam_role_arn": api_role.role_arn,
                "lambda_memory_size": stage.lambda_memory_mb,
                "lambda_timeout": stage.lambda_timeout_seconds,
                "xray": True,
                "environment_variables": self._environment(),
                "tags": {"app": APP_NAME, "stage": stage.name},
            },
        )
        for function in self.functions:
            cfn = app.get_resource(function.resource_name)
            cfn.add_property_override("FunctionName", self.function_name(function))
            cfn.add_property_override("Role", self.roles[function.name].role_arn)
            logs.LogGroup(
                self,
                f"{function.resource_name}Logs",
                log_group_name=f"/aws/lambda/{self.function_name(function)}",
                retention=_retention(stage.log_retention_days),
                removal_policy=cdk.RemovalPolicy.RETAIN
                if stage.production
                else cdk.RemovalPolicy.DESTROY,
            )
            if function.kind == "queue" and function.queue:
                # Chalice omits FunctionResponseTypes; without it Lambda ignores the handler's
                # batchItemFailures and deletes a whole batch even when some records failed.
                for event_name in _event_names(app, function.resource_name):
                    cfn.add_property_override(
                        f"Events.{event_name}.Properties.FunctionResponseTypes",
                        ["ReportBatchItemFailures"],
                    )
                queue = self.queues[function.queue]
                cfn.add_dependency(queue.node.default_child)
                cfn.add_dependency(self.roles[function.name].node.default_child)
        # Only the API vends tenant credentials; jobs work across tenants with their own roles.
        app.add_environment_variable(
            "TENANT_DATA_ROLE_ARN", self.tenant_role.role_arn, "APIHandler"
        )
        return app

    # -- API Gateway --------------------------------------------------------------------------

    def _configure_api(self) -> None:
        stage = self.stage
        rest_api = self.app.get_resource("RestAPI")
        rest_api.add_property_override("Name", f"{APP_NAME}-{stage.name}")
        rest_api.add_property_override("TracingEnabled", True)
        rest_api.add_property_override(
            "MethodSettings",
            [
                {
                    "ResourcePath": "/*",
                    "HttpMethod": "*",
                    "ThrottlingRateLimit": stage.api_rate_per_second,
                    "ThrottlingBurstLimit": stage.api_burst,
                    "MetricsEnabled": True,
                    "LoggingLevel": "ERROR",
                    "DataTraceEnabled": False,
                }
            ],
        )
        rest_api.add_property_override(
            "AccessLogSetting",
            {
                "DestinationArn": self.api_access_logs.log_group_arn,
                "Format": apigateway.AccessLogFormat.json_with_standard_fields(
                    caller=False,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=False,
                ).to_string(),
            },
        )

    def _usage_plans(self) -> dict[str, apigateway.CfnUsagePlan]:
        """One usage plan per tenant plan: per-key throttle and a daily quota."""
        plans: dict[str, apigateway.CfnUsagePlan] = {}
        rest_api = self.app.get_resource("RestAPI")
        for plan in plan_names():
            tier = TIERS[plan]
            usage_plan = apigateway.CfnUsagePlan(
                self,
                f"{plan.capitalize()}UsagePlan",
                usage_plan_name=f"{APP_NAME}-{self.stage.name}-{plan}",
                description=f"Tenants on the {plan} plan",
                api_stages=[
                    apigateway.CfnUsagePlan.ApiStageProperty(
                        api_id=rest_api.ref, stage=_sam_stage_ref()
                    )
                ],
                throttle=apigateway.CfnUsagePlan.ThrottleSettingsProperty(
                    rate_limit=tier.rate_per_second, burst_limit=tier.burst
                ),
                quota=apigateway.CfnUsagePlan.QuotaSettingsProperty(
                    limit=tier.requests_per_day, period="DAY"
                ),
            )
            plans[plan] = usage_plan
        return plans

    def _web_acl(self) -> wafv2.CfnWebACL:
        """WAF in front of the API: a per-IP rate limit and AWS managed rule groups."""

        def visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
            return wafv2.CfnWebACL.VisibilityConfigProperty(
                cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
            )

        def managed(name: str, priority: int, counted: list[str]) -> wafv2.CfnWebACL.RuleProperty:
            return wafv2.CfnWebACL.RuleProperty(
                name=name,
                priority=priority,
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS",
                        name=name,
                        rule_action_overrides=[
                            wafv2.CfnWebACL.RuleActionOverrideProperty(
                                name=rule,
                                action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={}),
                            )
                            for rule in counted
                        ]
                        or None,
                    )
                ),
                visibility_config=visibility(name),
            )

        acl = wafv2.CfnWebACL(
            self,
            "ApiFirewall",
            name=f"{APP_NAME}-{self.stage.name}-api",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=visibility(f"{APP_NAME}-{self.stage.name}-api"),
            rules=[
                wafv2.CfnWebACL.RuleProperty(
                    name="PerIpRateLimit",
                    priority=0,
                    action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                    statement=wafv2.CfnWebACL.StatementProperty(
                        rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                            aggregate_key_type="IP", limit=self.stage.waf_ip_requests_per_5_minutes
                        )
                    ),
                    visibility_config=visibility("PerIpRateLimit"),
                ),
                # Bodies up to 64 KiB are valid here (the app refuses larger ones with a 413) and
                # server-to-server integrations may send no User-Agent: count, do not block.
                managed(
                    "AWSManagedRulesCommonRuleSet",
                    1,
                    ["SizeRestrictions_BODY", "NoUserAgent_HEADER"],
                ),
                managed("AWSManagedRulesKnownBadInputsRuleSet", 2, []),
            ],
        )
        wafv2.CfnWebACLAssociation(
            self,
            "ApiFirewallAssociation",
            resource_arn=(
                f"arn:{cdk.Aws.PARTITION}:apigateway:{cdk.Aws.REGION}::/restapis/"
                f"{self.app.get_resource('RestAPI').ref}/stages/{_sam_stage_ref()}"
            ),
            web_acl_arn=acl.attr_arn,
        )
        return acl

    # -- alarms -------------------------------------------------------------------------------

    def _alarm_topic(self) -> sns.Topic:
        key = kms.Key(
            self,
            "AlarmTopicKey",
            enable_key_rotation=True,
            description="Encrypts the alarm topic",
            removal_policy=cdk.RemovalPolicy.RETAIN
            if self.stage.production
            else cdk.RemovalPolicy.DESTROY,
        )
        key.grant_encrypt_decrypt(iam.ServicePrincipal("cloudwatch.amazonaws.com"))
        topic = sns.Topic(
            self, "AlarmTopic", topic_name=f"{APP_NAME}-{self.stage.name}-alarms", master_key=key
        )
        topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="HttpsOnly",
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=["sns:Publish"],
                resources=[topic.topic_arn],
                conditions={"Bool": {"aws:SecureTransport": "false"}},
            )
        )
        if self.stage.alarm_email:
            topic.add_subscription(subscriptions.EmailSubscription(self.stage.alarm_email))
        return topic


_RETENTION = {
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    90: logs.RetentionDays.THREE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
}


def _retention(days: int) -> logs.RetentionDays:
    return _RETENTION[min(d for d in _RETENTION if d >= days)]


def _sam_stage_ref() -> str:
    """The stage SAM generates for Chalice's RestAPI (``Ref: RestAPI.Stage``, a SAM feature).

    Referencing it, rather than the stage name, also orders the dependent resource after the
    stage exists.
    """
    return cdk.Token.as_string({"Ref": "RestAPI.Stage"})


def _event_names(app: Chalice, resource_name: str) -> list[str]:
    """Names of a function's SAM events, from the template `chalice package` wrote."""
    # (The L1 CfnFunction.events getter cannot decode SAM's event union types via jsii.)
    template = json.loads((Path(app._sam_package_dir) / "sam.json").read_text())
    return list(template["Resources"][resource_name]["Properties"].get("Events", {}))
