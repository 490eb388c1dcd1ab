"""gainsight dialect: Gainsight CS custom object and company APIs (gainsight-custom-objects.md)."""

from doppelgate.dialect import Dialect

from .console import CONSOLE
from .errors import EXCEPTION_HANDLERS, fault_response, internal_error, not_found, too_large
from .routes import routes

DIALECT = Dialect(
    name="gainsight",
    prefix="/gainsight",
    hosts=("*.gainsightcloud.com",),  # the tenant's <sub>.gainsightcloud.com (spec §0)
    routes=routes,
    internal_error=internal_error,
    not_found=not_found,
    fault_response=fault_response,
    too_large=too_large,
    position=3,  # where listings put it (health, console, metrics)
    exception_handlers=EXCEPTION_HANDLERS,
    console=CONSOLE,
)
