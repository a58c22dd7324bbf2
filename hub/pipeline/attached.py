"""The attachments as a publish uses them: their texts for the search index, and the
copies kept in data/files that the portal links at /f/ (`attaching` downloads them)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from hub.config import Config
from hub.models import Attached, Routed

if TYPE_CHECKING:
    from hub.store import Store

FILES = "files"  # the copies' folder in data/


def files_dir(config: Config) -> Path:
    return config.data_dir / FILES


def copy_name(url: str, format_: str) -> str:
    """The copy's file name: stable for the address whatever its content, so the
    portal's link to it never moves."""
    return f"{hashlib.sha256(url.encode()).hexdigest()[:20]}.{format_}"


def attachments_of(store: Store, routed: Sequence[Routed]) -> dict[str, Attached]:
    """What hub downloaded of the routed posts' attachments, by address."""
    urls = {a.url for item in routed for a in item.post.post.attachments}
    return store.attachments.of(urls) if urls else {}


def copies(config: Config, attached: Mapping[str, Attached]) -> dict[str, tuple[Path, str]]:
    """Address -> (its copy, the copy's digest), for the copies there are (none when
    `attachments.keep` is off: the files stay in data/files, unlinked)."""
    if not config.attachments.keep:
        return {}
    folder = files_dir(config)
    found = ((url, folder / a.kept, a.digest) for url, a in attached.items() if a.kept)
    return {url: (path, digest) for url, path, digest in found if path.is_file()}
