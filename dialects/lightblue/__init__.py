"""lightblue dialect: lightblue data and metadata services (docs/lightblue.md)."""

from doppelgate.dialect import Dialect

from .console import CONSOLE
from .errors import EXCEPTION_HANDLERS, fault_response, internal_error, not_found, too_large
from .routes import routes

DIALECT = Dialect(
    name="lightblue",
    prefix="/lightblue",
    hosts=(),  # self-hosted: no vendor host to know; its hosts are [dialects.lightblue] hosts
    routes=routes,
    internal_error=internal_error,
    not_found=not_found,
    fault_response=fault_response,
    too_large=too_large,
    position=4,  # where listings put it (health, console, metrics)
    console=CONSOLE,
    exception_handlers=EXCEPTION_HANDLERS,
)
