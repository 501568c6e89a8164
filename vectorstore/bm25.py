"""A BM25 index (bm25s) over the keyword rows SQLite holds, with the row columns that
``where`` filters use.

SQLite stays the durable copy; this is a cache built from it and tagged with the SQLite content
generation it was built from. The built index (the *main* index) is saved beside the store and
loaded memory-mapped, so a process serving a 1M-chunk library neither rebuilds it (minutes) nor
holds it in RAM (gigabytes): a query reads only the posting lists of its words. Rows written
since the main index was built form a small *delta*, scored with the main index's statistics;
the main index is rebuilt only when the delta outgrows ``DELTA_SHARE`` of it (docs/benchmarks.md).
A query costs milliseconds, where an FTS5 ``bm25()`` OR-query costs tens to hundreds
(bench/keyword_latency.py).
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import shutil
import tempfile
import unicodedata
import weakref
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import bm25s

logger = logging.getLogger(__name__)

# Bump when tokenize() changes: saved indexes built with another tokenizer are then ignored.
TOKENIZER = "words-lower-fold-stopwords-en-snowball/2"
# Bump when what is saved beside bm25s's files changes.
FORMAT = 2
KEY_FILE = "generation.json"
COLUMN_PREFIX = "column."
VALUES_FILE = "column.values.json"
# The main index is rebuilt when rows written since it was built (the delta) are more than this
# share of it, or more than DELTA_FLOOR rows in a small library: the delta is re-read and
# re-tokenized after each write, and its scores use the main index's statistics.
DELTA_SHARE = 0.02
DELTA_FLOOR = 2000
_WORD = re.compile(r"[^\W_]+")
_MARK = re.compile(r"[\u0300-\u036f]")

# Row columns held in memory for filtering; other keys are filtered in SQL.
CATEGORICAL = ("article_id", "publisher")
NUMERIC = ("published_ts",)
Row = tuple[int, str, str | None, int | None]  # rowid, article_id, publisher, published_ts


def tokenize(text: str) -> list[str]:
    """Stems of the lower-cased unicode words, diacritics folded and English stopwords removed.

    Stemming (Snowball, PyStemmer) lets "banned" find "ban" and "betrayal" find "betray"
    (docs/answering.md has what it changed).
    """
    if not text.isascii():
        text = _MARK.sub("", unicodedata.normalize("NFKD", text))
    stopwords = _stopwords()
    return _stemmer().stemWords([w for w in _WORD.findall(text.lower()) if w not in stopwords])


@cache
def _stopwords() -> frozenset[str]:
    # bm25s (and scipy under it) takes ~0.4 s to import: only when an index is built or searched,
    # not for every process that opens the keyword store (a no-op re-ingest is mostly imports).
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


@cache
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


@dataclass(frozen=True, slots=True)
class Generation:
    """Which SQLite content an index was built from: the store's id and its write counter."""

    store: str
    number: int

    def as_json(self, **extra: Any) -> str:
        key = {"store": self.store, "generation": self.number, "tokenizer": TOKENIZER, "format": FORMAT}
        return json.dumps(key | extra)


class Unfilterable(Exception):
    """A ``where`` the in-memory columns cannot answer (the caller filters in SQL instead)."""


