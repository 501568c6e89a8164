"""A named pipe found while walking a folder is refused at once instead of blocking the run."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from ingest.errors import InputError
from ingest.readers.files import read_file, walk
from ingest.settings import IngestSettings


@pytest.mark.unit
def test_named_pipe_in_a_folder_is_refused_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "stuck.txt")
    (found,) = walk(tmp_path)
    outcome: list[BaseException] = []

    def read() -> None:
        try:
            read_file(found, IngestSettings())
        except BaseException as exc:
            outcome.append(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(5)
    if reader.is_alive():
        # Unblock the reader so the test process can exit, then fail.
        with open(found, "wb"):
            pass
        pytest.fail("reading a named pipe blocked")
    assert len(outcome) == 1 and isinstance(outcome[0], InputError)
    assert "not a regular file" in str(outcome[0])


@pytest.mark.unit
@pytest.mark.parametrize("name", ["deep.json", "deep.jsonl"])
def test_json_nested_too_deeply_is_one_clear_error(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(InputError, match="nested too deeply"):
        read_file(path, IngestSettings())


@pytest.mark.unit
def test_manifest_does_not_open_a_named_pipe(tmp_path: Path) -> None:
    from ingest.manifest import file_state

    os.mkfifo(tmp_path / "stuck.txt")
    outcome: list[object] = []
    worker = threading.Thread(target=lambda: outcome.append(file_state(tmp_path / "stuck.txt")), daemon=True)
    worker.start()
    worker.join(5)
    if worker.is_alive():
        with open(tmp_path / "stuck.txt", "wb"):
            pass
        pytest.fail("hashing a named pipe blocked")
    assert outcome == [None]
