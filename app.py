"""The Chalice application: wiring only (blueprints, middleware, jobs). No logic, no routes."""

from __future__ import annotations

from chalice.app import Chalice

from chalicelib.api import api_keys, customers, health, platform, settings
from chalicelib.api.middleware import http_middleware

app = Chalice(app_name="aftersales")
app.register_middleware(http_middleware, "http")

for blueprint in (health.bp, platform.bp, api_keys.bp, customers.bp, settings.bp):
    app.register_blueprint(blueprint)
