"""Package faces that import a module only when one of its names is first used (PEP 562),
so that a command pays only for the stages it runs."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping


def face(package: str, homes: Mapping[str, str]) -> Callable[[str], object]:
    """A module `__getattr__` for `package`: each name in `homes` is looked up in the
    module named there (a submodule's name maps to itself) when first asked for."""

    def getattr_(name: str) -> object:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(home)
        value = module if home == f"{package}.{name}" else getattr(module, name)
        setattr(sys.modules[package], name, value)  # looked up once
        return value

    return getattr_
