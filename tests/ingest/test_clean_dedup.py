"""Furniture removal and duplicate merging on the real corpus."""

from __future__ import annotations

import re

import pytest

from ingest.dedup import Deduplicator
from ingest.normalize import normalize
from ingest.readers.files import read_file, walk
from ingest.settings import IngestSettings
from tests.conftest import CORPUS

pytestmark = pytest.mark.unit

FURNITURE = [
    r"^\+99Home$",
    r"^e-mail$",
    r"^TRENDING$",
    r"^MOST READ$",
    r"^MORE FOR YOU$",
    r"viewing now$",
    r"^CLICK HERE",
    r"sign up for the \w+ newsletter",
    r"please support us",
    r"by TaboolaSponsored Link",
    r"^PUBLISHED: .* UPDATED:",
    r"^Share or comment on this article",
    r"^SKIP ADVERTISEMENT$",
    r"Forbes Daily: Join over",
]


@pytest.fixture(scope="module")
def corpus_articles():
    raws = [raw for path in walk(CORPUS) for raw in read_file(path, IngestSettings())]
    return [a for a in (normalize(r) for r in raws) if a is not None]


def test_no_furniture_left(corpus_articles) -> None:
    raw = (CORPUS / "huawei_uk" / "articles.csv").read_text(encoding="utf-8")
    for pattern in FURNITURE:
        rule = re.compile(pattern, re.I | re.M)
        assert rule.search(raw), f"the corpus no longer has {pattern!r}; the test would prove nothing"
        hits = [a.id for a in corpus_articles if rule.search(a.text)]
        assert not hits, f"{pattern!r} left in {hits}"


def test_paragraphs_are_kept(corpus_articles) -> None:
    # A few rows were pasted as one line; every other long article keeps its paragraphs.
    long_ones = [a for a in corpus_articles if len(a.text) > 3000]
    with_paragraphs = [a for a in long_ones if a.text.count("\n\n") >= 3]
    assert len(with_paragraphs) >= 0.9 * len(long_ones) > 10


def test_csv_merges_are_exactly_the_known_duplicates(corpus_articles) -> None:
    csv_only = [a for a in corpus_articles if str(a.origins[0]["path"]).endswith("articles.csv")]
    kept, merges = Deduplicator(IngestSettings().near_duplicate_threshold).run(csv_only)
    pairs = {(m.kept_origin["record"], m.merged_origin["record"]) for m in merges}
    assert pairs == {(31, 32), (50, 59), (51, 60), (52, 61), (56, 57), (71, 72), (47, 48)}
    assert len(kept) == 67
    by_record = {o["record"]: c.article for c in kept for o in c.article.origins}
    # Richer metadata wins: row 56 has no title, URL or date; row 57 has them.
    assert by_record[56].url and by_record[56].published and by_record[56] is by_record[57]


def test_whole_corpus_merges_html_copies_of_csv_rows(corpus_articles) -> None:
    kept, merges = Deduplicator(IngestSettings().near_duplicate_threshold).run(corpus_articles)
    html_merges = [m for m in merges if str(m.merged_origin["path"]).endswith(".html")]
    # Each saved Global Times page is the same article as one CSV row.
    assert len(html_merges) == 6
    assert len(kept) == len(corpus_articles) - len(merges) == 68


def test_every_corpus_article_is_detected_as_english(corpus_articles) -> None:
    assert {a.language for a in corpus_articles} == {"en"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Written for this test: short news-like lines in three languages, and no letters at all.
        ("Le gouvernement a annoncé mardi de nouvelles règles pour les opérateurs de réseaux mobiles.", "fr"),
        ("Die Regierung will ausländische Anbieter bis 2027 aus dem Kernnetz entfernen.", "de"),
        ("El ministerio publicará la lista de proveedores autorizados antes de final de año.", "es"),
        ("2020-07-14 12:00 — 5 / 10 / 2027", None),
    ],
)
def test_language_is_detected_from_the_text(text: str, expected: str | None) -> None:
    from ingest.normalize import detect_language

    assert detect_language(text) == expected
