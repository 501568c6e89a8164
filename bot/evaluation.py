"""Scoring answers against gold questions, as ../shared/eval/README.md defines the measures.

Gold documents are CSV data rows (0-based), "seed" (the shared corpus's seed article), or file
names of a corpus folder ("brief.md", "items.jsonl#2" for a record). They are mapped to stored
articles through the origins each article keeps (``{"path", "record"}``), so the scores do not
depend on how ingest named or merged the articles.

A question may carry a ``history``: the earlier questions of a conversation. They are asked
first, in turn, and the question is asked with the real earlier answers as its context, as a
follow-up in a Discord thread is.

Questions are split in two halves so that a method can be tuned on one and checked on the
other: every question of the first file is in *tune*; in the files after it, odd-numbered ids
are in *tune* and even-numbered ones in *check* (with a single file, the parity rule applies
to it). A gain on the tune half that the check half does not show is over-fitting.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any, Literal

from bot.answer.types import Answer, Question, Turn
from bot.errors import EvalFileError
from vectorstore.records import ArticleRecord

HIT_DEPTH = 4
# Gold rows refer to this CSV; "seed" to the seed article (names as in the shared corpus).
GOLD_CSV = "articles.csv"
GOLD_SEED = "seed_article.txt"
# Question types whose answer is one fact, which the first sentence should state.
ANSWER_FIRST_TYPES = frozenset({"who", "when", "number", "what"})
LIST_TYPES = frozenset({"list"})
Split = Literal["tune", "check"]
_CITATION = re.compile(r"\[\d+\]")
_ID_NUMBER = re.compile(r"(\d+)\D*$")


@dataclass(frozen=True, slots=True)
class GoldQuestion:
    id: str
    question: str
    kind: str
    gold_docs: tuple[int | str, ...]
    answer_keywords: tuple[str, ...]
    history: tuple[str, ...] = ()
    split: Split = "tune"

    @property
    def answerable(self) -> bool:
        return bool(self.gold_docs)


@dataclass(frozen=True, slots=True)
class Asked:
    """What answering a question produced: the answer and the passage texts it was composed from."""

    answer: Answer
    passages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class QuestionScore:
    question: GoldQuestion
    answer: Answer
    gold_articles: frozenset[str]
    cited: tuple[str, ...]  # distinct cited article ids, in citation order
    passages: tuple[str, ...] = ()  # the texts handed to the answer composer

    @property
    def hit(self) -> bool:
        return bool(set(self.cited[:HIT_DEPTH]) & self.gold_articles)

    @property
    def keyword_share(self) -> float:
        """The share of keyword groups the answer text holds (an abstention holds none)."""
        if self.answer.abstained:
            return 0.0
        return keyword_share(self.answer.text, self.question.answer_keywords)

    @property
    def keywords(self) -> bool:
        """Every keyword group found in the answer text (an abstention finds none)."""
        return self.keyword_share == 1.0

    @property
    def answer_first(self) -> bool:
        """The first sentence, up to its first citation mark, holds every keyword group."""
        if self.answer.abstained:
            return False
        return keywords_found(first_sentence(self.answer.text), self.question.answer_keywords)

    @property
    def citation_hit(self) -> bool:
        return bool(set(self.cited) & self.gold_articles)

    @property
    def retrieval_recall(self) -> bool:
        """Every keyword group appears in the passages the answer was composed from."""
        return keywords_found("\n".join(self.passages), self.question.answer_keywords)


MEASURES = (
    "hit@4",
    "keyword accuracy",
    "keyword share",
    "answer-first",
    "list item recall",
    "citation hit",
    "abstention",
    "false abstention",
    "retrieval recall@k",
)
# Issue #17's targets, shown beside the figures; "<=" marks a figure that should stay low.
TARGETS = {
    "hit@4": ">= 0.92",
    "keyword accuracy": ">= 0.75",
    "answer-first": ">= 0.70",
    "list item recall": ">= 0.85",
    "citation hit": ">= 0.92",
    "abstention": ">= 0.80",
    "false abstention": "<= 0.08",
    "retrieval recall@k": ">= 0.92",
}


@dataclass(frozen=True, slots=True)
class EvalReport:
    scores: tuple[QuestionScore, ...]

    @property
    def answerable(self) -> list[QuestionScore]:
        return [s for s in self.scores if s.question.answerable]

    @property
    def unanswerable(self) -> list[QuestionScore]:
        return [s for s in self.scores if not s.question.answerable]

    @property
    def hit_at_4(self) -> float:
        return _share(s.hit for s in self.answerable)

    @property
    def keyword_accuracy(self) -> float:
        return _share(s.keywords for s in self.answerable)

    @property
    def citation_hit(self) -> float:
        return _share(s.citation_hit for s in self.answerable if not s.answer.abstained)

    @property
    def abstention(self) -> float:
        return _share(s.answer.abstained for s in self.unanswerable)

    @property
    def false_abstention(self) -> float:
        return _share(s.answer.abstained for s in self.answerable)

    def measures(self) -> dict[str, float | None]:
        """Every measure of the eval README; None where no question is of the kind it needs."""
        answerable = self.answerable
        first = [s for s in answerable if s.question.kind in ANSWER_FIRST_TYPES]
        lists = [s for s in answerable if s.question.kind in LIST_TYPES]
        answered = [s for s in answerable if not s.answer.abstained]
        return {
            "hit@4": _mean([s.hit for s in answerable]),
            "keyword accuracy": _mean([s.keywords for s in answerable]),
            "keyword share": _mean([s.keyword_share for s in answerable]),
            "answer-first": _mean([s.answer_first for s in first]),
            "list item recall": _mean([s.keyword_share for s in lists]),
            "citation hit": _mean([s.citation_hit for s in answered]),
            "abstention": _mean([s.answer.abstained for s in self.unanswerable]),
            "false abstention": _mean([s.answer.abstained for s in answerable]),
            "retrieval recall@k": _mean([s.retrieval_recall for s in answerable]),
        }

    def summary(self) -> dict[str, float]:
        return {
            "hit@4": self.hit_at_4,
            "keyword_accuracy": self.keyword_accuracy,
            "citation_hit": self.citation_hit,
            "abstention": self.abstention,
            "false_abstention": self.false_abstention,
        }

    def subset(self, split: Split) -> EvalReport:
        return EvalReport(tuple(s for s in self.scores if s.question.split == split))

    def by_type(self) -> dict[str, EvalReport]:
        kinds = dict.fromkeys(s.question.kind for s in self.scores)
        return {k: EvalReport(tuple(s for s in self.scores if s.question.kind == k)) for k in kinds}


def _share(flags: Iterable[bool]) -> float:
    values = list(flags)
    return sum(values) / len(values) if values else 0.0


def _mean(values: Sequence[float | bool]) -> float | None:
    return sum(values) / len(values) if values else None


def keyword_share(text: str, groups: Sequence[str]) -> float:
    """The share of groups (alternatives separated by '|') with an alternative in ``text``, ignoring case."""
    if not groups:
        return 1.0
    lowered = text.casefold()
    found = sum(any(alt.strip().casefold() in lowered for alt in group.split("|")) for group in groups)
    return found / len(groups)


def keywords_found(text: str, groups: Sequence[str]) -> bool:
    """Each group (alternatives separated by '|') has an alternative in ``text``, ignoring case."""
    return keyword_share(text, groups) == 1.0


def first_sentence(text: str) -> str:
    """The answer up to its first citation mark: what a reader sees first."""
    match = _CITATION.search(text)
    return text[: match.start()] if match else text


def read_question_list(path: Path, expected: str) -> list[dict[str, Any]]:
    """A JSON list of objects each with a 'question' string; EvalFileError (one line) otherwise."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EvalFileError(f"{path}: cannot be read ({exc.strerror})") from exc
    except ValueError as exc:
        raise EvalFileError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(data, list):
        raise EvalFileError(f"{path}: expected a JSON list of {expected}")
    for i, item in enumerate(data):
        if not isinstance(item, dict) or not isinstance(item.get("question"), str):
            raise EvalFileError(f"{path}: item {i} has no 'question' text")
    return data


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def parity_split(question_id: str) -> Split:
    """Odd-numbered ids are tuned on, even-numbered ones checked (no number: tune)."""
    match = _ID_NUMBER.search(question_id)
    return "check" if match and int(match.group(1)) % 2 == 0 else "tune"


