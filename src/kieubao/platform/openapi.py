"""The OpenAPI document tells the whole truth about refusals: every operation may answer with
RFC 9457 problem details (``application/problem+json``) for the reasons listed here, and an
operation that needs a signed-in caller says so with the bearer scheme and its 401."""

import re
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import FastAPI, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from kieubao.platform.deps import Allow

PROBLEM = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "What is wrong with which field, when the input is at fault.",
            "items": {
                "type": "object",
                "required": ["field", "reason"],
                "properties": {"field": {"type": "string"}, "reason": {"type": "string"}},
            },
        },
    },
}
# Any operation: the input, the record asked for, the caller's role, the database.
REFUSALS = {
    "400": "The request cannot be understood.",
    "403": "The caller's role may not do this, or the request came from another site.",
    "404": "No such record, or none the caller may see.",
    "409": "The record's state does not allow this now.",
    "413": "The request body is too large.",
    "422": "The input is invalid: each field at fault is named in `errors`.",
    "429": "Too many requests: try again later.",
    "503": "The database is unavailable for a moment: nothing was saved, retry after the "
    "Retry-After header's seconds.",
    "507": "The server's storage is full: nothing was saved.",
}
UNSIGNED = {"401": "No valid bearer token: missing, unknown, expired or revoked."}
BEARER = {
    "type": "http",
    "scheme": "bearer",
    "description": "A token from `kieubao tokens create`.",
}


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _complete(FastAPI.openapi(app), _signed_in(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _signed_in(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every operation that needs a signed-in caller."""
    return {
        (method.lower(), re.sub(r"\{(\w+):\w+\}", r"{\1}", path))  # as the document writes it
        for path, route in _routes(app.routes, "")
        if _needs_user(route.dependant)
        for method in route.methods or ()
    }


def _routes(routes: Iterable[BaseRoute], prefix: str) -> Iterator[tuple[str, APIRoute]]:
    # Included routers stay nested, each with the prefix it was included under.
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        elif (router := getattr(route, "original_router", None)) is not None:
            included: str = route.include_context.prefix  # type: ignore[attr-defined]
            yield from _routes(router.routes, prefix + included)


def _needs_user(dependant: Dependant) -> bool:
    return any(isinstance(d.call, Allow) or _needs_user(d) for d in dependant.dependencies)


def _complete(schema: dict[str, Any], signed_in: set[tuple[str, str]]) -> dict[str, Any]:
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM
    components.setdefault("securitySchemes", {})["bearer"] = BEARER
    for schemas in ("HTTPValidationError", "ValidationError"):
        components["schemas"].pop(schemas, None)  # answered as problems instead
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    components["responses"] = {
        f"Problem{status}": {"description": description, "content": problem}
        for status, description in (REFUSALS | UNSIGNED).items()
    }
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            statuses = list(REFUSALS)
            if (method, path) in signed_in:
                statuses += list(UNSIGNED)
                operation["security"] = [{"bearer": []}]
            responses = operation.setdefault("responses", {})
            for status in statuses:
                responses[status] = {"$ref": f"#/components/responses/Problem{status}"}
    return schema


def document(media_type: str, what: str) -> dict[str, Any]:
    """A route's arguments when it answers with a file: its type in the schema, not JSON."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {
        "response_class": Response,
        "responses": {200: {"description": what, "content": {media_type: binary}}},
    }
