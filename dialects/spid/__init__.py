"""spid dialect: SPiD / Schibsted account API v2 data objects (docs/spid.md)."""

from doppelgate.dialect import Dialect

from .console import CONSOLE
from .errors import EXCEPTION_HANDLERS, fault_response, internal_error, not_found, too_large
from .operations import OPERATIONS, operation_of
from .routes import routes

DIALECT = Dialect(
    name="spid",
    prefix="/spid",
    # prod, PHP SDK prod default, stage/pre (spec §1)
    hosts=("login.schibsted.com", "payment.schibsted.no", "identity-pre.schibsted.com"),
    routes=routes,
    internal_error=internal_error,
    not_found=not_found,
    fault_response=fault_response,
    too_large=too_large,
    operations=OPERATIONS,
    operation_of=operation_of,
    position=2,  # where listings put it (health, console, metrics)
    exception_handlers=EXCEPTION_HANDLERS,
    console=CONSOLE,
)
