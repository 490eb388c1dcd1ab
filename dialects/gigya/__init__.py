"""gigya dialect: SAP Customer Data Cloud (Gigya) Data Store, ds.* (docs/gigya.md)."""

from doppelgate.dialect import Dialect

from .console import CONSOLE
from .errors import EXCEPTION_HANDLERS, fault_response, internal_error, not_found, too_large
from .routes import METHODS, operation_of, routes

DIALECT = Dialect(
    name="gigya",
    prefix="/gigya",
    # ds.<dc>, accounts.<dc>, mtls.<dc>; China: cn1.gigya-api.cn, cn1.sapcdm.cn (spec §1)
    hosts=("*.gigya.com", "*.gigya-api.cn", "*.sapcdm.cn"),
    routes=routes,
    internal_error=internal_error,
    not_found=not_found,
    fault_response=fault_response,
    too_large=too_large,
    operations=tuple(METHODS),
    operation_of=operation_of,
    position=1,  # where listings put it (health, console, metrics)
    exception_handlers=EXCEPTION_HANDLERS,
    console=CONSOLE,
)
