"""Discord message formatting: limits, splitting and neutralised mentions, without Discord."""

from __future__ import annotations

import re

import pytest

from bot.answer.labels import PublisherLabel
from bot.answer.types import Answer, Citation, Claim, Dating
from bot.discord import limits, render
from bot.discord.ports import ArticleHit, IngestSummary
from bot.library_publishers import PublisherCount
from vectorstore.records import ArticleRecord

pytestmark = pytest.mark.unit


def _citation(n: int, title: str = "Chip export rules tighten", quote: str = "A passage.") -> Citation:
    return Citation(
        n=n,
        article_id=f"a{n}",
        title=title,
        publisher="Example Wire",
        author=None,
        published="2024-03-0" + str(n % 9 + 1),
        url=f"https://news.example/story-{n}",
        quote=quote,
    )


def _assert_valid_embed(embed: dict) -> None:
    assert len(embed.get("title", "")) <= limits.TITLE_MAX
    assert len(embed.get("description", "")) <= limits.DESCRIPTION_MAX
    assert len(embed.get("fields", [])) <= limits.FIELDS_MAX
    for f in embed.get("fields", []):
        assert 0 < len(f["value"]) <= limits.FIELD_VALUE_MAX
        assert 0 < len(f["name"]) <= limits.FIELD_NAME_MAX
    assert render.embed_size(embed) <= limits.EMBED_TOTAL_MAX


def _paragraphs(n: int, words: int) -> str:
    return "\n\n".join(
        " ".join(f"Sentence{p}x{i} says something about chips [{i % 3 + 1}]." for i in range(words))
        for p in range(n)
    )


def test_split_text_keeps_words_and_respects_limit() -> None:
    text = _paragraphs(6, 60)
    chunks = render.split_text(text, 500)
    assert len(chunks) > 1
    assert all(len(c) <= 500 for c in chunks)
    assert " ".join(chunks).split() == text.split()


def test_split_text_prefers_paragraph_then_sentence_boundaries() -> None:
    para = "First thought ends here. " * 8
    text = f"{para.strip()}\n\n{para.strip()}"
    chunks = render.split_text(text, len(para) + 5)
    assert chunks == [para.strip(), para.strip()]
    sentences = render.split_text(para, 60)
    assert all(c.endswith("here.") for c in sentences)


def test_split_text_never_cuts_a_masked_link() -> None:
    link = "[A very long title with several words](<https://news.example/a/b/c?d=e>)"
    text = " ".join([f"word{i}" for i in range(30)] + [link] + [f"tail{i}" for i in range(30)])
    for limit in range(len(link), len(link) + 40, 7):
        chunks = render.split_text(text, limit)
        assert sum(link in c for c in chunks) == 1, limit


def test_neutralise_defuses_every_mention_kind() -> None:
    raw = "Hi @everyone and @here, <@123456789012345678> <@!123456789012345678> <@&987654321098765432>"
    out = render.neutralise(raw)
    assert not re.search(r"@(everyone|here)\b", out)
    assert not re.search(r"<@[!&]?\d+>", out)
    assert "everyone" in out and "987654321098765432" in out


def test_masked_link_has_no_preview_and_cannot_be_broken_by_the_title() -> None:
    link = render.masked_link("Evil ](http://x) [title] @everyone", "https://news.example/a b)c")
    assert re.fullmatch(r"\[.*\]\(<https://news\.example/[^\s)>]+>\)", link)
    assert "@everyone" not in link
    assert render.masked_link("No link", "javascript:alert(1)") == "No link"


def test_answer_messages_cite_sources_and_stay_within_limits() -> None:
    answer = Answer(
        question="Who restricts chip exports?",
        text="Country A restricts exports [1]. Country B followed [2].",
        abstained=False,
        citations=(_citation(1), _citation(2)),
    )
    parts = render.answer_messages(answer, 1.25)
    assert len(parts) == 1
    embed = parts[0].embeds[0]
    _assert_valid_embed(embed)
    assert embed["title"] == "Who restricts chip exports?"
    sources = embed["fields"][0]["value"]
    assert "**[1]** [Chip export rules tighten](<https://news.example/story-1>) · Example Wire" in sources
    assert "**[2]**" in sources
    assert embed["footer"]["text"].startswith("Answered in 1.2 s")


def test_a_followup_says_how_it_was_read_without_pinging() -> None:
    answer = Answer(
        question="who said that?",
        text="Ann Lee said it [1].",
        abstained=False,
        citations=(_citation(1),),
        reading="who said that the ferry was safe? @everyone " + "x" * 300,
    )
    embed = render.answer_messages(answer, 1.0)[0].embeds[0]
    _assert_valid_embed(embed)
    name = embed["author"]["name"]
    assert name.startswith("Reading this as: who said that the ferry was safe?")
    assert len(name) <= limits.AUTHOR_MAX and "@everyone" not in name
    # the answer's text (what the next turn reads back as history) stays the answer alone
    assert embed["description"] == "Ann Lee said it [1]."
    plain = render.answer_messages(Answer("q", "A [1].", False, (_citation(1),)), 1.0)[0].embeds[0]
    assert "author" not in plain


