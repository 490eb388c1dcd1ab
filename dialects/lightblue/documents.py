"""Documents against their metadata: type casting, `<array>#` counts and constraints (§5, §6)."""

from __future__ import annotations

from typing import Any

from doppelgate.engine import RegexTimeout
from doppelgate.engine.budget import bounded
from doppelgate.engine.core import new_id
from doppelgate.limits import clip

from . import errors as E
from .errors import LightblueError
from .schema import Field, Schema, split
from .values import cast, number_out, show
from .wire import Error

HIDDEN = "@mongoHidden"  # document version bookkeeping, as lightblue-mongo keeps it


def typed(schema: Schema, doc: dict[str, Any], errors: list[Error], context: str) -> dict[str, Any]:
    """`doc` with every value cast to its field's type; a field the metadata lacks fails the
    whole request (metadata:InvalidFieldReference), a value that does not cast fails the
    document (`errors`)."""
    return _object(schema.root, doc, [], errors, context)  # a client's HIDDEN is dropped


def _object(
    field: Field, value: dict[str, Any], path: list[str], errors: list[Error], context: str
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key == HIDDEN and not path:
            continue
        child = field.fields.get(key)
        if child is None:
            where = ".".join([*path, key])
            raise LightblueError(E.INVALID_FIELD_REFERENCE, f"{key} in {where}")
        if child.type == "reference" or _marker(child):
            continue  # a join evaluated on find / filled on read: never stored (§6)
        out[key] = typed_value(child, item, [*path, key], errors, context)
    return out


def _marker(field: Field) -> bool:
    return field.spec.get("documentVersion") is True or field.spec.get("resultMetadata") is True


def typed_value(
    field: Field, value: Any, path: list[str], errors: list[Error], context: str
) -> Any:
    if value is None:
        return None
    if field.type == "object":
        if not isinstance(value, dict):
            return _mistyped(field, value, path, errors, context)
        return _object(field, value, path, errors, context)
    if field.type == "array":
        if not isinstance(value, list):
            return _mistyped(field, value, path, errors, context)
        assert field.items is not None
        return [
            typed_value(field.items, e, [*path, str(i)], errors, context)
            for i, e in enumerate(value)
        ]
    if field.type == "reference":
        return None  # not writable (§6)
    try:
        return cast(field, value)
    except LightblueError as exc:  # a value that does not cast is this document's dataError
        errors.append(Error(errorCode=exc.code, msg=exc.msg or "", context=context))
        return value


def _mistyped(field: Field, value: Any, path: list[str], errors: list[Error], context: str) -> Any:
    errors.append(
        Error(errorCode=E.INVALID_FIELD, msg=f"{'.'.join(path)}:{show(value)}", context=context)
    )
    return value


def hidden(schema: Schema, doc: dict[str, Any]) -> dict[str, Any]:
    """`@mongoHidden`: a fresh document version, and the lower-cased value of every
    caseInsensitive index field (what the unique index holds) (§5, §6 indexes)."""
    out: dict[str, Any] = {"docver": new_id()}
    for path in schema.case_insensitive():
        value: Any = doc
        for step in split(path):
            value = value.get(step) if isinstance(value, dict) else None
        if isinstance(value, str):
            node = out
            steps = split(path)
            for step in steps[:-1]:
                node = node.setdefault(step, {})
            node[steps[-1]] = value.lower()
    return out


def set_counts(schema: Schema, doc: dict[str, Any]) -> None:
    """Every `<array>#` equals its array's length after a write (§5)."""
    _counts(schema.root, doc)


def _counts(field: Field, obj: dict[str, Any]) -> None:
    for name, child in field.fields.items():
        value = obj.get(name)
        if child.type == "array" and not name.endswith("#"):
            count = f"{name}#"
            if isinstance(value, list):
                if count in field.fields:
                    obj[count] = len(value)
                assert child.items is not None
                if child.items.type == "object":
                    for e in value:
                        if isinstance(e, dict):
                            _counts(child.items, e)
            else:
                obj.pop(count, None)
        elif child.type == "object" and isinstance(value, dict):
            _counts(child, value)


# -- constraints -----------------------------------------------------------------------------


def validate(schema: Schema, doc: dict[str, Any], context: str) -> list[Error]:
    """Constraint violations of a (typed) document, in field order (§6)."""
    errors: list[Error] = []
    _check_object(schema, schema.root, doc, [], errors, f"{context}/validateDoc")
    return errors


def _check_object(
    schema: Schema,
    field: Field,
    obj: dict[str, Any],
    path: list[str],
    errors: list[Error],
    context: str,
) -> None:
    for name, child in field.fields.items():
        where = [*path, name]
        value = obj.get(name)
        _check(schema, child, value, where, errors, context)
        if child.type == "object" and isinstance(value, dict):
            _check_object(schema, child, value, where, errors, context)
        elif child.type == "array" and isinstance(value, list):
            assert child.items is not None
            for i, e in enumerate(value):
                ipath = [*where, str(i)]
                _check(schema, child.items, e, ipath, errors, context)
                if child.items.type == "object" and isinstance(e, dict):
                    _check_object(schema, child.items, e, ipath, errors, context)


def _full_match(pattern: str, value: str) -> bool:
    """`matches` (§ constraints): a full match, time-limited; a runaway pattern fails the value."""
    try:
        return bounded(pattern).fullmatch(value) is not None
    except (ValueError, RegexTimeout):
        return False


def _error(code: str, msg: str, path: list[str], constraint: str, context: str) -> Error:
    where = ".".join(path)
    # the bad value as msg: a prefix of it at most (doppelgate.limits.clip)
    return Error(errorCode=code, msg=str(clip(msg)), context=f"{context}/{where}/{constraint}")


def _check(
    schema: Schema, field: Field, value: Any, path: list[str], errors: list[Error], context: str
) -> None:
    c = field.constraints
    where = ".".join(path)
    if value is None:
        if c.get("required") is True or c.get("identity") is True:
            errors.append(_error(E.REQUIRED, where, path, "required", context))
        return
    shown = show(value)
    if isinstance(value, str):
        if isinstance(c.get("minLength"), int) and len(value) < c["minLength"]:
            errors.append(_error(E.TOO_SHORT, shown, path, "minLength", context))
        if isinstance(c.get("maxLength"), int) and len(value) > c["maxLength"]:
            errors.append(_error(E.TOO_LONG, shown, path, "maxLength", context))
        pattern = c.get("matches")
        if isinstance(pattern, str) and value and not _full_match(pattern, value):
            errors.append(_error(E.INVALID_ENTITY, shown, path, "matches", context))
    if isinstance(value, int | float) and not isinstance(value, bool):
        low, high = c.get("minimum"), c.get("maximum")
        if isinstance(low, int | float) and value < low:
            errors.append(_error(E.VALUE_TOO_SMALL, shown, path, "minimum", context))
        if isinstance(high, int | float) and value > high:
            errors.append(_error(E.VALUE_TOO_LARGE, shown, path, "maximum", context))
    if isinstance(value, list):
        if isinstance(c.get("minItems"), int) and len(value) < c["minItems"]:
            errors.append(_error(E.ARRAY_TOO_SMALL, shown, path, "minItems", context))
        if isinstance(c.get("maxItems"), int) and len(value) > c["maxItems"]:
            errors.append(_error(E.ARRAY_TOO_LARGE, shown, path, "maxItems", context))
        _check_element_identity(field, value, path, errors, context)
    enum = c.get("enum")
    if isinstance(enum, str):
        allowed = schema.enum_values(enum) or []
        if value not in allowed:
            errors.append(_error(E.INVALID_ENUM, shown, path, "enum", context))


def _check_element_identity(
    field: Field, value: list[Any], path: list[str], errors: list[Error], context: str
) -> None:
    """ArrayElementIdChecker: each element-identity field is required in every element and
    unique; a duplicate's msg is the value as text (§6)."""
    if field.items is None or field.items.type != "object":
        return
    keys = [n for n, f in field.items.fields.items() if f.constraints.get("element-identity")]
    for key in keys:
        seen: set[str] = set()
        for i, e in enumerate(value):
            if not isinstance(e, dict):
                continue
            where = [*path, str(i), key]
            if e.get(key) is None:
                errors.append(
                    _error(E.REQUIRED, ".".join(where), where, "element-identity", context)
                )
                continue
            text = show(e[key])
            if text in seen:
                errors.append(
                    _error(E.DUPLICATE_ARRAY_ELEMENT_ID, text, where, "element-identity", context)
                )
            seen.add(text)


def numbers_out(node: Field, value: Any) -> Any:
    """bigdecimal/biginteger values, stored as text, back to JSON numbers (§7)."""
    if node.type in ("bigdecimal", "biginteger"):
        return number_out(node, value)
    if node.type == "object" and isinstance(value, dict):
        out = {}
        for key, item in value.items():
            child = node.fields.get(key)
            out[key] = numbers_out(child, item) if child is not None else item
        return out
    if node.type == "array" and isinstance(value, list) and node.items is not None:
        return [numbers_out(node.items, item) for item in value]
    return value
