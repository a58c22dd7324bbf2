"""The simulated county used by `hub demo`, the integration tests and the benchmarks:
a deterministic world of department sources served on 127.0.0.1, and the example word
lists its channels.yaml uses. Stdlib only.

A face (`hub.lazy`): the command line reads the demo's ports without building its world.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.lazy import face

if TYPE_CHECKING:  # what the names below are, for type checkers
    from hub.demo.config import (
        channels_yaml as channels_yaml,
    )
    from hub.demo.config import (
        write_config as write_config,
    )
    from hub.demo.county import (
        SOURCES as SOURCES,
    )
    from hub.demo.county import (
        UNLISTED as UNLISTED,
    )
    from hub.demo.county import (
        DemoSource as DemoSource,
    )
    from hub.demo.ports import (
        PORTAL_PORT as PORTAL_PORT,
    )
    from hub.demo.ports import (
        WORLD_PORT as WORLD_PORT,
    )
    from hub.demo.render import (
        entry_path as entry_path,
    )
    from hub.demo.server import (
        CountyServer as CountyServer,
    )
    from hub.demo.world import (
        DemoPost as DemoPost,
    )
    from hub.demo.world import (
        World as World,
    )

__all__ = [
    "PORTAL_PORT",
    "SOURCES",
    "UNLISTED",
    "WORLD_PORT",
    "CountyServer",
    "DemoPost",
    "DemoSource",
    "World",
    "channels_yaml",
    "entry_path",
    "write_config",
]
__getattr__ = face(
    __name__,
    {
        "channels_yaml": "hub.demo.config",
        "write_config": "hub.demo.config",
        "PORTAL_PORT": "hub.demo.ports",
        "WORLD_PORT": "hub.demo.ports",
        "SOURCES": "hub.demo.county",
        "DemoSource": "hub.demo.county",
        "UNLISTED": "hub.demo.county",
        "entry_path": "hub.demo.render",
        "CountyServer": "hub.demo.server",
        "DemoPost": "hub.demo.world",
        "World": "hub.demo.world",
    },
)
