"""lightblue's error catalogue (spec §2.4), its exceptions, and the one place they become responses.

Errors are raised where they happen; the handlers at the end (the DIALECT's exception_handlers)
turn them into lightblue's envelope: a data call's into its envelope or bare failure (§2.2), a
metadata call's into a bare error object with status 200 (§1.2), any other data route's into
`{"errors": [...], "status": "ERROR"}` with 500 (§1.4).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from doppelgate.dialect import ExceptionHandler, vendor_path

from .wire import Envelope, Error, FailedCall, respond

# -- request / REST
REST_ERROR = "rest-crud:RestError"
REST_FIND_ERROR = "rest-crud:RestFindError"
REST_INSERT_ERROR = "rest-crud:RestInsertError"
REST_UPDATE_ERROR = "rest-crud:RestUpdateError"
REST_SAVE_ERROR = "rest-crud:RestSaveError"
REST_DELETE_ERROR = "rest-crud:RestDeleteError"
REST_GENERATE_ERROR = "rest-crud:RestGenerateError"
NO_ENTITY_MATCH = "rest-crud:NoEntityMatch"
NO_VERSION_MATCH = "rest-crud:NoVersionMatch"
SAVED_SEARCH_ERROR = "rest-crud:SavedSearchError"
# -- expression parsing
INVALID_QUERY = "query-api:InvalidQuery"
INVALID_COMPARISON = "query-api:InvalidComparisonExpression"
INVALID_LOGICAL = "query-api:InvalidLogicalExpression"
INVALID_REGEX = "query-api:InvalidRegexExpression"
INVALID_ARRAY_COMPARISON = "query-api:InvalidArrayComparisonExpression"
INVALID_PROJECTION = "query-api:InvalidProjection"
INVALID_ARRAY_RANGE_PROJECTION = "query-api:InvalidArrayRangeProjection"
INVALID_SORT = "query-api:InvalidSort"
INVALID_UPDATE = "query-api:InvalidUpdateExpression"
INVALID_SET = "query-api:InvalidSetExpression"
INVALID_UNSET = "query-api:InvalidUnsetExpression"
INVALID_ARRAY_UPDATE = "query-api:InvalidArrayUpdateExpression"
INVALID_RVALUE = "query-api:InvalidRValueExpression"
INVALID_VALUE = "query-api:InvalidValue"
# -- entity resolution and access
UNKNOWN_ENTITY = "crud:UnknownEntity"
DISABLED_VERSION = "crud:DisabledMetadataVersion"
UNKNOWN_VERSION = "mongo-metadata:UnknownVersion"
NO_VERSION = "crud"  # no version given and no default: code "crud", msg "version" (§2.4)
NO_ACCESS = "crud:NoAccess"
INSERT_NO_FIELD_ACCESS = "crud:insert:NoFieldAccess"
UPDATE_NO_FIELD_ACCESS = "crud:update:NoFieldAccess"
# -- document validation (dataErrors)
REQUIRED = "crud:Required"
TOO_SHORT = "crud:TooShort"
TOO_LONG = "crud:TooLong"
VALUE_TOO_SMALL = "crud:ValueTooSmall"
VALUE_TOO_LARGE = "crud:ValueTooLarge"
ARRAY_TOO_SMALL = "crud:ArrayTooSmall"
ARRAY_TOO_LARGE = "crud:ArrayTooLarge"
INVALID_ENUM = "crud:InvalidEnum"
INVALID_ENTITY = "crud:InvalidEntity"
DUPLICATE_ARRAY_ELEMENT_ID = "crud:DuplicateArrayElementId"
# -- fields and types
INVALID_FIELD_REFERENCE = "metadata:InvalidFieldReference"
INVALID_ARRAY_REFERENCE = "metadata:InvalidArrayReference"
INCOMPATIBLE_VALUE = "metadata:IncompatibleValue"
INVALID_COMPARISON_TYPE = "mongo-translation:invalid-comparison"
INVALID_FIELD = "mongo-translation:invalid-field"
# -- storage
DUPLICATE = "mongo-crud:Duplicate"
SAVE_ERROR = "mongo-crud:SaveError"
NO_UPSERT = "mongo-crud:SaveError:InsertionAttemptWithNoUpsert"
UPDATE_ERROR = "mongo-crud:UpdateError"
CONCURRENT_UPDATE = "mongo-crud:ConcurrentUpdate"
NULL_QUERY = "mongo-crud:NullQuery"
INVALID_LOCKING_DOMAIN = "mongo-crud:InvalidLockingDomain"
RESULT_SIZE_TOO_LARGE = "crud:ResultSizeTooLarge"
# -- metadata
NO_NAME_MATCH = "rest-metadata:NoNameMatch"
META_NO_VERSION_MATCH = "rest-metadata:NoVersionMatch"
NO_ENTITY_NAME = "rest-metadata:NoEntityName"
NO_ENTITY_VERSION = "rest-metadata:NoEntityVersion"
METADATA_REST_ERROR = "rest-metadata:RestError"
DUPLICATE_METADATA = "mongo-metadata:DuplicateMetadata"
MISSING_ENTITY_INFO = "mongo-metadata:MissingEntityInfo"
CANNOT_DELETE_ENTITY = "mongo-metadata:CannotDeleteEntity"
DISABLED_DEFAULT_VERSION = "mongo-metadata:DisabledDefaultVersion"
INVALID_VERSION_NUMBER = "metadata:InvalidVersionNumber"
INVALID_DEFAULT_VERSION = "metadata:InvalidDefaultVersion"
PARSE_MISSING_ELEMENT = "metadata:ParseMissingElement"
ILL_FORMED_METADATA = "metadata:IllFormedMetadata"
INVALID_TYPE = "metadata:InvalidType"
DUPLICATE_FIELD = "metadata:DuplicateField"
METADATA_INVALID_ENUM = "metadata:InvalidEnum"
NO_METADATA = "ERR_NO_METADATA"  # roles of an entity without (default) metadata (§2.4)

# HTTP status of a data-service response, by its first top-level error (spec §1.4)
HTTP_STATUS: dict[str, int] = {
    NO_ACCESS: 403,
    INSERT_NO_FIELD_ACCESS: 403,
    UPDATE_NO_FIELD_ACCESS: 403,
    UNKNOWN_ENTITY: 404,
    DISABLED_VERSION: 404,
}

# expression parse errors that find/explain mask as RestFindError (spec §2.4)
PARSE_ERRORS = frozenset(
    {
        INVALID_QUERY,
        INVALID_COMPARISON,
        INVALID_LOGICAL,
        INVALID_REGEX,
        INVALID_ARRAY_COMPARISON,
        INVALID_PROJECTION,
        INVALID_ARRAY_RANGE_PROJECTION,
        INVALID_SORT,
        INVALID_RVALUE,
        INVALID_VALUE,
    }
)


class LightblueError(Exception):
    """A request-level error: becomes one entry of `errors` (or a bare metadata error)."""

    def __init__(self, code: str, msg: str | None = None, context: str | None = None) -> None:
        super().__init__(f"{code}: {msg}")
        self.code = code
        self.msg = msg
        self.context = context

    def wire(self, context: str | None = None) -> Error:
        ctx = self.context or context
        return Error(errorCode=self.code, msg=_opt(self.msg), context=_opt(ctx or None))


def _opt(text: str | None) -> str | msgspec.UnsetType:
    return text if text is not None else msgspec.UNSET


def http_status(errors: list[Error]) -> int:
    """§1.4: the first top-level error decides; dataErrors never count."""
    return HTTP_STATUS.get(errors[0].errorCode, 500) if errors else 200


def is_metadata(request: Request) -> bool:
    # clients use base URLs .../rest/metadata; the docs write /metadata/... (spec §1)
    return vendor_path(request).startswith(("/metadata", "/rest/metadata"))


def internal_error(request: Request, request_id: str) -> Response:
    msg = f"Internal error (request {request_id})"
    if is_metadata(request):
        # metadata endpoints always answer 200 with a bare error object (spec §1.2)
        return respond(Error(errorCode=METADATA_REST_ERROR, msg=msg), 200)
    return respond(FailedCall([Error(errorCode=REST_ERROR, msg=msg)]), 500)  # §1.4: other -> 500


def not_found(request: Request) -> Response:
    # JAX-RS answers an unmatched path with 404; the body shape is our choice [inf]
    return rest_error(
        request, f"Could not find resource for {request.method} {vendor_path(request)}", 404
    )


def too_large(request: Request, limit: int) -> Response:
    # the servlet container's 413, in the REST layer's error shape [inf]
    return rest_error(request, f"Request body over {limit} bytes", 413)


def rest_error(request: Request, msg: str, status: int) -> Response:
    if is_metadata(request):
        return respond(Error(errorCode=METADATA_REST_ERROR, msg=msg), status)
    return respond(FailedCall([Error(errorCode=REST_ERROR, msg=msg)]), status)


def fault_response(request: Request, code: str) -> Response:
    """An injected fault (doppelgate's control plane): any code of the catalogue above, e.g.
    "mongo-crud:ConcurrentUpdate". Data calls get FailedCall with the code's status (§1.4),
    metadata calls the bare error object with 200 (§1.2)."""
    known = {v for k, v in globals().items() if k.isupper() and isinstance(v, str)}
    if code not in known:
        raise ValueError(f"not a lightblue error code: {code!r}")
    error = Error(errorCode=code, msg=f"{code} (injected fault)")
    if is_metadata(request):
        return respond(error, 200)
    return respond(FailedCall([error]), http_status([error]))


# -- the handlers: lightblue's errors as responses, once -------------------------------------


class Call(Protocol):
    """What a failed data call contributes to its answer (calls.Outcome)."""

    @property
    def context(self) -> str: ...

    def fail(self, exc: LightblueError) -> None: ...

    def envelope(self) -> Envelope: ...


class CallFailed(Exception):
    """A data call stopped by a request-level error, with what the call had done so far.
    `bare`: it failed before the engine ran, so the answer is only {errors, status} (§2.2)."""

    def __init__(self, call: Call, error: LightblueError, *, bare: bool) -> None:
        super().__init__(str(error))
        self.call = call
        self.error = error
        self.bare = bare


def answer(failed: CallFailed) -> tuple[Envelope | FailedCall, int]:
    """A failed data call's body and status: over REST, and for its entry inside /bulk."""
    if failed.bare:
        return FailedCall([failed.error.wire(failed.call.context)]), 500
    failed.call.fail(failed.error)
    envelope = failed.call.envelope()
    return envelope, http_status(envelope.errors if isinstance(envelope.errors, list) else [])


def metadata_context(request: Request) -> str:
    """The trail of a metadata call: `rest/<METHOD>/<entity>/<version>` (§1.2)."""
    p = request.path_params
    parts = [p.get(k) for k in ("entity", "version") if p.get(k)]
    return "/".join(["rest", request.method, *parts])


async def call_failed(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CallFailed)
    return respond(*answer(exc))


async def lightblue_error(request: Request, exc: Exception) -> Response:
    """An error outside a data call: a metadata call, a lock, a request not yet a call."""
    assert isinstance(exc, LightblueError)
    if is_metadata(request):
        return respond(exc.wire(metadata_context(request)), 200)
    return respond(FailedCall([exc.wire()]), 500)


EXCEPTION_HANDLERS: Mapping[type[Exception], ExceptionHandler] = {
    CallFailed: call_failed,
    LightblueError: lightblue_error,
}
