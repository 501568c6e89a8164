"""The regression guard: the dev questions scored on the whole shared corpus must meet the targets."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.answer.service import AnswerService, build_answer_service
from bot.answer.types import Answer, Citation, Question
from bot.errors import EvalFileError
from bot.evaluation import EvalReport, evaluate, gold_article_ids, keywords_found, load_questions
from bot.settings import Secrets, Settings
from tests.conftest import DEV_QUESTIONS, IngestedCorpus
from vectorstore.records import ArticleRecord
from vectorstore.settings import VectorStoreSettings


def article(article_id: str, *origins: dict[str, str | int]) -> ArticleRecord:
    return ArticleRecord(article_id, "t", None, None, None, None, None, origins, "h", "now", 1)


@pytest.mark.unit
def test_gold_rows_and_seed_map_to_articles_through_their_origins() -> None:
    stored = [
        article(
            "x",
            {"path": "/data/huawei_uk/articles.csv", "record": 31},
            {"path": "a/articles.csv", "record": 32},
        ),
        article("y", {"path": "../corpus/seed_article.txt", "record": 0}),
        article("z", {"path": "other.csv", "record": 31}),
    ]
    assert gold_article_ids([32], stored) == {"x"}
    assert gold_article_ids(["seed", 5], stored) == {"y"}
    assert gold_article_ids([], stored) == frozenset()


@pytest.mark.unit
def test_measures_follow_the_eval_readme(tmp_path: Path) -> None:
    path = tmp_path / "q.json"
    path.write_text(
        json.dumps(
            [
                {"id": "a", "question": "q1", "gold_docs": [1], "answer_keywords": ["red|crimson", "car"]},
                {"id": "b", "question": "q2", "gold_docs": [2], "answer_keywords": ["blue"]},
                {"id": "c", "question": "q3", "gold_docs": [], "answer_keywords": []},
            ]
        )
    )
    stored = [article(f"art{i}", {"path": "articles.csv", "record": i}) for i in range(8)]

    def cite(n: int, article_id: str) -> Citation:
        return Citation(n, article_id, "t", None, None, None, None, "q")

    answers = {
        # gold cited fifth: a citation hit but not a hit@4
        "q1": Answer(
            "q1",
            "A Crimson car.",
            False,
            tuple(cite(i + 1, f"art{j}") for i, j in enumerate([3, 4, 5, 6, 1])),
        ),
        "q2": Answer("q2", "I couldn't find that (blue).", True),
        "q3": Answer("q3", "I couldn't find that.", True),
    }
    report = evaluate(load_questions(path), lambda q: answers[q.text], stored)
    assert report.hit_at_4 == 0.0
    assert report.keyword_accuracy == 0.5  # an abstention holds no keywords
    assert report.citation_hit == 1.0  # of the one answered
    assert report.abstention == 1.0
    assert report.false_abstention == 0.5
    assert keywords_found("the RED car", ["red|crimson", "car"]) and not keywords_found(
        "a red bus", ["red", "car"]
    )


@pytest.mark.unit
def test_malformed_question_files_are_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": "a list"}')
    with pytest.raises(EvalFileError, match="list"):
        load_questions(bad)
    with pytest.raises(EvalFileError, match="cannot be read"):
        load_questions(tmp_path / "missing.json")


@pytest.fixture(scope="module")
def service(ingested_corpus: IngestedCorpus) -> AnswerService:
    settings = Settings(vectorstore=VectorStoreSettings(path=ingested_corpus.store_path))
    return build_answer_service(settings, Secrets())


@pytest.fixture(scope="module")
def dev_report(service: AnswerService) -> EvalReport:
    articles = service.retriever.index.list_articles()
    return evaluate(load_questions(DEV_QUESTIONS), service.ask, articles)


@pytest.mark.integration
@pytest.mark.slow
def test_dev_set_meets_the_answer_quality_targets(dev_report: EvalReport) -> None:
    summary = dev_report.summary()
    assert dev_report.hit_at_4 >= 0.90, summary
    assert dev_report.keyword_accuracy >= 0.65, summary
    assert dev_report.citation_hit >= 0.90, summary
    assert dev_report.false_abstention <= 0.10, summary


@pytest.mark.integration
@pytest.mark.slow
def test_dev_set_abstention_target(dev_report: EvalReport) -> None:
    assert dev_report.abstention >= 0.8, dev_report.summary()


@pytest.mark.integration
@pytest.mark.slow
def test_answers_cite_every_sentence_within_the_length_limit(dev_report: EvalReport) -> None:
    for score in dev_report.scores:
        answer = score.answer
        if answer.abstained:
            assert answer.text.startswith("I couldn't find that in the") and not answer.citations
            continue
        assert len(answer.text) <= 700 + 20  # the citation marks of the last sentence
        assert answer.text.rstrip().endswith("]")
        assert {c.n for c in answer.citations} == set(range(1, len(answer.citations) + 1))
        assert all(c.quote and c.origin for c in answer.citations)
        assert {"retrieve", "answer", "total"} <= set(answer.timings_ms)


@pytest.mark.integration
@pytest.mark.slow
def test_filters_restrict_what_is_cited(service: AnswerService) -> None:
    question = "Why did the UK decide to ban Huawei from its 5G network?"
    guardian = service.ask(Question(question, source="guardian"))
    assert guardian.citations and {c.publisher for c in guardian.citations} == {"Guardian"}
    dated = service.ask(Question(question, since=date(2020, 7, 1)))
    assert dated.citations and all(c.published and c.published >= "2020-07-01" for c in dated.citations)
    nobody = service.ask(Question(question, source="No Such Paper"))
    assert nobody.abstained and "no stored article is from publisher" in nobody.text.lower()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "not valid JSON"),
        ('{"question": "x"}', "expected a JSON list"),
        ('[{"id": 1}]', "item 0 has no 'question' text"),
    ],
)
def test_question_files_with_mistakes_are_one_clear_line(tmp_path: Path, content: str, problem: str) -> None:
    from bot.cli_input import load_batch
    from bot.errors import EvalFileError
    from bot.evaluation import load_questions

    path = tmp_path / "questions.json"
    path.write_text(content, encoding="utf-8")
    for load in (load_questions, load_batch):
        with pytest.raises(EvalFileError) as info:
            load(path)
        assert problem in str(info.value) and "\n" not in str(info.value)
