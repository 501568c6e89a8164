"""Cleaning, chunking and embedding in worker processes, one per core, for `geobot ingest`.

Why processes and not threads: on this 2-core CPU two one-thread processes embedded the corpus
~13 % faster than one process with two threads; cleaning (trafilatura's rules, language
detection) and sentence splitting are Python and hold the GIL; and the workers start (~0.6 s)
while the main process is still reading its inputs. The workers clean the articles (the first
also detects their languages) while the main process reads the catalog and prepares
deduplication, then chunk and embed those that are new after it.

A worker reads pickled requests on its stdin and answers on a private copy of its stdout (its
fd 1 points at stderr, so nothing a library prints can corrupt the replies). When the ingest
process dies, even by kill -9, the worker's stdin closes and it exits: nothing is left behind,
and only the main process ever writes to the store.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import IO, TYPE_CHECKING, Any

from vectorstore.errors import EmbeddingModelError

if TYPE_CHECKING:
    import numpy as np

    from ingest.chunking import Chunk
    from ingest.models import Article, RawArticle
    from ingest.settings import IngestSettings
    from vectorstore.settings import EmbeddingSettings

_STOP_SECONDS = 5.0


def cpu_cores() -> int:
    """Cores this process may run on (the affinity mask, where the OS has one)."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


class ChunkEmbedPool:
    """``processes`` workers, started at once, each cleaning articles or chunking and embedding
    them, one per request.

    ``normalize`` and ``run`` hand out their items longest first to whichever worker is free.
    ``close`` (or leaving the ``with`` block) stops the workers.
    """

    def __init__(self, embedding: EmbeddingSettings, ingest: IngestSettings, processes: int) -> None:
        settings = embedding.model_copy(update={"threads": 1})
        self._workers: list[_Worker] = []
        try:
            for n in range(processes):
                # The first worker also detects languages (see normalize).
                self._workers.append(_Worker((settings, ingest, n == 0)))
        except BaseException:
            self.close()
            raise

    @property
    def pids(self) -> list[int]:
        return [w.pid for w in self._workers]

    def __enter__(self) -> ChunkEmbedPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def normalize(
        self, raws: Sequence[RawArticle], done: Callable[[], None] | None = None
    ) -> list[Article | None]:
        """``ingest.normalize.normalize`` of each raw article, in the order given; ``done()`` as
        each one finishes.

        The workers clean; the first worker then detects the languages of them all. The
        identifier's model takes ~1 s of CPU to load: once, not once in every worker, and in
        that worker from its start, off this process (whose imports, reading and deduplication
        are what the first embedding waits for).
        """
        results: list[Article | None] = [None] * len(raws)
        for i, article in self._imap("normalize", raws, [len(r.text) for r in raws]):
            results[i] = article
            if done is not None:
                done()
        undetected = [(i, a) for i, a in enumerate(results) if a is not None and a.language is None]
        if undetected:
            languages = self._workers[0].call("languages", [a.text for _, a in undetected])
            for (i, article), language in zip(undetected, languages, strict=True):
                results[i] = dataclasses.replace(article, language=language)
        return results

    def run(self, articles: Sequence[Article]) -> Iterator[tuple[int, tuple[list[Chunk], np.ndarray]]]:
        """``(i, (chunks, vectors))`` of each article ``articles[i]``, as each one finishes."""
        return self._imap("embed", articles, [len(a.text) for a in articles])

    def _imap(self, kind: str, items: Sequence[Any], sizes: list[int]) -> Iterator[tuple[int, Any]]:
        todo: queue.SimpleQueue[int] = queue.SimpleQueue()
        # Longest first, so that no long item is left to run alone at the end.
        for i in sorted(range(len(items)), key=lambda i: -sizes[i]):
            todo.put(i)
        finished: queue.SimpleQueue[tuple[int, Any] | BaseException | None] = queue.SimpleQueue()
        stop = threading.Event()

        def drive(worker: _Worker) -> None:
            try:
                worker.wait_ready()
                while not stop.is_set():
                    try:
                        i = todo.get_nowait()
                    except queue.Empty:
                        return
                    finished.put((i, worker.call(kind, items[i])))
            except BaseException as exc:  # handed to the caller's thread
                finished.put(exc)
            finally:
                finished.put(None)

        with ThreadPoolExecutor(len(self._workers), thread_name_prefix="ingest-worker") as threads:
            for worker in self._workers:
                threads.submit(drive, worker)
            try:
                running = len(self._workers)
                while running:
                    got = finished.get()
                    if got is None:
                        running -= 1
                    elif isinstance(got, BaseException):
                        raise got
                    else:
                        yield got
            finally:
                stop.set()  # on an error or an abandoned iteration: no new requests

    def close(self) -> None:
        for worker in self._workers:
            worker.end_input()
        for worker in self._workers:
            worker.stop()
        self._workers = []


