"""The sandbox web: simulated stores with hidden sale calendars, served on loopback."""

from dealwatch.sandbox.sale_calendar import Notice, SaleEvent
from dealwatch.sandbox.server import SandboxServer, serve_forever
from dealwatch.sandbox.world import SandboxStore, SandboxWorld, TruthDay

__all__ = [
    "Notice",
    "SaleEvent",
    "SandboxServer",
    "SandboxStore",
    "SandboxWorld",
    "TruthDay",
    "serve_forever",
]
