"""``Idempotency-Key`` for creates, on Powertools idempotency.

The record key hashes (tenant, operation, client key); the request body is the validation
payload, so re-using a key with a different body is refused instead of replaying the wrong
response. A retried request gets the first response (status and body) back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chalicelib.config import get_settings
from chalicelib.domain.errors import Conflict, Invalid

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
    )

_configuring = threading.Lock()


def _configured_layer(config: IdempotencyConfig) -> DynamoDBPersistenceLayer:
    """The shared persistence layer, configured completely before anyone uses it.

    Powertools' ``configure`` marks the layer configured *before* it sets the key and
    validation expressions, so a second thread arriving in between would run with neither: its
    record could miss the payload hash (its twin then got a 422) or key on the whole request.
    Configuring under a lock, once, closes that window for threaded servers and tests.
    """
    from chalicelib.store.idempotency import persistence_layer

    layer = persistence_layer()
    if not getattr(layer, "_fully_configured", False):
        with _configuring:
            if not getattr(layer, "_fully_configured", False):
                layer.configure(config)
                layer._fully_configured = True  # type: ignore[attr-defined]
    return layer


class _Deadline:
    """Duck-typed Lambda context: Powertools only asks for the remaining time."""

    def __init__(self, remaining_ms: int) -> None:
        self._remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self._remaining_ms


def run_once(
    *,
    tenant_id: str | None,
    operation: str,
    idempotency_key: str | None,
    payload: dict[str, Any],
    remaining_ms: int,
    action: Callable[[], dict[str, Any]],
) -> dict[str, Any]:
    """Run ``action`` once per (tenant, operation, key); replay its result on retries."""
    if idempotency_key is None:
        return action()
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    config = IdempotencyConfig(
        event_key_jmespath="[tenant, operation, key]",
        payload_validation_jmespath="payload",
        expires_after_seconds=get_settings().idempotency_ttl_seconds,
        use_local_cache=False,
    )
    config.register_lambda_context(_Deadline(remaining_ms))  # type: ignore[arg-type]

    @idempotent_function(
        data_keyword_argument="request",
        persistence_store=_configured_layer(config),
        config=config,
    )
    def create(request: dict[str, Any]) -> dict[str, Any]:
        return action()

    request = {
        "tenant": tenant_id or "platform",
        "operation": operation,
        "key": idempotency_key,
        "payload": payload,
    }
    try:
        return create(request=request)
    except IdempotencyValidationError as exc:
        raise Invalid(
            "this Idempotency-Key was already used with a different request body",
            code="idempotency_key_reused",
        ) from exc
    except IdempotencyAlreadyInProgressError as exc:
        raise Conflict(
            "a request with this Idempotency-Key is still being processed; retry shortly",
            code="idempotency_in_progress",
            retry_after=1,
        ) from exc
