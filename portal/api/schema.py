"""OpenAPI helpers shared by every API view: problem responses and the Idempotency-Key header."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from .errors import PROBLEM_CONTENT_TYPE, ProblemSerializer

DESCRIPTIONS = {
    400: "Invalid input: `errors` names each field or query parameter.",
    401: "No credentials, or a revoked or unknown token.",
    403: "Signed in, but this role may not do this.",
    404: "Not found, or not visible to this user or token (never a 403 for another's dossier).",
    409: "Not possible in the current state (or the same Idempotency-Key is still in progress).",
    415: "Unsupported content type.",
    422: "The Idempotency-Key was already used with a different request.",
    429: "Too many requests: see Retry-After.",
}


def problems(*codes: int) -> dict:
    """Error responses for extend_schema(responses=...): every one a problem+json body."""
    return {
        (code, PROBLEM_CONTENT_TYPE): OpenApiResponse(ProblemSerializer, description=DESCRIPTIONS[code])
        for code in codes
    }


def responses(ok: dict, *codes: int) -> dict:
    return {**ok, **problems(*codes, 429)}


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "A unique key (e.g. a UUID, at most 255 characters) that makes this POST safe to retry: the same key "
        "with the same body returns the stored response with `Idempotent-Replayed: true`; with another body, 422."
    ),
)


# Column limits that Django's integer validators take from the database in use: SQLite reports
# 64 bits for every integer column, PostgreSQL the column's own size. They are storage details,
# not the contract, and the committed schema must not depend on the database it was made with.
_DATABASE_INTEGER_LIMITS = {32767, 2147483647, 9223372036854775807}


def drop_database_integer_limits(result, generator, request, public):
    """drf-spectacular postprocessing hook: remove maxima (and the int64 format they imply) and
    minima that are only a database column's range."""

    def visit(node):
        if isinstance(node, dict):
            if node.get("type") == "integer" and node.get("maximum") in _DATABASE_INTEGER_LIMITS:
                del node["maximum"]
                node.pop("format", None)
                if node.get("minimum") in {-(limit + 1) for limit in _DATABASE_INTEGER_LIMITS}:
                    del node["minimum"]
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(result.get("components", {}))
    visit(result.get("paths", {}))
    return result