class _Worker:
    def __init__(self, config: tuple[EmbeddingSettings, IngestSettings, bool]) -> None:
        # One torch thread per worker: the workers, not torch, use the cores.
        env = os.environ | {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "ingest.workers"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
        )
        self._ready = False
        self.pid = self._proc.pid
        self._send(config)

    def _send(self, message: object) -> None:
        assert self._proc.stdin is not None
        try:
            pickle.dump(message, self._proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise self._gone() from None

    def _receive(self) -> Any:
        assert self._proc.stdout is not None
        try:
            kind, value = pickle.load(self._proc.stdout)  # noqa: S301 - our own child, over a pipe
        except (EOFError, OSError, pickle.UnpicklingError):
            raise self._gone() from None
        if kind == "error":
            raise EmbeddingModelError(value)
        return value

    def _gone(self) -> EmbeddingModelError:
        try:
            code = self._proc.wait(timeout=_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            code = None
        return EmbeddingModelError(
            f"an embedding worker process stopped (exit status {code}); "
            "run ingest again, or set [ingest] processes = 1 to embed in the ingest process"
        )

    def wait_ready(self) -> None:
        if not self._ready:
            self._receive()
            self._ready = True

    def call(self, kind: str, item: object) -> Any:
        self._send((kind, item))
        return self._receive()

    def end_input(self) -> None:
        if self._proc.stdin is not None and not self._proc.stdin.closed:
            with contextlib.suppress(OSError):
                self._proc.stdin.close()  # the worker exits at end of input

    def stop(self) -> None:
        self.end_input()
        try:
            self._proc.wait(timeout=_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()


def _serve(requests: IO[bytes], replies: IO[bytes]) -> None:
    from ingest.chunking import annotated, chunker_for
    from ingest.normalize import detect_language, load_language_model, normalize
    from vectorstore.encoders import build_encoder, encode

    def reply(kind: str, value: object) -> None:
        pickle.dump((kind, value), replies, protocol=pickle.HIGHEST_PROTOCOL)
        replies.flush()

    try:
        embedding, ingest, detects_languages = pickle.load(requests)  # noqa: S301 - from the parent
    except EOFError:
        return
    # The language model loads alongside the encoder (its decompression releases the GIL).
    language_model = threading.Thread(target=load_language_model, daemon=True)
    if detects_languages:
        language_model.start()
    try:
        encoder, _ = build_encoder(embedding)
    except EmbeddingModelError as exc:
        reply("error", str(exc))
        return
    chunker = chunker_for(encoder, ingest)
    reply("ready", None)
    while True:
        try:
            kind, item = pickle.load(requests)  # noqa: S301 - from the parent, over a pipe
        except EOFError:
            return
        if kind == "normalize":
            reply("ok", normalize(item, detect=False))  # languages come in one request, below
        elif kind == "languages":
            if detects_languages:
                language_model.join()
            reply("ok", [detect_language(text) for text in item])
        else:
            chunks = annotated(item, chunker.split(item))
            reply("ok", (chunks, encode(encoder, [c.embed_text for c in chunks], embedding.batch_size)))


def main() -> None:
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        _serve(sys.stdin.buffer, replies)
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group; the parent reports it
        pass
    except BrokenPipeError:  # the ingest process is gone
        pass
    # Every reply is flushed and nothing else is open for writing, so skip the interpreter's
    # teardown (with torch loaded it took ~1 s, which the ingest process waited for).
    os._exit(0)


if __name__ == "__main__":
    main()
