"""lightblue's update expressions (§5) as engine (MongoDB) updates, applied step by step.

Each operation is translated against the document as it stands (later operations see earlier
effects): negative indices and `$valueof` resolve on the document, `$insert` is `$push` with
`$position`, `$append` is `$push` with `$each`, `$add` is `$inc`, removing array elements
(`$unset` of an index, `$foreach ... $remove`) is `$pull` or `$set` of the remaining array,
and `$foreach`'s nested update becomes updates of each matching element by position.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from doppelgate.engine.updates import apply_update

from . import errors as E
from .documents import typed_value
from .errors import LightblueError
from .query import Query
from .schema import Field, Schema, absolute, is_index
from .values import show
from .wire import Error

Doc = dict[str, Any]
MISSING: Any = object()


def check_shape(update: Any) -> list[dict[str, Any]]:
    """The operations of an update expression: one object or an array (§5)."""
    ops = update if isinstance(update, list) else [update]
    if not ops:
        raise LightblueError(E.INVALID_UPDATE, show(update))
    for op in ops:
        if not isinstance(op, dict) or len(op) != 1:
            raise LightblueError(E.INVALID_UPDATE, show(op))
        name, arg = next(iter(op.items()))
        if name in ("$set", "$add", "$append", "$insert") and not (isinstance(arg, dict) and arg):
            code = E.INVALID_SET if name in ("$set", "$add") else E.INVALID_ARRAY_UPDATE
            raise LightblueError(code, show(op))
        if name == "$unset" and not (
            isinstance(arg, str) or (isinstance(arg, list) and all(isinstance(p, str) for p in arg))
        ):
            raise LightblueError(E.INVALID_UNSET, show(op))
        if name == "$foreach":
            if not isinstance(arg, dict) or "$update" not in arg or len(arg) != 2:
                raise LightblueError(E.INVALID_ARRAY_UPDATE, show(op))
            if arg["$update"] != "$remove":
                check_shape(arg["$update"])
        if name not in ("$set", "$unset", "$add", "$append", "$insert", "$foreach"):
            raise LightblueError(E.INVALID_UPDATE, show(op))
    return ops


class Updater:
    """Applies one request's update expression to documents of one entity version."""

    def __init__(self, schema: Schema, update: Any) -> None:
        self.schema = schema
        self.ops = check_shape(update)
        self.query = Query(schema)
        self.errors: list[Error] = []  # values that did not cast, per document
        self.touched: list[list[str]] = []  # field paths written (for field access)
        self.dry = False

    def apply(self, doc: Doc) -> Doc:
        self.errors = []
        self.touched = []
        for op in self.ops:
            self._op(doc, op, [])
        return doc

    def check(self) -> None:
        """Path and shape errors, before any document is touched (on an empty document)."""
        self.dry = True
        try:
            self.apply({})
        finally:
            self.dry = False

    # -- paths -------------------------------------------------------------------------------

    def _steps(self, doc: Doc, path: str, context: list[str], code: str) -> list[str]:
        steps = absolute(path, context)
        out: list[str] = []
        for step in steps:
            if is_index(step) and step.startswith("-") and self.dry:
                step = "0"
            elif is_index(step) and step.startswith("-"):
                array = _get(doc, out)
                if not isinstance(array, list) or len(array) + int(step) < 0:
                    raise LightblueError(code, path)
                step = str(len(array) + int(step))
            out.append(step)
        self.schema.field(out)
        self.touched.append(out)
        return out

    def _field(self, steps: list[str]) -> Field:
        return self.schema.field(steps)

    def _rvalue(self, doc: Doc, field: Field, value: Any, context: list[str]) -> Any:
        if isinstance(value, dict) and set(value) == {"$valueof"}:
            source = absolute(str(value["$valueof"]), context)
            self.schema.field(source)
            return _get(doc, source)
        if value == "$null":
            return None
        return typed_value(field, value, [field.path], self.errors, "")

    # -- operations --------------------------------------------------------------------------

    def _op(self, doc: Doc, op: dict[str, Any], context: list[str]) -> None:
        name, arg = next(iter(op.items()))
        handler: Callable[[Doc, Any, list[str]], None] = getattr(self, "_" + name[1:])
        handler(doc, arg, context)

    def _set(self, doc: Doc, arg: dict[str, Any], context: list[str]) -> None:
        for path, rvalue in arg.items():
            steps = self._steps(doc, path, context, E.INVALID_SET)
            value = self._rvalue(doc, self._field(steps), rvalue, context)
            if not steps:  # `$set` on `$this` at the top: not a field
                raise LightblueError(E.INVALID_SET, path)
            if value is MISSING:  # a missing $valueof source removes the target (§5)
                self._remove(doc, steps)
            else:
                apply_update(doc, {"$set": {".".join(steps): value}}, inserting=False)

    def _unset(self, doc: Doc, arg: str | list[str], context: list[str]) -> None:
        for path in [arg] if isinstance(arg, str) else arg:
            self._remove(doc, self._steps(doc, path, context, E.INVALID_UNSET))

    def _remove(self, doc: Doc, steps: list[str]) -> None:
        if steps and is_index(steps[-1]):  # an element: removed, later ones shift (§5)
            array = _get(doc, steps[:-1])
            index = int(steps[-1])
            if isinstance(array, list) and index < len(array):
                rest = array[:index] + array[index + 1 :]
                apply_update(doc, {"$set": {".".join(steps[:-1]): rest}}, inserting=False)
            return
        apply_update(doc, {"$unset": {".".join(steps): ""}}, inserting=False)

    def _add(self, doc: Doc, arg: dict[str, Any], context: list[str]) -> None:
        for path, rvalue in arg.items():
            steps = self._steps(doc, path, context, E.INVALID_SET)
            field = self._field(steps)
            current = _get(doc, steps)
            if current is MISSING or current is None:
                continue  # no effect on an absent field (§5)
            amount = self._rvalue(doc, field, rvalue, context)
            if field.type not in ("integer", "double", "biginteger", "bigdecimal") or not (
                isinstance(amount, int | float) and not isinstance(amount, bool)
            ):
                raise LightblueError(E.INVALID_SET, show({path: rvalue}))
            apply_update(doc, {"$inc": {".".join(steps): amount}}, inserting=False)

    def _items(self, doc: Doc, field: Field, value: Any, context: list[str]) -> list[Any]:
        if field.type != "array" or field.items is None:
            raise LightblueError(E.INVALID_ARRAY_UPDATE, field.path)
        values = value if isinstance(value, list) else [value]
        return [self._rvalue(doc, field.items, v, context) for v in values]

    def _append(self, doc: Doc, arg: dict[str, Any], context: list[str]) -> None:
        for path, rvalue in arg.items():
            steps = self._steps(doc, path, context, E.INVALID_ARRAY_UPDATE)
            items = self._items(doc, self._field(steps), rvalue, context)
            target = ".".join(steps)
            if not isinstance(_get(doc, steps), list):  # a missing/null array is created
                apply_update(doc, {"$set": {target: []}}, inserting=False)
            apply_update(doc, {"$push": {target: {"$each": items}}}, inserting=False)

    def _insert(self, doc: Doc, arg: dict[str, Any], context: list[str]) -> None:
        for path, rvalue in arg.items():
            steps = self._steps(doc, path, context, E.INVALID_ARRAY_UPDATE)
            if not steps or not is_index(steps[-1]):
                raise LightblueError(E.INVALID_ARRAY_UPDATE, path)
            array_steps, index = steps[:-1], int(steps[-1])
            items = self._items(doc, self._field(array_steps), rvalue, context)
            target = ".".join(array_steps)
            current = _get(doc, array_steps)
            if not isinstance(current, list):
                apply_update(doc, {"$set": {target: []}}, inserting=False)
                current = []
            if index > len(current):  # pads with nulls up to N (§5)
                items = [None] * (index - len(current)) + items
            push = {"$each": items, "$position": index}
            apply_update(doc, {"$push": {target: push}}, inserting=False)

    def _foreach(self, doc: Doc, arg: dict[str, Any], context: list[str]) -> None:
        path, selector = next((k, v) for k, v in arg.items() if k != "$update")
        nested = arg["$update"]
        steps = self._steps(doc, path, context, E.INVALID_ARRAY_UPDATE)
        field = self._field(steps)
        if field.type != "array":
            raise LightblueError(E.INVALID_ARRAY_UPDATE, path)
        matches = None if selector == "$all" else self.query.element_predicate(selector, steps)
        for concrete in _expand(doc, steps):  # `x.*.y`: every nested array (update.md)
            self.touched.append(concrete)
            array = _get(doc, concrete)
            if not isinstance(array, list):
                continue
            chosen = [
                i for i in range(len(array)) if matches is None or matches(doc, [*concrete, str(i)])
            ]
            if nested == "$remove":
                if chosen:
                    gone = set(chosen)
                    rest = [e for i, e in enumerate(array) if i not in gone]
                    apply_update(doc, {"$set": {".".join(concrete): rest}}, inserting=False)
                continue
            for i in chosen:
                for op in check_shape(nested):
                    self._op(doc, op, [*concrete, str(i)])


def changed(old: Doc, new: Doc, steps: list[str]) -> bool:
    return bool(_get(old, steps) != _get(new, steps))


def _expand(doc: Any, steps: list[str]) -> list[list[str]]:
    """The concrete paths a path with `*` steps names in `doc` (one per existing element)."""
    if "*" not in steps:
        return [steps]
    at = steps.index("*")
    array = _get(doc, steps[:at])
    if not isinstance(array, list):
        return []
    out: list[list[str]] = []
    for i in range(len(array)):
        out += _expand(doc, [*steps[:at], str(i), *steps[at + 1 :]])
    return out


def _get(doc: Any, steps: list[str]) -> Any:
    node = doc
    for step in steps:
        if isinstance(node, dict) and step in node:
            node = node[step]
        elif isinstance(node, list) and is_index(step) and -len(node) <= int(step) < len(node):
            node = node[int(step)]
        else:
            return MISSING
    return node
