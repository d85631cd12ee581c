"""Every scope a route requires is one an API key can be given."""

from __future__ import annotations

from chalicelib.api.lazy_routes import load_all
from chalicelib.api.routing import all_operations
from chalicelib.domain.api_keys import ALL_SCOPES


def test_every_required_scope_can_be_granted() -> None:
    load_all()
    required = {op.scope for op in all_operations() if op.scope}
    assert required, "no operation requires a scope"
    assert required <= ALL_SCOPES, sorted(required - ALL_SCOPES)
