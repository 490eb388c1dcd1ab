"""lightblue dialect: lightblue data and metadata services (docs/lightblue.md)."""

from collections.abc import Sequence

from doppelgate.config import Settings
from doppelgate.dialect import Dialect

from .console import CONSOLE
from .errors import EXCEPTION_HANDLERS, fault_response, internal_error, not_found, too_large
from .routes import routes


def configured_hosts(settings: Settings) -> Sequence[str]:
    return settings.lightblue_hosts  # lightblue is self-hosted: no vendor host to know


DIALECT = Dialect(
    name="lightblue",
    prefix="/lightblue",
    hosts=(),
    routes=routes,
    internal_error=internal_error,
    not_found=not_found,
    fault_response=fault_response,
    too_large=too_large,
    configured_hosts=configured_hosts,
    position=4,  # where listings put it (health, console, metrics)
    console=CONSOLE,
    exception_handlers=EXCEPTION_HANDLERS,
)
