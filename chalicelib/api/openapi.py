"""The OpenAPI 3.1 document, generated from the operation registry and the pydantic models."""

from __future__ import annotations

import functools
import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chalicelib.api.routing import Operation, all_operations, widget_paths
from chalicelib.schemas.common import Problem

_REF = "#/components/schemas/{model}"
_PATH_PARAM = re.compile(r"{([a-z_]+)}")
_SECURITY: dict[str, list[dict[str, list[str]]]] = {
    "secret": [{"secretKey": []}],
    "platform": [{"platformKey": []}],
    "none": [],
    "widget": [{"widgetKey": []}],
}


def _models() -> list[tuple[type[BaseModel], Any]]:
    seen: list[tuple[type[BaseModel], Any]] = [(Problem, "serialization")]
    for op in all_operations():
        if op.body is not None:
            seen.append((op.body, "validation"))
        if op.response is not None:
            seen.append((op.response, "serialization"))
    unique: dict[tuple[type[BaseModel], Any], None] = dict.fromkeys(seen)
    return list(unique)


def _query_parameters(op: Operation) -> list[dict[str, Any]]:
    if op.query is None:
        return []
    schema = op.query.model_json_schema(ref_template=_REF)
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": {k: v for k, v in prop.items() if k != "title"},
        }
        for name, prop in schema.get("properties", {}).items()
    ]


def _operation(op: Operation, refs: dict[Any, Any]) -> dict[str, Any]:
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PATH_PARAM.findall(op.path)
    ]
    parameters += _query_parameters(op)
    if op.idempotent:
        parameters.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "Retries with the same key return the first response.",
                "schema": {"type": "string", "minLength": 1, "maxLength": 255},
            }
        )
    if op.conditional:
        parameters.append(
            {
                "name": "If-Match",
                "in": "header",
                "required": False,
                "description": 'The version being updated, e.g. "3" (or send "version").',
                "schema": {"type": "string"},
            }
        )
    problem = {"$ref": "#/components/responses/Problem"}
    responses: dict[str, Any] = {"default": problem, "4XX": problem}
    if op.response is None:
        responses[str(op.status)] = {"description": "Done (no content)"}
    else:
        responses[str(op.status)] = {
            "description": op.response.__doc__.strip().splitlines()[0]
            if op.response.__doc__
            else "OK",
            "content": {"application/json": {"schema": refs[(op.response, "serialization")]}},
        }
    doc: dict[str, Any] = {
        "operationId": op.name,
        "summary": op.summary,
        "tags": [op.tag],
        "security": _SECURITY[op.auth],
        "parameters": parameters,
        "responses": responses,
    }
    if op.description:
        doc["description"] = op.description
    if op.body is not None:
        # An absent body is read as ``{}``: it is required only when ``{}`` would not do.
        doc["requestBody"] = {
            "required": bool(op.body.model_json_schema().get("required")),
            "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
        }
    return doc


def _preflight(path: str, methods: list[str]) -> dict[str, Any]:
    return {
        "operationId": "preflight_" + re.sub(r"[^a-z0-9]+", "_", path.lower()).strip("_"),
        "summary": "CORS preflight",
        "description": "Answered with the caller's Origin only when a widget key allows it "
        f"(methods: {', '.join(sorted(methods))}); otherwise 403 without CORS headers.",
        "tags": ["widget"],
        "security": [],
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in _PATH_PARAM.findall(path)
        ],
        "responses": {
            "204": {"description": "The origin may call this path"},
            "403": {"$ref": "#/components/responses/Problem"},
        },
    }


@functools.cache
def openapi_document() -> dict[str, Any]:
    """Build (once per container) the OpenAPI 3.1 document of every registered operation."""
    refs, definitions = models_json_schema(_models(), ref_template=_REF)
    paths: dict[str, dict[str, Any]] = {}
    for op in all_operations():
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, refs)
    for path, methods in widget_paths().items():
        paths[path]["options"] = _preflight(path, methods)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "After-sales service API",
            "version": "1.0.0",
            "description": "Tickets, warranties, service and feedback for your customers.",
        },
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "responses": {
                "Problem": {
                    "description": "An RFC 9457 problem",
                    "content": {
                        "application/problem+json": {"schema": refs[(Problem, "serialization")]}
                    },
                }
            },
            "securitySchemes": {
                "secretKey": {"type": "http", "scheme": "bearer", "description": "sk_... key"},
                "platformKey": {"type": "http", "scheme": "bearer"},
                "widgetKey": {"type": "apiKey", "in": "header", "name": "X-Widget-Key"},
            },
        },
    }
