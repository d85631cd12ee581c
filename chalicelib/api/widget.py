"""``/widget/v1``: the public API the embedded support widget calls from customers' browsers.

Every operation here authenticates with the publishable ``X-Widget-Key`` from an allowed
``Origin`` (``auth="widget"``), is rate limited per key and per client, and answers CORS for
that origin only. See docs/widget.md.
"""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.routing import Call, operation
from chalicelib.schemas.widget import WidgetConfig
from chalicelib.services import widget

bp = Blueprint(__name__)
TAG = "widget"


def _principal(call: Call) -> widget.WidgetPrincipal:
    if call.widget is None:  # auth="widget" guarantees it; refuse loudly if miswired
        raise RuntimeError("widget operation without a widget principal")
    return call.widget


@operation(
    bp,
    "GET",
    "/widget/v1/config",
    summary="Widget configuration",
    tag=TAG,
    auth="widget",
    identity="optional",
    response=WidgetConfig,
)
def get_config(call: Call) -> WidgetConfig:
    """Tenant name, theme, enabled features and the interface strings in every locale."""
    return widget.widget_config(_principal(call))
