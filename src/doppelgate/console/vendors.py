"""Each dialect's vendor requests for the console: read, store, delete, add and query a document
through the dialect's own API (so its validation and error envelopes apply), and which engine
collections hold vendor documents. Credentials are the permissive mode's: the tenant names them."""

from __future__ import annotations

import base64
import importlib
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from ..engine import Engine

Doc = dict[str, Any]


class ConsoleError(ValueError):
    """A console request that names no document, or input that is not what the vendor takes."""


@dataclass(frozen=True, slots=True)
class VendorCall:
    """One request to a dialect, relative to its mount (e.g. "ds.store")."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] | None = None
    json: Any = None
    query: dict[str, str] | None = None

    def encoded(self) -> tuple[str, bytes, dict[str, str]]:
        """(path with query string, body, headers) as a client would send them."""
        headers = dict(self.headers)
        body = b""
        if self.form is not None:
            body = urlencode(self.form, quote_via=quote).encode()
            headers["content-type"] = "application/x-www-form-urlencoded"
        elif self.json is not None:
            body = json.dumps(self.json).encode()
            headers["content-type"] = "application/json"
        path = self.path if not self.query else f"{self.path}?{urlencode(self.query)}"
        return path, body, headers


@dataclass(frozen=True, slots=True)
class View:
    """A browsable set of documents: an engine collection, maybe narrowed to one vendor type."""

    collection: str
    label: str
    target: str | None  # the vendor's name for it: Gigya type, Gainsight object, lightblue entity
    filter: Doc | None = None
    vendor: bool = True  # False: the dialect's own bookkeeping (schemas, tokens, ...), raw only
    versions: tuple[str, ...] = ()


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _object(body: Any, what: str) -> Doc:
    if not isinstance(body, dict):
        raise ConsoleError(f"{what} must be a JSON object")
    return body


class Gigya:
    """Data Store (specs/gigya-ds.md): ("gigya", apiKey, "objects"), one view per type."""

    def credentials(self, tenant: str) -> dict[str, str]:
        return {"apiKey": tenant, "secret": "doppelgate-console"}  # permissive: any secret

    async def views(self, engine: Engine, tenant: str, names: list[str]) -> list[View]:
        views = []
        if "objects" in names:
            types = await engine.collection("gigya", tenant, "schemas").find(
                projection={"_id": 1}, sort=[("_id", 1)]
            )
            views = [
                View("objects", str(t["_id"]), str(t["_id"]), {"type": t["_id"]}) for t in types
            ]
        return views + [View(n, n, None, vendor=False) for n in names if n != "objects"]

    def _key(self, tenant: str, doc: Doc) -> dict[str, str]:
        key = {**self.credentials(tenant), "type": doc["type"], "oid": doc["oid"]}
        return {**key, "UID": doc["UID"]} if doc.get("UID") else key

    def read(self, tenant: str, view: View, doc: Doc) -> VendorCall:
        return VendorCall("POST", "ds.get", form=self._key(tenant, doc))

    def editable(self, view: View, doc: Doc) -> Any:
        return doc.get("data", {})

    def store(self, tenant: str, view: View, doc: Doc, body: Any) -> VendorCall:
        form = {**self._key(tenant, doc), "data": _text(body)}  # Gigya itself checks it
        return VendorCall("POST", "ds.store", form={**form, "updateBehavior": "replace"})

    def template(self, view: View) -> Any:
        return {"oid": "auto", "data": {}}

    def add(self, tenant: str, view: View, body: Any) -> VendorCall:
        body = _object(body, "the new object ({oid, UID?, data})")
        form = {
            **self.credentials(tenant),
            "type": view.target or "",
            "oid": str(body.get("oid") or "auto"),
        }
        if body.get("UID"):
            form["UID"] = str(body["UID"])
        return VendorCall("POST", "ds.store", form={**form, "data": _text(body.get("data", {}))})

    def delete(self, tenant: str, view: View, doc: Doc) -> VendorCall:
        return VendorCall("POST", "ds.delete", form=self._key(tenant, doc))

    def query_hint(self) -> str:
        return "SELECT * FROM <type> WHERE ... (ds.search query)"

    def query(self, tenant: str, target: str, text: str) -> VendorCall:
        return VendorCall("POST", "ds.search", form={**self.credentials(tenant), "query": text})


class Spid:
    """Data objects (specs/spid-dataobjects.md): ("spid", clientId, "dataobjects")."""

    def credentials(self, tenant: str) -> dict[str, str]:
        return {"authorization": f"Bearer {tenant}"}  # permissive: a client token names it

    async def views(self, engine: Engine, tenant: str, names: list[str]) -> list[View]:
        return [
            View(n, "data objects", "dataobjects")
            if n == "dataobjects"
            else View(n, n, None, vendor=False)
            for n in names
        ]

    def _path(self, doc: Doc) -> str:
        user, key = quote(str(doc["userId"]), safe=""), quote(str(doc["key"]), safe="")
        return f"/api/2/user/{user}/dataobject/{key}"

    def read(self, tenant: str, view: View, doc: Doc) -> VendorCall:
        return VendorCall("GET", self._path(doc), self.credentials(tenant))

    def editable(self, view: View, doc: Doc) -> Any:
        return {"value": doc.get("value")}

    def store(self, tenant: str, view: View, doc: Doc, body: Any) -> VendorCall:
        value = _object(body, "the data object ({value})").get("value")
        return VendorCall(
            "POST", self._path(doc), self.credentials(tenant), form={"value": _text(value)}
        )

    def template(self, view: View) -> Any:
        return {"userId": "", "key": "", "value": ""}

    def add(self, tenant: str, view: View, body: Any) -> VendorCall:
        body = _object(body, "the new data object ({userId, key, value})")
        if not body.get("userId") or not body.get("key"):
            raise ConsoleError("a SPiD data object needs a userId and a key")
        return self.store(tenant, view, body, body)

    def delete(self, tenant: str, view: View, doc: Doc) -> VendorCall:
        return VendorCall("DELETE", self._path(doc), self.credentials(tenant))

    def query_hint(self) -> str:
        return "list parameters, e.g. key=color&limit=10 (target: a userId, or none: the client)"

    def query(self, tenant: str, target: str, text: str) -> VendorCall:
        path = (
            f"/api/2/user/{quote(target, safe='')}/dataobjects" if target else "/api/2/dataobjects"
        )
        return VendorCall(
            "GET", f"{path}?{text.lstrip('?')}" if text.strip() else path, self.credentials(tenant)
        )


GAINSIGHT_DATA = "/v1/data/objects"
GAINSIGHT_SYSTEM = ("_id", "_n", "Gsid", "CreatedDate", "CreatedBy", "ModifiedDate", "ModifiedBy")


class Gainsight:
    """Custom objects (specs/gainsight-custom-objects.md): ("gainsight", key, "rows:<object>")."""

    def credentials(self, tenant: str) -> dict[str, str]:
        return {"accesskey": tenant}  # permissive: the key is the tenant

    async def views(self, engine: Engine, tenant: str, names: list[str]) -> list[View]:
        standard = importlib.import_module("doppelgate.dialects.gainsight.standard").CANONICAL
        names_of: dict[str, str] = dict(standard)  # "company" -> "Company" (docs/gainsight.md §0)
        if "objects" in names:
            for d in await engine.collection("gainsight", tenant, "objects").find(
                projection={"name": 1}
            ):
                names_of[str(d["_id"])] = str(d.get("name") or d["_id"])
        out = []
        for n in names:
            if n.startswith("rows:"):
                lower = n.removeprefix("rows:")
                out.append(View(n, names_of.get(lower, lower), names_of.get(lower, lower)))
            else:
                out.append(View(n, n, None, vendor=False))
        return out

    def read(self, tenant: str, view: View, doc: Doc) -> VendorCall:
        return VendorCall(
            "GET", f"{GAINSIGHT_DATA}/{view.target}/{doc['Gsid']}", self.credentials(tenant)
        )

    def editable(self, view: View, doc: Doc) -> Any:
        return {k: v for k, v in doc.items() if k not in GAINSIGHT_SYSTEM}

    def store(self, tenant: str, view: View, doc: Doc, body: Any) -> VendorCall:
        record = {**_object(body, "the record"), "Gsid": doc["Gsid"]}
        return VendorCall(
            "PUT",
            f"{GAINSIGHT_DATA}/{view.target}",
            self.credentials(tenant),
            json={"records": [record]},
            query={"keys": "Gsid"},
        )

    def template(self, view: View) -> Any:
        return {}

    def add(self, tenant: str, view: View, body: Any) -> VendorCall:
        record = _object(body, "the record")
        return VendorCall(
            "POST",
            f"{GAINSIGHT_DATA}/{view.target}",
            self.credentials(tenant),
            json={"records": [record]},
        )

    def delete(self, tenant: str, view: View, doc: Doc) -> VendorCall:
        return VendorCall(
            "DELETE", f"{GAINSIGHT_DATA}/{view.target}/{doc['Gsid']}", self.credentials(tenant)
        )

    def query_hint(self) -> str:
        return 'read body, e.g. {"select": ["Name"], "limit": 10} (target: the object)'

    def query(self, tenant: str, target: str, text: str) -> VendorCall:
        if not target:
            raise ConsoleError("name the object to read")
        return VendorCall(
            "POST",
            f"{GAINSIGHT_DATA}/query/{quote(target, safe='')}",
            self.credentials(tenant),
            json=_json(text),
        )

    def schema(self, tenant: str, target: str) -> VendorCall:
        return VendorCall(
            "GET",
            f"/v1/meta/services/objects/{quote(target, safe='')}/describe",
            self.credentials(tenant),
        )


LIGHTBLUE_DATA = "/rest/data"
EVERYTHING = {"field": "*", "recursive": True}


class Lightblue:
    """Data service (specs/lightblue.md): ("lightblue", user, "data.<collection>")."""

    def credentials(self, tenant: str) -> dict[str, str]:
        token = base64.b64encode(f"{tenant}:doppelgate-console".encode()).decode()
        return {"authorization": f"Basic {token}"}  # permissive: the user names the tenant

    async def views(self, engine: Engine, tenant: str, names: list[str]) -> list[View]:
        entities: dict[str, list[str]] = {}  # collection -> entity names
        versions: dict[str, list[str]] = {}
        if "_metadata" in names:
            for d in await engine.collection("lightblue", tenant, "_metadata").find():
                if d.get("kind") == "info":
                    info = (
                        json.loads(d["entityInfo"])
                        if isinstance(d["entityInfo"], str)
                        else d["entityInfo"]
                    )
                    coll = (info.get("datastore") or {}).get("collection") or d["name"]
                    entities.setdefault(f"data.{coll}", []).append(str(d["name"]))
                elif d.get("kind") == "schema":
                    versions.setdefault(str(d["name"]), []).append(str(d["_id"]).rpartition(":")[2])
        out = []
        for n in names:
            for entity in entities.get(n, []) if n.startswith("data.") else []:
                out.append(
                    View(n, entity, entity, versions=tuple(sorted(versions.get(entity, []))))
                )
            if not n.startswith("data.") or n not in entities:
                out.append(View(n, n, None, vendor=False))
        return out

    def _by_id(self, doc: Doc) -> Doc:
        return {"field": "_id", "op": "=", "rvalue": doc["_id"]}

    def read(self, tenant: str, view: View, doc: Doc) -> VendorCall:
        body = {"query": self._by_id(doc), "projection": EVERYTHING}
        return VendorCall(
            "POST", f"{LIGHTBLUE_DATA}/find/{view.target}", self.credentials(tenant), json=body
        )

    def editable(self, view: View, doc: Doc) -> Any:
        return {k: v for k, v in doc.items() if not k.startswith(("_", "@")) or k == "_id"}

    def store(self, tenant: str, view: View, doc: Doc, body: Any) -> VendorCall:
        data = {**_object(body, "the entity document"), "_id": doc["_id"]}
        body = {"data": data, "projection": EVERYTHING}
        return VendorCall(
            "POST", f"{LIGHTBLUE_DATA}/save/{view.target}", self.credentials(tenant), json=body
        )

    def template(self, view: View) -> Any:
        return {"objectType": view.target}

    def add(self, tenant: str, view: View, body: Any) -> VendorCall:
        body = {"data": _object(body, "the entity document"), "projection": EVERYTHING}
        return VendorCall(
            "PUT", f"{LIGHTBLUE_DATA}/insert/{view.target}", self.credentials(tenant), json=body
        )

    def delete(self, tenant: str, view: View, doc: Doc) -> VendorCall:
        body = {"query": self._by_id(doc)}
        return VendorCall(
            "POST", f"{LIGHTBLUE_DATA}/delete/{view.target}", self.credentials(tenant), json=body
        )

    def query_hint(self) -> str:
        return (
            'find body, e.g. {"query": {"field": "name", "op": "=", "rvalue": "x"}, '
            '"projection": {"field": "*", "recursive": true}} (target: entity[/version])'
        )

    def query(self, tenant: str, target: str, text: str) -> VendorCall:
        if not target:
            raise ConsoleError("name the entity to find (entity or entity/version)")
        path = "/".join(quote(p, safe="") for p in target.split("/", 1))
        return VendorCall(
            "POST", f"{LIGHTBLUE_DATA}/find/{path}", self.credentials(tenant), json=_json(text)
        )


def _json(text: str) -> Any:
    try:
        return json.loads(text) if text.strip() else {}
    except ValueError as exc:
        raise ConsoleError(f"not JSON: {exc}") from None


Adapter = Gigya | Spid | Gainsight | Lightblue
ADAPTERS: dict[str, Adapter] = {
    "gigya": Gigya(),
    "spid": Spid(),
    "gainsight": Gainsight(),
    "lightblue": Lightblue(),
}
