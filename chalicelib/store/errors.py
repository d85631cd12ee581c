"""Recognising DynamoDB failures by their error *codes* (never by message text)."""

from __future__ import annotations

from pynamodb.exceptions import PynamoDBException, TransactWriteError

CONDITION_FAILED = "ConditionalCheckFailedException"
THROTTLING_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "TransactionConflictException",
    }
)


def error_code(exc: BaseException) -> str | None:
    """The AWS error code behind a PynamoDB or botocore exception, if any."""
    if isinstance(exc, PynamoDBException):
        return exc.cause_response_code
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return response.get("Error", {}).get("Code")
    return None


def is_condition_failure(exc: BaseException) -> bool:
    """True when a write was refused by its condition expression."""
    return error_code(exc) == CONDITION_FAILED


# Why DynamoDB cancelled one item of a transaction, when retrying later can succeed. These are
# the documented ``CancellationReasons`` codes (no ``Exception`` suffix, unlike error codes).
RETRYABLE_CANCELLATION_CODES = frozenset(
    {"TransactionConflict", "ProvisionedThroughputExceeded", "ThrottlingError"}
)


def is_throttling(exc: BaseException) -> bool:
    """True for throttling and transaction conflicts: safe to retry later."""
    code = error_code(exc)
    if code == "TransactionCanceledException" and isinstance(exc, TransactWriteError):
        return any(
            r is not None and (r.code in THROTTLING_CODES or r.code in RETRYABLE_CANCELLATION_CODES)
            for r in exc.cancellation_reasons
        )
    return code in THROTTLING_CODES


def cancellation_codes(exc: TransactWriteError) -> list[str | None]:
    """Per-item reasons of a cancelled transaction, in request order (None = not the cause)."""
    return [
        None if r is None or r.code in (None, "None") else r.code for r in exc.cancellation_reasons
    ]
