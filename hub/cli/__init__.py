"""The `hub` command: what users type, what they see, and exit codes; owns click.

Every error is one clear line on stderr and a non-zero exit: 2 for a bad channels.yaml,
3 when another hub process holds the data folder, 1 for the rest.
"""

from hub.cli import (  # noqa: F401 (importing them registers their commands)
    adding,
    auditing,
    desk,
    editors,
    links,
    operate,
    searching,
)
from hub.cli.common import main, program

__all__ = ["main", "program"]
