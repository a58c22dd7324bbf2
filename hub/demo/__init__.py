"""The simulated county used by `hub demo`, the integration tests and the benchmarks:
a deterministic world of department sources served on 127.0.0.1. Stdlib only.
"""

from __future__ import annotations

from hub.demo.config import PORTAL_PORT, WORLD_PORT, channels_yaml
from hub.demo.county import SOURCES, DemoSource
from hub.demo.server import CountyServer
from hub.demo.world import DemoPost, World

__all__ = [
    "PORTAL_PORT",
    "SOURCES",
    "WORLD_PORT",
    "CountyServer",
    "DemoPost",
    "DemoSource",
    "World",
    "channels_yaml",
]
