"""SPiD's /api/2 data-object endpoints (and the legacy ones of §3.7, and /oauth/token): path
matching, then the vendor's order of checks (spec §5.3): endpoint exists -> token -> IP -> rate
limit -> context client -> endpoint allowed -> the endpoint's own validation and work."""

from __future__ import annotations

from dataclasses import dataclass, replace

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from doppelgate.dialect import DialectContext, note

from .auth import Authenticator, token_of
from .endpoints import HANDLERS, LIST, USER_LIST, USER_OBJECT, Answer, Call
from .errors import Reply, answering, not_found
from .legacy import LEGACY_HANDLERS, OBJECTS, SODA, TRAIT, TRAITS
from .listing import offset_of
from .oauth import Issuer
from .options import spid_options
from .params import Params, effective_method, raw_segments, read_params
from .ratelimit import RateLimiter
from .service import Store
from .wire import Container, Debug, Meta, respond, signed
from .wire import Route as SpidRoute

ALL_HANDLERS = {**HANDLERS, **LEGACY_HANDLERS}
OBJECT = "DataObject"  # [inf] spec §5.1, §7.6: the container's object family here


@dataclass(frozen=True, slots=True)
class Target:
    route: SpidRoute
    userId: str = ""  # or the {id} of a SODA path
    key: str = ""  # or the {trait} of a trait path
    objectType: str = ""
    jsonp: bool = False  # only SODA has a .jsonp format (spec §3.7); data objects not (§5.2)


def match(segments: list[str]) -> Target | None:
    """`/api/2/<path>[.json]`; data objects have no other format (spec §1, §5.2)."""
    if segments[:2] != ["api", "2"]:
        return None
    rest = segments[2:]
    if rest and rest[-1].endswith(".jsonp"):
        rest[-1] = rest[-1].removesuffix(".jsonp")
        target = legacy_target(rest)
        # [inf] spec §7.8: an unsupported format is no such endpoint
        return replace(target, jsonp=True) if target and target.route is SODA else None
    if rest:
        rest[-1] = rest[-1].removesuffix(".json")
    if len(rest) > 1 and rest[-1] == "" and rest[-2] in ("dataobjects", "traits"):
        rest = rest[:-1]  # a trailing slash after a list
    if rest == ["dataobjects"]:
        return Target(LIST)
    if len(rest) == 3 and rest[0] == "user" and rest[2] == "dataobjects":
        return Target(USER_LIST, rest[1].strip())
    if len(rest) in (3, 4) and rest[0] == "user" and rest[2] == "dataobject":
        # a missing key segment is the endpoint's own 400 (spec §3.3-§3.5)
        return Target(USER_OBJECT, rest[1].strip(), rest[3] if len(rest) == 4 else "")
    return legacy_target(rest)


def legacy_target(rest: list[str]) -> Target | None:
    """Spec §3.7: /user/{id}/traits, /user/{id}/trait/{trait}, /{type}/{id}/do/{key}."""
    if len(rest) == 3 and rest[0] == "user" and rest[2] == "traits":
        return Target(TRAITS, rest[1].strip())
    if len(rest) == 4 and rest[0] == "user" and rest[2] == "trait":
        return Target(TRAIT, rest[1].strip(), rest[3])
    if len(rest) == 4 and rest[2] == "do":
        return Target(SODA, rest[1].strip(), rest[3], objectType=rest[0])
    return None


def success(reply: Reply, answer: Answer, offset: int) -> Response:
    collection = answer.collection
    container = Container(
        object=reply.family,
        type="collection" if collection else "element",
        code=answer.status,
        request=reply.limit,
        debug=Debug(route=reply.route),
        meta=Meta(count=len(answer.data), offset=offset) if collection else None,
        data=answer.data,
    )
    return respond(signed(container, reply.signatureSecret) if reply.signatureSecret else container)


def routes(ctx: DialectContext) -> list[BaseRoute]:
    options = spid_options(ctx.settings)
    issuer = Issuer(ctx.engine, options)
    auth = Authenticator(options, issuer)
    limiter = RateLimiter(ctx.engine, options)
    store = Store(ctx.engine, options)

    async def api(request: Request) -> Response:
        target = match(raw_segments(request))
        if target is None:
            return not_found(request)
        # errors raised from here on become the envelope in errors.EXCEPTION_HANDLERS
        family = OBJECTS.get(target.route.controller, OBJECT)
        reply = answering(request, Reply(target.route, family))
        params = await read_params(request)
        if target.jsonp:  # from here on: an unreadable body's error is not wrapped
            reply.jsonp, reply.callback = True, params.get("callback")
        return reply.wrap(await answer(request, reply, target, params))

    async def answer(request: Request, reply: Reply, target: Target, params: Params) -> Response:
        handler = ALL_HANDLERS.get((effective_method(request, params), target.route.controller))
        if handler is None:
            return not_found(request)  # a method the endpoint lacks: no such endpoint
        caller = await auth.caller(token_of(request, params))
        auth.check_ip(caller, request)
        reply.limit = await limiter.count(caller.clientId)
        caller = auth.context_client(caller, params)
        note(request, tenant=caller.clientId)  # for the control plane's journal
        auth.check_endpoint(caller, target.route.controller)
        reply.signatureSecret = options.client(caller.tokenClientId).signatureSecret
        call = Call(store, caller, params, target.userId, target.key, target.objectType)
        return success(reply, await handler(call), offset_of(params))

    methods = ["GET", "POST", "PUT", "DELETE"]
    return [
        Route("/api/2/{path:path}", api, methods=methods),
        Route("/oauth/token", issuer.endpoint, methods=["POST"]),
    ]
