"""lightblue's console adapter (doppelgate's console, README): one view per entity, documents
read and written through the data service's find/save/insert/delete (spec §1)."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote

from doppelgate.console_adapter import (
    ConsoleAdapter,
    ConsoleError,
    Doc,
    VendorCall,
    View,
    json_object,
    parse_json,
)
from doppelgate.engine import Engine

from . import errors

DATA = "/rest/data"
EVERYTHING = {"field": "*", "recursive": True}


class LightblueConsole(ConsoleAdapter):
    """Data service (docs/lightblue.md): ("lightblue", user, "data.<collection>")."""

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
        return VendorCall("POST", f"{DATA}/find/{view.target}", self.credentials(tenant), json=body)

    def editable(self, view: View, doc: Doc) -> Any:
        return {k: v for k, v in doc.items() if not k.startswith(("_", "@")) or k == "_id"}

    def store(self, tenant: str, view: View, doc: Doc, body: Any) -> VendorCall:
        data = {**json_object(body, "the entity document"), "_id": doc["_id"]}
        body = {"data": data, "projection": EVERYTHING}
        return VendorCall("POST", f"{DATA}/save/{view.target}", self.credentials(tenant), json=body)

    def template(self, view: View) -> Any:
        return {"objectType": view.target}

    def add(self, tenant: str, view: View, body: Any) -> VendorCall:
        body = {"data": json_object(body, "the entity document"), "projection": EVERYTHING}
        return VendorCall(
            "PUT", f"{DATA}/insert/{view.target}", self.credentials(tenant), json=body
        )

    def delete(self, tenant: str, view: View, doc: Doc) -> VendorCall:
        body = {"query": self._by_id(doc)}
        return VendorCall(
            "POST", f"{DATA}/delete/{view.target}", self.credentials(tenant), json=body
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
            "POST", f"{DATA}/find/{path}", self.credentials(tenant), json=parse_json(text)
        )

    def fault_codes(self) -> list[str]:
        # the catalogue's error codes, e.g. "rest-crud:RestFindError" (spec §2.4)
        upper = {k: v for k, v in vars(errors).items() if k.isupper() and not k.startswith("_")}
        return sorted({v for v in upper.values() if isinstance(v, str) and ":" in v})


CONSOLE = LightblueConsole()
