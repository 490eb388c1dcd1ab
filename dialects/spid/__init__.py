"""spid dialect: SPiD / Schibsted account API v2 data objects (specs/spid-dataobjects.md)."""

from doppelgate.dialect import Dialect

from .console import CONSOLE
from .errors import EXCEPTION_HANDLERS, fault_response, internal_error, not_found, too_large
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
    exception_handlers=EXCEPTION_HANDLERS,
    console=CONSOLE,
    # the journal's names for the data-object calls (control.py names them from the path)
    operations=(
        "GET /api/2/dataobjects",
        "GET /api/2/user/{id}/dataobjects",
        "GET /api/2/user/{id}/dataobject/{key}",
        "POST /api/2/user/{id}/dataobject/{key}",
        "DELETE /api/2/user/{id}/dataobject/{key}",
    ),
)