def test_long_answer_is_split_into_valid_messages() -> None:
    text = _paragraphs(12, 40)
    assert len(text) > 3 * limits.DESCRIPTION_MAX
    citations = tuple(_citation(n, title="T" * 300) for n in range(1, 31))
    parts = render.answer_messages(Answer("q", text, False, citations), 3.0)
    assert len(parts) >= 4
    for part in parts:
        assert len(part.embeds) == 1
        _assert_valid_embed(part.embeds[0])
    described = " ".join(p.embeds[0].get("description", "") for p in parts)
    assert described.split() == text.split()
    listed = "\n".join(f["value"] for p in parts for f in p.embeds[0].get("fields", []))
    assert all(f"**[{n}]**" in listed for n in range(1, 31))
    assert "footer" in parts[-1].embeds[0]


def test_sources_messages_quote_each_passage_with_its_link() -> None:
    citations = tuple(_citation(n, quote="Quoted words @everyone. " * 60) for n in range(1, 13))
    parts = render.sources_messages(citations)
    text = "\n".join(p.embeds[0]["description"] for p in parts)
    for part in parts:
        _assert_valid_embed(part.embeds[0])
    for n in range(1, 13):
        day = f"2024-03-0{n % 9 + 1}"
        block = f"**[{n}]** [Chip export rules tighten](<https://news.example/story-{n}>)\n"
        assert f"{block}*Example Wire — unlabelled · {day}*\n> Quoted" in text
    assert "@everyone" not in text


def _article(i: int) -> ArticleRecord:
    return ArticleRecord(
        id=f"id{i}",
        title=f"Story {i}",
        publisher="Example Wire",
        author="A. Writer",
        published="2024-01-02",
        url=f"https://news.example/{i}",
        language="en",
        origins=(),
        content_hash="h",
        ingested_at="2024-01-03T00:00:00Z",
        chunk_count=3,
    )


def test_search_pages_and_article_and_stats_embeds_are_valid() -> None:
    hits = [ArticleHit(_article(i), 1.0 / (i + 1)) for i in range(12)]
    assert render.page_count(len(hits)) == 3
    last = render.search_embed("chips", hits, 2)
    assert "`11.` [Story 10](<https://news.example/10>)" in last["description"]
    assert last["footer"]["text"] == "Page 3/3 · 12 articles"
    article = render.article_embed(_article(1), "Lead paragraph. " * 200, PublisherLabel("Example Wire"))
    _assert_valid_embed(article)
    assert article["url"] == "https://news.example/1"
    fields = {f["name"]: f["value"] for f in article["fields"]}
    assert fields["Publisher"] == "Example Wire — unlabelled"
    assert "nothing is guessed" in fields["Why this label"]
    stats = render.stats_embed(
        {"articles": 5, "chunks": 40, "publishers": ["a", "b"], "earliest": "2020", "latest": "2024"}
    )
    assert [f["value"] for f in stats["fields"]][:3] == ["5", "40", "2"]


def test_ingest_text_reports_counts_and_failures() -> None:
    text = render.ingest_text("https://news.example/feed", IngestSummary(2, 1, 0, ["x: timed out"]))
    assert text.startswith("Ingested <https://news.example/feed>: 2 added, 1 updated, 0 unchanged, 1 failed.")
    assert "- x: timed out" in text


def test_sources_show_their_publishers_label_and_date_or_undated() -> None:
    labelled = Citation(
        1,
        "a1",
        "Harbour bridge approved",
        "State Voice",
        None,
        "2020-07-15",
        "https://voice.example/1",
        "Quoted.",
        publisher_type="state-affiliated media",
        publisher_country="Eastland",
        publisher_label="state-affiliated media (Eastland)",
    )
    undated = Citation(2, "a2", "Ferry notes", None, None, None, None, "Quoted.")
    shown = "State Voice — state-affiliated media (Eastland) · 2020-07-15"
    assert render.source_line(labelled).endswith(f"· {shown}")
    assert render.source_line(undated).endswith("· unlabelled · undated")
    answer = Answer(
        "q",
        "The bridge was approved. [1] Ferries run daily. [2]",
        False,
        (labelled, undated),
        claims=(Claim(0, 28, (1,), ((1,),), 1, ("State Voice",), True), Claim(29, 51, (2,), ((2,),), 1)),
        dating=Dating("2020-07-15", "2020-07-15", undated=1),
    )
    embed = render.answer_messages(answer, 1.0)[0].embeds[0]
    assert embed["description"] == (
        "The bridge was approved. [1] · 1 publisher, state-affiliated media only Ferries run daily. [2] "
        "· 1 publisher\nNewest source: 2020-07-15"
    )
    quoted = render.sources_messages(answer.citations)[0].embeds[0]["description"]
    assert "*State Voice — state-affiliated media (Eastland) · 2020-07-15*" in quoted
    assert "*unlabelled · undated*" in quoted


def test_the_publishers_list_fits_one_embed_and_says_how_many_more() -> None:
    rows = [PublisherCount(PublisherLabel(f"Publisher {i:03d} " + "x" * 40), 500 - i) for i in range(300)]
    part = render.publishers_messages(rows)[0]
    embed = part.embeds[0]
    _assert_valid_embed(embed)
    lines = embed["description"].split("\n")
    assert lines[0].startswith("**Publisher 000") and lines[0].endswith("— unlabelled · 500 articles")
    assert lines[-1] == f"… and {300 - (len(lines) - 1)} more publishers"
    assert embed["footer"]["text"] == f"300 publishers · {sum(r.articles for r in rows)} articles"
    assert render.publishers_messages([])[0].content.startswith("The library is empty")
