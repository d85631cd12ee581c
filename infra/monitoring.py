"""CloudWatch alarms and the operations dashboard of a stage.

Alarms (all notify the stage's encrypted SNS topic):

| alarm                          | metric                                               |
|--------------------------------|------------------------------------------------------|
| ``Api5xxRate``                 | API Gateway 5XXError average over 5 min > threshold  |
| ``<Function>Errors``           | Lambda Errors > 0 for 2 of 3 minutes, per function    |
| ``<Function>Throttles``        | Lambda Throttles > 0 in 5 min, per function           |
| ``<Queue>DeadLetters``         | DLQ ApproximateNumberOfMessagesVisible > 0            |
| ``<Queue>Age``                 | queue ApproximateAgeOfOldestMessage > threshold       |
| ``<Table>Throttles``           | Read + Write ThrottleEvents > 0 in 5 min, per table   |
| ``SweepLag``                   | app metric ``SweepLagSeconds`` (max) > threshold      |
| ``SweepUnfinished``            | app metric ``SweepUnfinished`` (sum) >= 3 in 5 min    |
| ``<Function>NearTimeout``      | a schedule's Duration max > 80% of its timeout        |
| ``SweepNotRunning``            | a 1-minute schedule's Invocations < 1 for 5 min      |
| ``ReactionFailed``             | app metric ``ReactionFailed`` (sum) > 0 in 5 min      |
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions

from chalicelib.observability import SWEEP_LAG_METRIC, SWEEP_UNFINISHED_METRIC
from infra.stages import API_GATEWAY_STAGE, APP_NAME, METRICS_NAMESPACE, camel

if TYPE_CHECKING:
    from infra.stack import AfterSalesStack

FIVE_MINUTES = cdk.Duration.minutes(5)
ONE_MINUTE = cdk.Duration.minutes(1)
# Metrics the application emits (EMF via Powertools, dimension service=aftersales); the sweep
# metric names come from the code that emits them.
REACTION_FAILED_METRIC = "ReactionFailed"


def _app_metric(name: str, statistic: str) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=name,
        dimensions_map={"service": APP_NAME},
        statistic=statistic,
        period=FIVE_MINUTES,
    )


def _lambda_metric(function_name: str, name: str, statistic: str) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace="AWS/Lambda",
        metric_name=name,
        dimensions_map={"FunctionName": function_name},
        statistic=statistic,
        period=ONE_MINUTE,
    )


def add_alarms_and_dashboard(stack: AfterSalesStack) -> list[cloudwatch.Alarm]:
    """Create every alarm of the stage and the dashboard; returns the alarms."""
    stage = stack.stage
    action = actions.SnsAction(stack.alarm_topic)
    alarms: list[cloudwatch.Alarm] = []

    def alarm(construct_id: str, description: str, **kwargs: object) -> cloudwatch.Alarm:
        created = cloudwatch.Alarm(
            stack,
            construct_id,
            alarm_name=f"{APP_NAME}-{stage.name}-{construct_id}",
            alarm_description=description,
            **kwargs,  # type: ignore[arg-type]
        )
        created.add_alarm_action(action)
        created.add_ok_action(action)
        alarms.append(created)
        return created

    api_name = f"{APP_NAME}-{stage.name}"
    api_dimensions = {"ApiName": api_name, "Stage": API_GATEWAY_STAGE}
    api_5xx = cloudwatch.Metric(
        namespace="AWS/ApiGateway",
        metric_name="5XXError",
        dimensions_map=api_dimensions,
        statistic="Average",
        period=FIVE_MINUTES,
    )
    alarm(
        "Api5xxRate",
        f"More than {stage.api_5xx_rate:.0%} of API requests answered 5xx (a 5xx is a bug)",
        metric=api_5xx,
        threshold=stage.api_5xx_rate,
        evaluation_periods=1,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )

    for function in stack.functions:
        name = stack.function_name(function)
        alarm(
            f"{function.resource_name}Errors",
            f"{name} raised errors",
            metric=_lambda_metric(name, "Errors", "Sum"),
            threshold=0,
            evaluation_periods=3,
            datapoints_to_alarm=2,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm(
            f"{function.resource_name}Throttles",
            f"{name} was throttled (concurrency limit reached)",
            metric=_lambda_metric(name, "Throttles", "Sum").with_(period=FIVE_MINUTES),
            threshold=0,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        if function.kind == "schedule":
            timeout_ms = stage.lambda_timeout_seconds * 1000
            alarm(
                f"{function.resource_name}NearTimeout",
                f"{name} ran longer than 80% of its timeout: it is falling behind",
                metric=_lambda_metric(name, "Duration", "Maximum").with_(period=FIVE_MINUTES),
                threshold=0.8 * timeout_ms,
                evaluation_periods=3,
                datapoints_to_alarm=2,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
        if function.kind == "schedule" and function.schedule == "rate(1 minute)":
            alarm(
                f"{function.resource_name}NotRunning",
                f"{name} (every minute) did not run for 5 minutes",
                metric=_lambda_metric(name, "Invocations", "Sum").with_(period=FIVE_MINUTES),
                threshold=1,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
            )

    for name, queue in stack.queues.items():
        construct = camel(name)
        alarm(
            f"{construct}DeadLetters",
            f"Messages of {name} failed {5} times and wait in {name}-dlq",
            metric=stack.dead_letter_queues[name].metric_approximate_number_of_messages_visible(
                period=ONE_MINUTE, statistic="Maximum"
            ),
            threshold=0,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm(
            f"{construct}Age",
            f"The oldest message of {name} waits longer than {stage.queue_age_seconds} s",
            metric=queue.metric_approximate_age_of_oldest_message(
                period=ONE_MINUTE, statistic="Maximum"
            ),
            threshold=stage.queue_age_seconds,
            evaluation_periods=5,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )

    for spec, table in stack.tables:
        construct = camel(spec.base_name)
        throttles = cloudwatch.MathExpression(
            expression="reads + writes",
            using_metrics={
                "reads": table.metric("ReadThrottleEvents", statistic="Sum", period=FIVE_MINUTES),
                "writes": table.metric("WriteThrottleEvents", statistic="Sum", period=FIVE_MINUTES),
            },
            label=f"{spec.base_name} throttle events",
            period=FIVE_MINUTES,
        )
        alarm(
            f"{construct}TableThrottles",
            f"DynamoDB throttled requests on {table.table_name}",
            metric=throttles,
            threshold=0,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )

    if any(f.kind == "schedule" for f in stack.functions):
        alarm(
            "SweepLag",
            f"Due work is picked up more than {stage.sweep_lag_seconds} s late",
            metric=_app_metric(SWEEP_LAG_METRIC, "Maximum"),
            threshold=stage.sweep_lag_seconds,
            evaluation_periods=2,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm(
            "SweepUnfinished",
            "Sweeps keep stopping at their deadline with due work left",
            metric=_app_metric(SWEEP_UNFINISHED_METRIC, "Sum"),
            threshold=3,
            evaluation_periods=2,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
    alarm(
        "ReactionFailed",
        "An in-process event reaction failed (the write stood; its follow-up effect did not)",
        metric=_app_metric(REACTION_FAILED_METRIC, "Sum"),
        threshold=0,
        evaluation_periods=1,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )

    _dashboard(stack, api_dimensions, alarms)
    return alarms


def _dashboard(
    stack: AfterSalesStack, api_dimensions: dict[str, str], alarms: list[cloudwatch.Alarm]
) -> cloudwatch.Dashboard:
    def api(metric: str, statistic: str) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace="AWS/ApiGateway",
            metric_name=metric,
            dimensions_map=api_dimensions,
            statistic=statistic,
            period=ONE_MINUTE,
        )

    names = [stack.function_name(f) for f in stack.functions]
    dashboard = cloudwatch.Dashboard(
        stack, "Dashboard", dashboard_name=f"{APP_NAME}-{stack.stage.name}"
    )
    dashboard.add_widgets(
        cloudwatch.GraphWidget(
            title="API requests and errors",
            left=[api("Count", "Sum"), api("4XXError", "Sum"), api("5XXError", "Sum")],
            width=12,
        ),
        cloudwatch.GraphWidget(
            title="API latency (p50, p99)",
            left=[api("Latency", "p50"), api("Latency", "p99")],
            width=12,
        ),
    )
    dashboard.add_widgets(
        cloudwatch.GraphWidget(
            title="Lambda errors",
            left=[_lambda_metric(n, "Errors", "Sum") for n in names],
            width=8,
        ),
        cloudwatch.GraphWidget(
            title="Lambda throttles",
            left=[_lambda_metric(n, "Throttles", "Sum") for n in names],
            width=8,
        ),
        cloudwatch.GraphWidget(
            title="Lambda duration p99",
            left=[_lambda_metric(n, "Duration", "p99") for n in names],
            width=8,
        ),
    )
    queue_metrics = [
        q.metric_approximate_number_of_messages_visible(period=ONE_MINUTE)
        for q in [*stack.queues.values(), *stack.dead_letter_queues.values()]
    ]
    dashboard.add_widgets(
        cloudwatch.GraphWidget(
            title="DynamoDB consumed capacity",
            left=[
                table.metric_consumed_read_capacity_units(period=ONE_MINUTE)
                for _, table in stack.tables
            ],
            right=[
                table.metric_consumed_write_capacity_units(period=ONE_MINUTE)
                for _, table in stack.tables
            ],
            width=12,
        ),
        cloudwatch.GraphWidget(
            title="Queues and dead-letter queues",
            left=queue_metrics or [api("Count", "Sum")],
            width=12,
        ),
    )
    dashboard.add_widgets(
        cloudwatch.GraphWidget(
            title="Sweep lag and failed reactions",
            left=[_app_metric(SWEEP_LAG_METRIC, "Maximum")],
            right=[_app_metric(REACTION_FAILED_METRIC, "Sum")],
            width=12,
        ),
        cloudwatch.AlarmStatusWidget(title="Alarms", alarms=alarms, width=12),
    )
    return dashboard
