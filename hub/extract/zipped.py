"""The zip of a DOCX, XLSX or ODF file, opened only when what it would unpack to fits
MAX_UNPACKED: zipfile never returns more than a member's declared size, so the sum of
the declared sizes bounds what reading every member can cost (a zip bomb is refused)."""

from __future__ import annotations

import io
import zipfile
import zlib

from hub.extract.reading import MAX_UNPACKED, ExtractError


def open_zip(data: bytes, limit: int = MAX_UNPACKED) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise ExtractError(f"not a readable zip: {exc}", "malformed") from exc
    declared = sum(member.file_size for member in archive.infolist())
    if declared > limit:
        raise ExtractError(
            f"its zip would unpack to {declared:,} bytes, over the {limit:,} allowed",
            "too-large",
        )
    return archive


def member(archive: zipfile.ZipFile, name: str) -> bytes | None:
    """A member's bytes; None when the zip has no member of that name."""
    try:
        return archive.read(name)
    except KeyError:
        return None
    except RuntimeError as exc:  # zipfile's word for a member with a password
        raise ExtractError(f"the zip member {name} is encrypted", "encrypted") from exc
    except (
        zipfile.BadZipFile,
        zlib.error,
        NotImplementedError,
        ValueError,
        OSError,
        EOFError,
    ) as exc:
        raise ExtractError(f"the zip member {name} cannot be read: {exc}", "malformed") from exc