@dataclass(frozen=True, slots=True)
class Columns:
    """Per-document filter columns, in index order (SQLite rowid order)."""

    rowids: np.ndarray
    codes: Mapping[str, np.ndarray]  # categorical column -> int32 codes, -1 = NULL
    values: Mapping[str, Mapping[str, int]]  # categorical column -> value -> code
    numbers: Mapping[str, np.ndarray]  # numeric column -> float64, NaN = NULL

    @classmethod
    def from_rows(cls, rows: Sequence[Row]) -> Columns:
        values: dict[str, dict[str, int]] = {name: {} for name in CATEGORICAL}
        codes = {
            name: np.fromiter(
                (-1 if r[i] is None else values[name].setdefault(str(r[i]), len(values[name])) for r in rows),
                dtype=np.int32,
                count=len(rows),
            )
            for i, name in enumerate(CATEGORICAL, start=1)
        }
        numbers = {
            "published_ts": np.fromiter(
                (np.nan if r[3] is None else float(r[3]) for r in rows), dtype=np.float64, count=len(rows)
            )
        }
        rowids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        return cls(rowids, codes, values, numbers)

    def __len__(self) -> int:
        return len(self.rowids)

    def save(self, folder: Path) -> None:
        """One ``.npy`` per column, each memory-mapped back by ``load``."""
        arrays = {"rowids": self.rowids} | {f"code.{k}": v for k, v in self.codes.items()}
        for name, array in (arrays | {f"number.{k}": v for k, v in self.numbers.items()}).items():
            np.save(folder / f"{COLUMN_PREFIX}{name}.npy", np.ascontiguousarray(array))
        (folder / VALUES_FILE).write_text(json.dumps(self.values), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> Columns:
        def column(name: str) -> np.ndarray:
            return np.load(folder / f"{COLUMN_PREFIX}{name}.npy", mmap_mode="r", allow_pickle=False)

        values = json.loads((folder / VALUES_FILE).read_text(encoding="utf-8"))
        return cls(
            column("rowids"),
            {name: column(f"code.{name}") for name in CATEGORICAL},
            {name: dict(values[name]) for name in CATEGORICAL},
            {name: column(f"number.{name}") for name in NUMERIC},
        )

    def mask(self, where: Mapping[str, Any]) -> np.ndarray:
        """Boolean mask of the documents ``where`` keeps, with SQL's NULL semantics."""
        keep = np.ones(len(self.rowids), dtype=bool)
        for key, value in where.items():
            if key in ("$and", "$or"):
                parts = [self.mask(w) for w in value]
                if key == "$and":
                    keep &= np.logical_and.reduce(parts) if parts else True
                else:
                    keep &= np.logical_or.reduce(parts) if parts else False
                continue
            ops = value if isinstance(value, Mapping) else {"$eq": value}
            for op, operand in ops.items():
                keep &= self._compare(key, op, operand)
        return keep

    def _compare(self, key: str, op: str, operand: Any) -> np.ndarray:
        if key in self.codes:
            codes, known = self.codes[key], self.values[key]
            if op in ("$eq", "$ne") and isinstance(operand, str):
                hit = codes == known.get(operand, -2)
                return hit if op == "$eq" else ~hit & (codes >= 0)
            if op in ("$in", "$nin") and all(isinstance(v, str) for v in operand):
                hit = np.isin(codes, [known[v] for v in operand if v in known])
                return hit if op == "$in" else ~hit & (codes >= 0)
        elif key in self.numbers:
            column = self.numbers[key]
            if op in ("$in", "$nin") and all(_is_number(v) for v in operand):
                hit = np.isin(column, [float(v) for v in operand])
                return hit if op == "$in" else ~hit & ~np.isnan(column)
            with np.errstate(invalid="ignore"):
                compare = {
                    "$eq": np.equal,
                    "$ne": np.not_equal,
                    "$gt": np.greater,
                    "$gte": np.greater_equal,
                    "$lt": np.less,
                    "$lte": np.less_equal,
                }.get(op)
                if compare is not None and _is_number(operand):
                    return compare(column, float(operand)) & ~np.isnan(column)
        raise Unfilterable(key)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class Terms:
    """The statistics a BM25 score needs from the main index: documents, mean length, k1 and b."""

    docs: int
    mean_length: float
    k1: float
    b: float


class Postings:
    """The saved index's score and document arrays, read a query word's slice at a time.

    Read with ``os.pread`` rather than through a memory map: mapped pages that a query touches
    count in the process's resident memory until the kernel needs them back, and the posting
    lists of common words span much of the index (~700 MB at 1M chunks); read, they stay in the
    kernel's page cache alone. The files are opened once, so a copy saved later by another
    process (renamed over this one) does not mix with this one.
    """

    def __init__(self, folder: Path) -> None:
        self.arrays: dict[str, tuple[int, int, np.dtype[Any]]] = {}
        for name in ("data", "indices"):
            mapped = np.load(folder / f"{name}.csc.index.npy", mmap_mode="r", allow_pickle=False)
            fd = os.open(folder / f"{name}.csc.index.npy", os.O_RDONLY)
            weakref.finalize(self, os.close, fd)
            self.arrays[name] = (fd, int(mapped.offset), mapped.dtype)

    def read(self, name: str, start: int, end: int) -> np.ndarray:
        fd, offset, dtype = self.arrays[name]
        size = dtype.itemsize
        return np.frombuffer(os.pread(fd, (end - start) * size, offset + start * size), dtype=dtype)


class Bm25Snapshot:
    """The main index: a bm25s index of every chunk at one SQLite generation."""

    def __init__(
        self,
        generation: Generation,
        retriever: bm25s.BM25 | None,
        columns: Columns,
        mean_length: float,
        postings: Postings | None = None,
    ) -> None:
        self.generation = generation
        self.retriever = retriever
        self.columns = columns
        self.mean_length = mean_length
        self.postings = postings

    @property
    def max_rowid(self) -> int:
        return int(self.columns.rowids[-1]) if len(self.columns) else 0

    @property
    def docs(self) -> int:
        return len(self.columns)

    @classmethod
    def build(cls, generation: Generation, rows: Iterable[tuple[Row, str]]) -> Bm25Snapshot:
        """Index ``(row, text)`` pairs given in rowid order."""
        vocab: dict[str, int] = {}
        ids: list[list[int]] = []
        meta: list[Row] = []
        for row, text in rows:
            # setdefault hands back the int held by the dict, so the lists share int objects
            ids.append([vocab.setdefault(w, len(vocab)) for w in tokenize(text)])
            meta.append(row)
        retriever = None
        mean_length = 0.0
        if ids:
            import bm25s
            from bm25s.tokenization import Tokenized

            mean_length = sum(map(len, ids)) / len(ids)
            retriever = bm25s.BM25()
            retriever.index(Tokenized(ids=ids, vocab=vocab), show_progress=False)
        return cls(generation, retriever, Columns.from_rows(meta), mean_length)

    @classmethod
    def load(cls, folder: Path, store: str) -> Bm25Snapshot | None:
        """The copy saved in ``folder`` if it indexes this store with this tokenizer, else None.

        Its arrays are memory-mapped: the kernel pages in the posting lists a query reads and
        may drop them again, so a large index costs little resident memory.
        """
        if not (folder / KEY_FILE).is_file():  # none saved yet (a new store): nothing to report
            return None
        try:
            key = json.loads((folder / KEY_FILE).read_text(encoding="utf-8"))
            generation = Generation(str(key["store"]), int(key["generation"]))
            if generation.as_json(mean_length=key.get("mean_length")) != json.dumps(key):
                return None  # another tokenizer or format, or another store's copy
            import bm25s

            columns = Columns.load(folder)
            retriever = bm25s.BM25.load(folder, mmap=True, show_progress=False) if len(columns) else None
            postings = Postings(folder) if retriever is not None else None
            # another process may have replaced the folder while it was read
            if json.loads((folder / KEY_FILE).read_text(encoding="utf-8")) != key:
                return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            logger.info("saved keyword index in %s not usable (%s); rebuilding", folder, exc)
            return None
        if generation.store != store:
            return None
        if retriever is not None and int(retriever.scores["num_docs"]) != len(columns):
            return None
        return cls(generation, retriever, columns, float(key["mean_length"]), postings)

    def save(self, folder: Path) -> None:
        """Replace the copy in ``folder`` (written aside, then renamed in; best effort)."""
        parent = folder.parent
        old: Path | None = None
        try:
            staging = Path(tempfile.mkdtemp(prefix=f"{folder.name}.", dir=parent))
        except OSError as exc:
            logger.warning("cannot save the keyword index in %s: %s", parent, exc)
            return
        try:
            if self.retriever is not None:
                self.retriever.save(staging, show_progress=False)
            self.columns.save(staging)
            key = self.generation.as_json(mean_length=self.mean_length)
            (staging / KEY_FILE).write_text(key, encoding="utf-8")
            old = Path(tempfile.mkdtemp(prefix=f"{folder.name}.old.", dir=parent))
            if folder.exists():
                folder.replace(old / folder.name)
            staging.replace(folder)
        except OSError as exc:
            logger.warning("cannot save the keyword index in %s: %s", folder, exc)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)

    def terms(self) -> Terms:
        params = (self.retriever.k1, self.retriever.b) if self.retriever is not None else (1.5, 0.75)
        return Terms(self.docs, self.mean_length, float(params[0]), float(params[1]))

    def document_frequency(self, word: str) -> int:
        if self.retriever is None or word not in self.retriever.vocab_dict:
            return 0
        token = self.retriever.vocab_dict[word]
        indptr = self.retriever.scores["indptr"]
        return int(indptr[token + 1] - indptr[token])

    def scores(self, words: Sequence[str]) -> np.ndarray | None:
        """Each document's BM25 score for the (distinct) query words; None if none is indexed."""
        if self.retriever is None:
            return None
        vocab = self.retriever.vocab_dict
        ids = [vocab[w] for w in words if w in vocab]
        if not ids:
            return None
        if self.postings is None:  # just built: its arrays are in memory
            return self.retriever.get_scores_from_ids(ids)
        indptr = self.retriever.scores["indptr"]
        scores = np.zeros(self.docs, dtype=np.float32)
        for token in ids:
            start, end = int(indptr[token]), int(indptr[token + 1])
            # as bm25s adds them (np.add.at: one pass, faster here than an indexed +=)
            documents = self.postings.read("indices", start, end)
            np.add.at(scores, documents, self.postings.read("data", start, end))
        return scores