def load_questions(path: Path, *, split: Split | None = None) -> list[GoldQuestion]:
    """Read a gold question file; EvalFileError (one line) when it is unreadable or malformed.

    ``split`` puts every question in that half; None splits them by the parity of their id.
    """
    out = []
    for i, item in enumerate(read_question_list(path, "questions")):
        gold = item.get("gold_docs") or []
        keywords = item.get("answer_keywords") or []
        history = item.get("history") or []
        if not isinstance(gold, list) or not all(isinstance(g, int | str) for g in gold):
            raise EvalFileError(f"{path}: item {i}: 'gold_docs' must be a list of row numbers or file names")
        if not _strings(keywords):
            raise EvalFileError(f"{path}: item {i}: 'answer_keywords' must be a list of strings")
        if not _strings(history):
            raise EvalFileError(f"{path}: item {i}: 'history' must be a list of earlier questions")
        question_id = str(item.get("id", i))
        out.append(
            GoldQuestion(
                id=question_id,
                question=item["question"],
                kind=str(item.get("type", "")),
                gold_docs=tuple(gold),
                answer_keywords=tuple(keywords),
                history=tuple(history),
                split=split or parity_split(question_id),
            )
        )
    return out


def load_question_files(paths: Sequence[Path]) -> list[GoldQuestion]:
    """The questions of every file: the first file's all in *tune* when more files follow,
    the others split by id parity (see the module docstring)."""
    questions: list[GoldQuestion] = []
    for i, path in enumerate(paths):
        questions += load_questions(path, split="tune" if i == 0 and len(paths) > 1 else None)
    return questions


