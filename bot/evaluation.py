"""Scoring answers against gold questions, as ../shared/eval/README.md defines the measures.

Gold documents are CSV data rows (0-based) or "seed"; they are mapped to stored articles through
the origins each article keeps (``{"path", "record"}``), so the scores do not depend on how
ingest named or merged the articles.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from bot.answer.types import Answer, Question
from bot.errors import EvalFileError
from vectorstore.records import ArticleRecord

HIT_DEPTH = 4
# Gold rows refer to this CSV; "seed" to the seed article (names as in the shared corpus).
GOLD_CSV = "articles.csv"
GOLD_SEED = "seed_article.txt"


@dataclass(frozen=True, slots=True)
class GoldQuestion:
    id: str
    question: str
    kind: str
    gold_docs: tuple[int | str, ...]
    answer_keywords: tuple[str, ...]

    @property
    def answerable(self) -> bool:
        return bool(self.gold_docs)


@dataclass(frozen=True, slots=True)
class QuestionScore:
    question: GoldQuestion
    answer: Answer
    gold_articles: frozenset[str]
    cited: tuple[str, ...]  # distinct cited article ids, in citation order

    @property
    def hit(self) -> bool:
        return bool(set(self.cited[:HIT_DEPTH]) & self.gold_articles)

    @property
    def keywords(self) -> bool:
        """Every keyword group found in the answer text (an abstention finds none)."""
        return not self.answer.abstained and keywords_found(self.answer.text, self.question.answer_keywords)

    @property
    def citation_hit(self) -> bool:
        return bool(set(self.cited) & self.gold_articles)


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

    def summary(self) -> dict[str, float]:
        return {
            "hit@4": self.hit_at_4,
            "keyword_accuracy": self.keyword_accuracy,
            "citation_hit": self.citation_hit,
            "abstention": self.abstention,
            "false_abstention": self.false_abstention,
        }


def _share(flags: Iterable[bool]) -> float:
    values = list(flags)
    return sum(values) / len(values) if values else 0.0


def keywords_found(text: str, groups: Sequence[str]) -> bool:
    """Each group (alternatives separated by '|') has an alternative in ``text``, ignoring case."""
    lowered = text.casefold()
    return all(any(alt.strip().casefold() in lowered for alt in group.split("|")) for group in groups)


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


def load_questions(path: Path) -> list[GoldQuestion]:
    """Read a gold question file; EvalFileError (one line) when it is unreadable or malformed."""
    out = []
    for i, item in enumerate(read_question_list(path, "questions")):
        gold = item.get("gold_docs") or []
        keywords = item.get("answer_keywords") or []
        if not isinstance(gold, list) or not all(isinstance(g, int | str) for g in gold):
            raise EvalFileError(f"{path}: item {i}: 'gold_docs' must be a list of row numbers or 'seed'")
        if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
            raise EvalFileError(f"{path}: item {i}: 'answer_keywords' must be a list of strings")
        out.append(
            GoldQuestion(
                id=str(item.get("id", i)),
                question=item["question"],
                kind=str(item.get("type", "")),
                gold_docs=tuple(gold),
                answer_keywords=tuple(keywords),
            )
        )
    return out


def gold_article_ids(gold_docs: Iterable[int | str], articles: Iterable[ArticleRecord]) -> frozenset[str]:
    """The stored articles any of whose origins is one of the gold documents."""
    wanted = set(gold_docs)
    found = set()
    for article in articles:
        for origin in article.origins:
            name = PurePath(str(origin.get("path", ""))).name
            if (name == GOLD_CSV and origin.get("record") in wanted) or (
                name == GOLD_SEED and "seed" in wanted
            ):
                found.add(article.id)
    return frozenset(found)


def cited_articles(answer: Answer) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c.article_id for c in sorted(answer.citations, key=lambda c: c.n)))


def evaluate(
    questions: Sequence[GoldQuestion],
    ask: Callable[[Question], Answer],
    articles: Sequence[ArticleRecord],
) -> EvalReport:
    """Ask every question and score the answers."""
    scores = []
    for gold in questions:
        answer = ask(Question(gold.question))
        scores.append(
            QuestionScore(gold, answer, gold_article_ids(gold.gold_docs, articles), cited_articles(answer))
        )
    return EvalReport(tuple(scores))
