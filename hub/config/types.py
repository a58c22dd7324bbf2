"""The value types of channels.yaml shared by its sections: durations, sizes, URLs, lists
of names, and the strict, frozen base model."""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

_UNITS_SECONDS: dict[str, float] = {
    "": 1,
    "ms": 0.001,
    "s": 1,
    "m": 60,
    "min": 60,
    "h": 3600,
    "d": 86400,
}
_UNITS_BYTES: dict[str, float] = {"": 1, "b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([a-zA-Z]+)")
_COMPOUND = re.compile(r"(?:\d+(?:\.\d+)?\s*[a-zA-Z]+\s*)+")
_AMOUNT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")


def _amount(value: Any, units: dict[str, float], what: str) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"expected a {what}, got a boolean")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and (match := _AMOUNT.match(value)):
        unit = match.group(2).lower()
        if unit in units:
            return float(match.group(1)) * units[unit]
    if isinstance(value, str) and _COMPOUND.fullmatch(value.strip()):  # 2d12h, 1h30m
        parts = _PART.findall(value)
        if all(unit.lower() in units for _, unit in parts):
            return sum(float(number) * units[unit.lower()] for number, unit in parts)
    names = ", ".join(u for u in units if u)
    raise ValueError(
        f"expected a {what} such as 20{next(iter(u for u in units if u))} "
        f"(units: {names}), got {value!r}"
    )


def parse_duration(value: Any) -> float:
    """'20s', '30m', '1h', '1d' or a number of seconds -> seconds."""
    return float(_amount(value, _UNITS_SECONDS, "duration"))


def parse_size(value: Any) -> int:
    """'15MB', '512KB' or a number of bytes -> bytes."""
    return int(_amount(value, _UNITS_BYTES, "size"))


def check_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"expected an http(s) URL, got {value!r}")
    return value


def one_or_many(value: Any) -> Any:
    return (value,) if isinstance(value, str) else as_tuple(value)


def as_tuple(value: Any) -> Any:
    """YAML lists arrive as lists; the frozen models keep tuples."""
    return tuple(value) if isinstance(value, list) else value


Seconds = Annotated[float, BeforeValidator(parse_duration), Field(gt=0)]
Pause = Annotated[float, BeforeValidator(parse_duration), Field(ge=0, le=60)]
Bytes = Annotated[int, BeforeValidator(parse_size), Field(gt=0)]
Url = Annotated[str, BeforeValidator(lambda v: check_url(v) if isinstance(v, str) else v)]
Names = Annotated[tuple[str, ...], BeforeValidator(one_or_many)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
