"""An in-memory BM25 index (bm25s) over the keyword rows SQLite holds, with the row columns
that ``where`` filters use.

SQLite stays the durable copy; this is a cache built from it (or loaded from a saved copy) and
tagged with the SQLite content generation it was built from, so a caller can tell when it is
stale. Building costs seconds per 100k chunks; a query costs well under a millisecond, where an
FTS5 ``bm25()`` OR-query costs tens to hundreds (bench/keyword_latency.py).
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import tempfile
import unicodedata
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
KEY_FILE = "generation.json"
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

    def as_json(self) -> str:
        return json.dumps({"store": self.store, "generation": self.number, "tokenizer": TOKENIZER})


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


class Bm25Snapshot:
    """A bm25s index of every chunk at one SQLite generation."""

    def __init__(self, generation: Generation, retriever: bm25s.BM25 | None, columns: Columns) -> None:
        self.generation = generation
        self.retriever = retriever
        self.columns = columns

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
        if ids:
            import bm25s
            from bm25s.tokenization import Tokenized

            retriever = bm25s.BM25()
            retriever.index(Tokenized(ids=ids, vocab=vocab), show_progress=False)
        return cls(generation, retriever, Columns.from_rows(meta))

    @classmethod
    def load(cls, folder: Path, generation: Generation, rows: Sequence[Row]) -> Bm25Snapshot | None:
        """The copy saved in ``folder`` if it was built from ``generation``, else None."""
        if not (folder / KEY_FILE).is_file():  # none saved yet (a new store): nothing to report
            return None
        try:
            if (folder / KEY_FILE).read_text(encoding="utf-8") != generation.as_json():
                return None
            import bm25s

            retriever = bm25s.BM25.load(folder, show_progress=False) if rows else None
            # another process may have replaced the folder while it was read
            if (folder / KEY_FILE).read_text(encoding="utf-8") != generation.as_json():
                return None
        except (OSError, ValueError, KeyError) as exc:
            logger.info("saved keyword index in %s not usable (%s); rebuilding", folder, exc)
            return None
        if retriever is not None and int(retriever.scores["num_docs"]) != len(rows):
            return None
        return cls(generation, retriever, Columns.from_rows(rows))

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
            (staging / KEY_FILE).write_text(self.generation.as_json(), encoding="utf-8")
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

    def search(self, text: str, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(rowid, BM25 score) of the best ``k`` documents with a query word, best first."""
        if self.retriever is None or k <= 0:
            return []
        vocab = self.retriever.vocab_dict
        ids = list(dict.fromkeys(vocab[w] for w in tokenize(text) if w in vocab))
        if not ids:
            return []
        scores = self.retriever.get_scores_from_ids(ids)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        found = np.flatnonzero(scores > 0)
        if len(found) > k:
            found = found[np.argpartition(-scores[found], k - 1)[:k]]
        # ties go to the earlier row, so results are deterministic
        order = sorted(found.tolist(), key=lambda i: (-scores[i], i))
        return [(int(self.columns.rowids[i]), float(scores[i])) for i in order]
