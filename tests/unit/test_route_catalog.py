"""The generated route catalog matches the blueprints, and lazy routes reach the real views."""

from __future__ import annotations

from chalicelib.api.blueprints import BLUEPRINT_MODULES
from chalicelib.api.lazy_routes import load_blueprint
from chalicelib.api.route_catalog import ROUTES
from scripts.route_catalog import render


def test_catalog_is_current() -> None:
    from scripts.route_catalog import TARGET

    assert TARGET.read_text() == render(), (
        "chalicelib/api/route_catalog.py is stale: add new blueprint modules to "
        "chalicelib/api/blueprints.py and run `make routes`"
    )


def test_every_app_route_reaches_its_real_view() -> None:
    import app
    from chalicelib.api import lazy_routes

    routed = {
        (path, method, tuple(entry.content_types))
        for path, entries in app.app.routes.items()
        for method, entry in entries.items()
    }
    assert routed == {(path, method, types) for _, path, method, types in ROUTES}
    for module_name in BLUEPRINT_MODULES:
        _, collector = load_blueprint(module_name)
        real = lazy_routes._views_of(app.app, module_name)
        assert set(real) == {
            (path, method) for path, entries in collector.routes.items() for method in entries
        }
        assert all(
            view.__module__ in {"chalicelib.api.routing", module_name} for view in real.values()
        )
