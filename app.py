"""The Chalice application: wiring only (routes, middleware, jobs). No logic.

Routes come from the generated catalog and load their blueprint module on first use
(``chalicelib/api/lazy_routes.py``); jobs import their module inside the handler. Both keep
``import app`` — the Lambda cold start — down to Chalice, the logger and the middleware.
"""

from __future__ import annotations

from chalice.app import Chalice

from chalicelib.api.lazy_routes import register_routes
from chalicelib.api.middleware import http_middleware

app = Chalice(app_name="aftersales")
app.register_middleware(http_middleware, "http")
register_routes(app)
