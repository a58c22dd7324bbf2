"""Docs that tests keep honest: every channels.yaml key is documented."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from hub.config.schema import Document

DOCS = Path(__file__).resolve().parent.parent / "docs" / "channels.md"


def key_paths(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    for name, field in model.model_fields.items():
        path = prefix + name
        yield path
        annotation = field.annotation
        for arg in typing.get_args(annotation) or (annotation,):
            for inner in typing.get_args(arg) or (arg,):
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    many = tuple in (typing.get_origin(annotation), typing.get_origin(arg))
                    yield from key_paths(inner, path + ("[]." if many else "."))


KEYS = sorted({p.replace("exclude[].", "include[].") for p in key_paths(Document)})


@pytest.mark.parametrize("key", KEYS)
def test_every_key_is_documented(key: str) -> None:
    documented = DOCS.read_text(encoding="utf-8")
    if key in (
        "site",
        "fetch",
        "schedule",
        "audit",
        "search",
        "checks",
        "alerts",
        "desk",
        "store",
        "services",
        "attachments",
        "sources",
        "channels",
        "overrides",
    ):
        assert f"\n## {key}\n" in documented
    else:
        assert f"| `{key}` |" in documented, f"document {key} in docs/channels.md"


def test_the_docs_do_not_describe_keys_that_do_not_exist() -> None:
    documented = DOCS.read_text(encoding="utf-8")
    rows = {line.split("`")[1] for line in documented.splitlines() if line.startswith("| `")}
    assert rows <= set(KEYS)