def _gold_names(doc: int | str) -> tuple[str, int | None] | None:
    """(file name, record) a string gold document stands for; None for a CSV row number."""
    if isinstance(doc, int):
        return None
    if doc == "seed":
        return GOLD_SEED, None
    name, _, record = doc.partition("#")
    return name, int(record) if record.isdigit() else None


def gold_article_ids(gold_docs: Iterable[int | str], articles: Iterable[ArticleRecord]) -> frozenset[str]:
    """The stored articles any of whose origins is one of the gold documents."""
    rows = {g for g in gold_docs if isinstance(g, int)}
    files = [names for g in gold_docs if (names := _gold_names(g)) is not None]
    found = set()
    for article in articles:
        for origin in article.origins:
            name = PurePath(str(origin.get("path", ""))).name
            record = origin.get("record")
            if (name == GOLD_CSV and record in rows) or any(
                name == file and (wanted is None or record == wanted) for file, wanted in files
            ):
                found.add(article.id)
    return frozenset(found)


def cited_articles(answer: Answer) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c.article_id for c in sorted(answer.citations, key=lambda c: c.n)))


@dataclass
class Conversation:
    """The turns asked so far, as a Discord thread keeps them."""

    turns: list[Turn] = field(default_factory=list)

    def question(self, text: str) -> Question:
        return Question(text, history=tuple(self.turns))


def evaluate(
    questions: Sequence[GoldQuestion],
    ask: Callable[[Question], Asked | Answer],
    articles: Sequence[ArticleRecord],
) -> EvalReport:
    """Ask every question (after its history, if any) and score the answers."""
    scores = []
    for gold in questions:
        thread = Conversation()
        for earlier in gold.history:
            previous = _asked(ask(thread.question(earlier)))
            thread.turns.append(Turn(earlier, previous.answer.text))
        asked = _asked(ask(thread.question(gold.question)))
        scores.append(
            QuestionScore(
                gold,
                asked.answer,
                gold_article_ids(gold.gold_docs, articles),
                cited_articles(asked.answer),
                asked.passages,
            )
        )
    return EvalReport(tuple(scores))


def _asked(result: Asked | Answer) -> Asked:
    return result if isinstance(result, Asked) else Asked(result)
