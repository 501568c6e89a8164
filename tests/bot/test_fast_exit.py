"""Ending the CLI process without the interpreter's teardown, and only when that is safe."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import REPO

# Written at the end of each script: a module-level object whose finalizer marks the teardown,
# an exit handler that marks that the handlers ran.
_PRELUDE = """
import atexit, sys, threading, time
from pathlib import Path
from bot.fast_exit import exit_without_teardown

marks = Path(sys.argv[1])

class Teardown:
    def __del__(self):
        (marks / "teardown").write_text("ran")

sentinel = Teardown()
atexit.register(lambda: (marks / "atexit").write_text("ran"))
"""


def _run(body: str, marks: Path) -> subprocess.CompletedProcess[str]:
    script = textwrap.dedent(_PRELUDE) + textwrap.dedent(body)
    return subprocess.run(
        [sys.executable, "-c", script, str(marks)], cwd=REPO, capture_output=True, text=True, timeout=60
    )


def test_status_output_and_exit_handlers_kept_teardown_skipped(tmp_path: Path) -> None:
    done = _run(
        'print("report", end=""); sys.stderr.write("note")\nexit_without_teardown(SystemExit(3))', tmp_path
    )
    assert (done.returncode, done.stdout, done.stderr) == (3, "report", "note")
    assert (tmp_path / "atexit").read_text() == "ran"
    assert not (tmp_path / "teardown").exists()


def test_normal_exit_does_tear_down(tmp_path: Path) -> None:
    """The check above means something: the same script ended by sys.exit runs the finalizer."""
    done = _run("sys.exit(0)", tmp_path)
    assert done.returncode == 0
    assert (tmp_path / "teardown").read_text() == "ran"


def test_a_running_thread_is_waited_for(tmp_path: Path) -> None:
    body = """
    def late():
        time.sleep(0.5)
        (marks / "thread").write_text("finished")

    threading.Thread(target=late).start()
    exit_without_teardown(SystemExit(0))
    """
    done = _run(body, tmp_path)
    assert done.returncode == 0
    assert (tmp_path / "thread").read_text() == "finished"


def test_a_message_status_exits_as_usual(tmp_path: Path) -> None:
    done = _run('exit_without_teardown(SystemExit("no store here"))', tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip() == "no store here"
