"""Reading one input file's bytes and text, with the checks every reader shares.

The readers import these; ``ingest.readers.files`` finds the files and picks the reader, so
imports run one way: files → each reader → file_bytes.
"""

from __future__ import annotations

import stat
from pathlib import Path

from ingest.errors import InputError
from ingest.settings import IngestSettings

_SNIFF_BYTES = 8192


def read_bytes(path: Path, settings: IngestSettings) -> bytes:
    """The file's bytes, refusing what is too large, unreadable or binary."""
    try:
        st = path.stat()
        # A named pipe or device found while walking a folder would block read_bytes() forever.
        if not stat.S_ISREG(st.st_mode):
            raise InputError(str(path), "not a regular file")
        size = st.st_size
        if size > settings.max_file_mb * 1024 * 1024:
            raise InputError(
                str(path), f"file is {size / 1024 / 1024:.1f} MB, over max_file_mb = {settings.max_file_mb:g}"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot be read ({exc.strerror or exc})") from exc
    if not data.strip():
        raise InputError(str(path), "file is empty")
    if b"\x00" in data[:_SNIFF_BYTES] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(str(path), "binary file, not text")
    return data


def _decode(data: bytes, source: str) -> str:
    """UTF-8 (with or without BOM) or BOM-marked UTF-16; anything else is refused, not guessed."""
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(
            source,
            f"not valid UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); save it as UTF-8",
        ) from exc


def read_text_file(path: Path, settings: IngestSettings) -> str:
    return _decode(read_bytes(path, settings), str(path))
