"""OpenAPI additions: the API-key security scheme and the one error body documented on every operation."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

ERROR_STATUSES = {
    "400": "Bad input",
    "401": "Not authenticated, or the key is not valid",
    "403": "Not allowed (role, scope, or a refused action)",
    "404": "Not found, or not visible to you",
    "409": "Conflict with the current state",
    "422": "Idempotency-Key reused for a different request",
    "429": "Too many requests",
}

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every 4xx answer has this shape.",
    "properties": {
        "code": {"type": "string", "description": "stable machine-readable code"},
        "message": {"type": "string", "description": "translated, safe to show"},
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
                   "description": "errors per input field"},
    },
    "required": ["code", "message", "fields"],
}


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "partners.api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "rk_<prefix>_<secret>",
                "description": "An API key created by an administrator, or a personal token."}


def document_errors(result, generator, request, public):
    """Postprocessing hook: add the error component and reference it for each 4xx of every operation."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path, path_item in result.get("paths", {}).items():
        for method, operation in path_item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for code, text in ERROR_STATUSES.items():
                responses.setdefault(code, {"description": text, "content": {"application/json": {"schema": ref}}})
            parameters = operation.setdefault("parameters", [])
            if method == "get" and path.endswith("}/"):
                responses.setdefault("304", {"description": "Not modified (If-None-Match matched the ETag)"})
                parameters.append({"in": "header", "name": "If-None-Match", "required": False,
                                   "schema": {"type": "string"},
                                   "description": "the ETag of a previous answer; 304 when unchanged"})
            if method == "post":
                parameters.append({"in": "header", "name": "Idempotency-Key", "required": False,
                                   "schema": {"type": "string", "pattern": "^[!-~]{1,200}$"},
                                   "description": "a repeat with the same key and body replays the first answer; "
                                                  "another body with the same key answers 422"})
    return result

