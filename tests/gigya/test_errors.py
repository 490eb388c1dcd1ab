"""The error catalogue (spec §7) and how engine errors map onto it."""

from __future__ import annotations

import pytest
from doppelgate.dialects.gigya.errors import ERROR_MESSAGES, GigyaError, from_exception
from doppelgate.dialects.gigya.wire import BadParam, status_of

from doppelgate.engine import (
    BackendUnavailable,
    DocumentTooLarge,
    DuplicateKey,
    InvalidDocument,
    InvalidFilter,
    InvalidUpdate,
)

SPEC_TABLE = {
    301001: "Invalid data center",
    400001: "Invalid request format",
    400002: "Missing required parameter",
    400004: "Invalid parameter format",
    400006: "Invalid parameter value",
    400009: "Validation error",
    400020: "Schema validation failed",
    400022: "Unique index validation",
    400023: "Invalid type validation",
    400024: "Dynamic fields validation",
    400025: "Write access validation",
    400026: "Invalid format validation",
    400029: "Schema conflict",
    400093: "Invalid ApiKey parameter",
    403000: "Forbidden",
    403002: "Request has expired",
    403003: "Invalid request signature",
    403004: "Duplicate nonce",
    403005: "Unauthorized user",
    403006: "Secret Sent Over Http",
    403007: "Permission denied",
    403010: "Invalid Secret",
    403036: "Unauthorized partner",
    403048: "Api rate limit exceeded",
    404000: "Not found",
    413003: "Object too large",
    500001: "General Server error",
    504001: "Timeout",
    504002: "Request Timeout",
}


def test_catalogue_matches_the_spec_table() -> None:
    for code, message in SPEC_TABLE.items():
        assert ERROR_MESSAGES[code] == message
    assert set(ERROR_MESSAGES) == {*SPEC_TABLE, 409030}


@pytest.mark.parametrize(
    ("code", "status", "reason"),
    [
        (0, 200, "OK"),
        (400006, 400, "Bad Request"),
        (403048, 403, "Forbidden"),
        (404000, 404, "Not Found"),
        (409030, 409, "Conflict"),
        (413003, 413, "Content Too Large"),
        (500001, 500, "Internal Server Error"),
        (504002, 504, "Gateway Timeout"),
        (301001, 301, "Moved Permanently"),
    ],
)
def test_status_is_code_over_1000(code: int, status: int, reason: str) -> None:
    got_status, got_reason = status_of(code)
    assert got_status == status
    assert got_reason in (reason, "Request Entity Too Large")  # phrase differs across Pythons


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (DuplicateKey("_uniq_1", {"_uniq": "x"}), 400022),
        (DocumentTooLarge(20, 10), 413003),
        (BackendUnavailable("down"), 500001),
        (InvalidFilter("bad"), 400006),
        (InvalidUpdate("bad"), 400006),
        (InvalidDocument("bad"), 400006),
        (BadParam(400001, "x"), 400001),
        (GigyaError(403048), 403048),
    ],
)
def test_engine_errors_map_to_vendor_codes(exc: Exception, code: int) -> None:
    error = from_exception(exc)
    assert error is not None and error.code == code
    assert error.details


def test_bugs_are_not_mapped() -> None:
    assert from_exception(RuntimeError("bug")) is None


def test_gigya_error_defaults_details_to_the_message() -> None:
    assert GigyaError(404000).details == "Not found"
