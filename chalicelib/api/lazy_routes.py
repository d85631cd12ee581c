"""Routes registered from the generated catalog; blueprint modules imported on first use.

Chalice needs every route at start-up (for ``chalice package``, API Gateway and the local
server), but not the code behind it: a blueprint module pulls in its pydantic schemas,
services and PynamoDB models, which is most of the cold start. So ``app.py`` registers one
small forwarding view per catalogued route; the first request to a route imports its module,
registers the module's blueprint on a private Chalice object (to collect the real views) and
binds the blueprint to the real app so ``bp.current_request`` works as usual.

The catalog is generated from the blueprints themselves (``make routes``) and a test fails
when it is out of date, so it can never drift from the code.
"""

from __future__ import annotations

import functools
import importlib
import threading
from collections.abc import Callable
from typing import Any

from chalice.app import Blueprint, Chalice

from chalicelib.api.route_catalog import ROUTES

_views: dict[str, dict[tuple[str, str], Callable[..., Any]]] = {}
_lock = threading.Lock()


@functools.cache
def load_blueprint(module_name: str) -> tuple[Blueprint, Chalice]:
    """Import a blueprint module and collect its routes on a private Chalice object.

    Cached: Chalice consumes a blueprint's route options when registering it, so a blueprint
    can be registered once per process.
    """
    module = importlib.import_module(module_name)
    blueprint = getattr(module, "bp", None)
    if not isinstance(blueprint, Blueprint):
        raise TypeError(f"{module_name} must define its routes on a Blueprint named bp")
    collector = Chalice(app_name=f"routes-of-{module_name}")
    collector.register_blueprint(blueprint)
    return blueprint, collector


def _views_of(app: Chalice, module_name: str) -> dict[tuple[str, str], Callable[..., Any]]:
    views = _views.get(module_name)
    if views is None:
        with _lock:
            views = _views.get(module_name)
            if views is None:
                blueprint, collector = load_blueprint(module_name)
                # Blueprint has no public re-binding API; this is what register() sets.
                blueprint._current_app = app
                views = {
                    (path, method): entry.view_function
                    for path, entries in collector.routes.items()
                    for method, entry in entries.items()
                }
                _views[module_name] = views
    return views


def _forwarder(app: Chalice, module_name: str, path: str, method: str) -> Callable[..., Any]:
    def view(**params: str) -> Any:
        return _views_of(app, module_name)[(path, method)](**params)

    view.__name__ = f"{method.lower()}_{module_name.rsplit('.', 1)[-1]}"
    return view


def register_routes(app: Chalice) -> None:
    """Register every catalogued route on ``app`` with a forwarding view."""
    for module_name, path, method, content_types in ROUTES:
        app.route(
            path,
            methods=[method],
            content_types=list(content_types),
            name=f"{module_name}:{method}:{path}",
        )(_forwarder(app, module_name, path, method))


def load_all() -> None:
    """Import every blueprint module (OpenAPI generation and tests need all operations)."""
    from chalicelib.api.blueprints import BLUEPRINT_MODULES

    for module_name in BLUEPRINT_MODULES:
        importlib.import_module(module_name)