@dataclass(frozen=True, slots=True)
class Delta:
    """Rows written after the main index was built: their filter columns and word counts."""

    columns: Columns
    counts: tuple[Counter[str], ...]
    lengths: np.ndarray

    @classmethod
    def build(cls, rows: Sequence[tuple[Row, Counter[str]]]) -> Delta:
        counts = tuple(c for _, c in rows)
        lengths = np.fromiter((c.total() for c in counts), dtype=np.float64, count=len(counts))
        return cls(Columns.from_rows([r for r, _ in rows]), counts, lengths)

    def reusable(self) -> dict[int, Counter[str]]:
        return {int(r): c for r, c in zip(self.columns.rowids, self.counts, strict=True)}

    def scores(self, words: Sequence[str], main: Bm25Snapshot, stale: int) -> np.ndarray:
        """BM25 (bm25s's default, Lucene's) of the delta's rows, as a rebuild would score them
        but for the mean length, the main index's: bm25s cannot score rows it did not index.
        ``stale``: rows of the main index left out (changed or deleted since it was built)."""
        terms = main.terms()
        scores = np.zeros(len(self.counts), dtype=np.float64)
        docs = terms.docs - stale + len(self.counts)
        if not len(self.counts) or not docs:
            return scores
        norm = terms.k1 * (1 - terms.b + terms.b * self.lengths / max(terms.mean_length, 1e-9))
        for word in words:
            tf = np.fromiter((c.get(word, 0) for c in self.counts), dtype=np.float64, count=len(self.counts))
            if not tf.any():
                continue
            df = main.document_frequency(word) + int(np.count_nonzero(tf))
            idf = math.log(1 + (docs - df + 0.5) / (df + 0.5))
            scores += idf * tf / (norm + tf)
        return scores


