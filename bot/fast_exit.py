"""Ending a command-line process without the interpreter's teardown of its modules.

After an ingest, with chromadb (and the grpc and opentelemetry modules it imports) and scipy
loaded, Python spent ~0.6 s clearing modules and freeing objects after the last ``atexit``
handler had run: time the user waits for, after everything was written and closed. The exit
handlers still run (logging's flush, finalizers); only that teardown is skipped. The ingest
workers end the same way (``ingest.workers``).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from typing import NoReturn


def exit_without_teardown(exc: SystemExit) -> NoReturn:
    """End the process with ``exc``'s status as ``sys.exit`` would, minus the teardown.

    A normal exit (re-raising ``exc``) where the status is not a number (``sys.exit("text")``
    prints it) or where a non-daemon thread is still running (a normal exit waits for it).
    """
    code = exc.code
    others = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    if not (code is None or isinstance(code, int)) or any(t.is_alive() for t in others):
        raise exc
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        # A closed stream, or a reader that has gone: a normal exit would not fail on it either.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code or 0)