def saved_generation(folder: Path) -> int | None:
    """The generation of the copy saved in ``folder``, if any (without loading it)."""
    try:
        return int(json.loads((folder / KEY_FILE).read_text(encoding="utf-8"))["generation"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def word_counts(text: str) -> Counter[str]:
    return Counter(tokenize(text))


@dataclass(frozen=True, slots=True)
class Bm25View:
    """What a query searches at one SQLite generation: the main index less the rows changed or
    deleted since it was built (``stale``), plus the delta."""

    generation: Generation
    main: Bm25Snapshot
    stale: np.ndarray | None  # over the main index's documents; None: nothing changed
    delta: Delta

    @classmethod
    def of(cls, main: Bm25Snapshot) -> Bm25View:
        """The main index alone, at its own generation."""
        return cls(main.generation, main, None, Delta.build([]))

    def masks(self, where: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
        """The documents ``where`` keeps in the main index and in the delta (Unfilterable if
        the columns cannot say)."""
        return self.main.columns.mask(where), self.delta.columns.mask(where)

    def masks_of(self, rowids: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        return np.isin(self.main.columns.rowids, rowids), np.isin(self.delta.columns.rowids, rowids)

    def search(
        self, text: str, k: int, masks: tuple[np.ndarray, np.ndarray] | None = None
    ) -> list[tuple[int, float]]:
        """(rowid, BM25 score) of the best ``k`` documents with a query word, best first."""
        if k <= 0:
            return []
        words = list(dict.fromkeys(tokenize(text)))
        if not words:
            return []
        hits = _best(self.main.scores(words), self.main.columns.rowids, k, _keep(self.stale, masks, 0))
        if len(self.delta.counts):
            delta = self.delta
            stale = 0 if self.stale is None else int(np.count_nonzero(self.stale))
            scores = delta.scores(words, self.main, stale)
            found = _best(scores, delta.columns.rowids, k, _keep(None, masks, 1))
            # ties go to the earlier row, so results are deterministic
            hits = sorted(hits + found, key=lambda h: (-h[1], h[0]))[:k]
        return hits


def _keep(
    stale: np.ndarray | None, masks: tuple[np.ndarray, np.ndarray] | None, part: int
) -> np.ndarray | None:
    keep = None if masks is None else masks[part]
    if stale is not None:
        keep = ~stale if keep is None else keep & ~stale
    return keep


def _best(
    scores: np.ndarray | None, rowids: np.ndarray, k: int, keep: np.ndarray | None
) -> list[tuple[int, float]]:
    if scores is None:
        return []
    if keep is not None:
        scores = np.where(keep, scores, 0.0)
    found = np.flatnonzero(scores > 0)
    if len(found) > k:
        found = found[np.argpartition(-scores[found], k - 1)[:k]]
    # ties go to the earlier row, so results are deterministic
    order = sorted(found.tolist(), key=lambda i: (-scores[i], i))
    return [(int(rowids[i]), float(scores[i])) for i in order]
