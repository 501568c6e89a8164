"""URL inputs: single pages and RSS/Atom feeds (fetched or saved as files) into RawArticles.

All traffic goes to the loopback test site; the ``net`` fixture blocks anything else.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from ingest.errors import BadStatus, InputError, NotAnArticle, RefusedURL
from ingest.readers.feed import looks_like_feed
from ingest.readers.files import read_file
from ingest.readers.web import read_url
from ingest.settings import IngestSettings
from tests.ingest.conftest import Net
from tests.ingest.site import ARTICLES, SUMMARIES, SiteServer, atom_feed, rss_feed

pytestmark = pytest.mark.unit

LOCAL = IngestSettings(allow_private_urls=True, fetch_timeout=2.0, fetch_deadline=10.0)


def _public(site: SiteServer) -> str:
    """The loopback site under a public-looking name (see ``tests.ingest.conftest.SITE_IP``)."""
    return f"http://site.test:{site.server_address[1]}"


def test_summary_only_feed_entries_are_completed_from_their_links(net: Net, site: SiteServer) -> None:
    site.paths.clear()
    articles = list(read_url(f"{site.base}/feed.xml", LOCAL))
    assert [a.title for a in articles] == [a["title"] for a in ARTICLES.values()]
    assert sorted(site.paths) == sorted(["/feed.xml"] + [f"/articles/{s}.html" for s in ARTICLES])
    for (slug, art), got in zip(ARTICLES.items(), articles, strict=True):
        link = f"{site.base}/articles/{slug}.html"
        assert got.origin == {"url": link}
        assert got.url == link
        assert got.author == art["author"]
        assert got.published is not None and got.published.startswith(art["date"])
        assert got.publisher == "Harbor Ledger"
        # The page's body, not the feed's one-line teaser, and no navigation or footer.
        assert art["paragraphs"][2][:60] in got.text
        assert got.text.strip() != SUMMARIES[slug]
        assert "All rights reserved" not in got.text and "World" not in got.text.split()
    assert net.blocked == []


def test_feed_entries_with_full_content_are_not_fetched(net: Net, site: SiteServer) -> None:
    site.paths.clear()
    articles = list(read_url(f"{site.base}/atom", LOCAL))  # served as text/xml: sniffed
    assert site.paths == ["/atom"]
    assert len(articles) == len(ARTICLES)
    first, art = articles[0], ARTICLES["chips"]
    assert first.title == art["title"]
    assert first.author == art["author"]
    assert first.published == f"{art['date']}T09:00:00Z"
    assert first.publisher == "Harbor Ledger"
    assert first.text.split("\n\n") == art["paragraphs"]  # paragraphs kept


def test_a_feed_without_content_type_is_sniffed(net: Net, site: SiteServer) -> None:
    articles = list(read_url(f"{site.base}/feed-untyped", LOCAL))
    assert [a.title for a in articles] == [a["title"] for a in ARTICLES.values()]


def test_single_article_page(net: Net, site: SiteServer) -> None:
    url = f"{site.base}/articles/cables.html"
    [article] = list(read_url(url, LOCAL))
    art = ARTICLES["cables"]
    assert article.origin == {"url": url}
    assert article.title == art["title"]
    assert article.author == art["author"]
    assert article.published == art["date"]
    assert article.publisher == "Harbor Ledger"
    assert article.url == url  # the canonical link
    for paragraph in art["paragraphs"]:
        assert paragraph in article.text
    assert "All rights reserved" not in article.text


def test_redirected_page_keeps_the_url_the_user_gave_as_origin(net: Net, site: SiteServer) -> None:
    url = f"{_public(site)}/redirect/2"
    [article] = list(read_url(url, IngestSettings()))
    assert article.origin == {"url": url}
    assert article.title == ARTICLES["chips"]["title"]


def test_plain_text_page(net: Net, site: SiteServer) -> None:
    [article] = list(read_url(f"{site.base}/notes.txt", LOCAL))
    assert article.text == "A plain text note.\n\nIt has two paragraphs of text."


def test_entry_whose_link_fails_keeps_its_summary_with_a_warning(
    net: Net, site: SiteServer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="ingest.readers.feed"):
        articles = list(read_url(f"{site.base}/feed-partial.xml", LOCAL))
    assert [a.title for a in articles] == [ARTICLES["chips"]["title"], "A story that was taken down"]
    assert articles[1].text == "Only this line is left of it."
    assert "HTTP 404 Not Found" in caplog.text and "/missing" in caplog.text


def test_entry_links_go_through_the_same_guard(
    net: Net, site: SiteServer, caplog: pytest.LogCaptureFixture
) -> None:
    # The feed is on a "public" host; its links point to the loopback address, which the
    # default settings refuse, and to metadata/private/file targets: none is fetched.
    site.paths.clear()
    with caplog.at_level(logging.WARNING, logger="ingest.readers.feed"):
        articles = list(read_url(f"{_public(site)}/feed.xml", IngestSettings()))
        hostile = list(read_url(f"{_public(site)}/feed-hostile-links.xml", IngestSettings()))
    assert site.paths == ["/feed.xml", "/feed-hostile-links.xml"]
    assert [a.text for a in articles] == list(SUMMARIES.values())
    assert [a.text for a in hostile] == ["Teaser number 0.", "Teaser number 1.", "Teaser number 2."]
    assert "refused: loopback address 127.0.0.1" in caplog.text
    assert "refused: cloud metadata address 169.254.169.254" in caplog.text
    assert "refused: scheme 'file'" in caplog.text
    assert "internal.test resolves to private address 10.0.0.5" in caplog.text
    assert net.blocked == []


@pytest.mark.parametrize(
    ("path", "error", "reason"),
    [
        ("/missing", BadStatus, "HTTP 404 Not Found"),
        ("/image.png", NotAnArticle, "not an article: image/png"),
        ("/catalog.xml", NotAnArticle, "not an article: application/xml that is not an RSS or Atom feed"),
        ("/empty-feed.xml", InputError, "no articles found (an empty feed)"),
        (
            "/to-private",
            RefusedURL,
            "redirect to http://10.1.2.3/ refused: private address 10.1.2.3 (allow_private_urls is off)",
        ),
    ],
)
def test_url_failures_name_the_url_and_the_reason(
    net: Net, site: SiteServer, path: str, error: type[InputError], reason: str
) -> None:
    url = f"{_public(site)}{path}"
    with pytest.raises(error) as info:
        list(read_url(url, IngestSettings()))
    assert str(info.value) == f"{url}: {reason}"


def test_other_schemes_are_refused_by_the_url_reader(net: Net) -> None:
    with pytest.raises(RefusedURL, match="scheme 'ftp' is not fetched"):
        list(read_url("ftp://example.org/feed.xml", IngestSettings()))
    assert net.resolved == []


# --- feeds saved as files ------------------------------------------------------------------


def test_feed_file_with_full_text_reads_offline(net: Net, tmp_path: Path) -> None:
    path = tmp_path / "saved.atom"
    path.write_text(atom_feed("https://ledger.example"))
    articles = read_file(path, IngestSettings())
    assert [a.origin for a in articles] == [{"path": str(path), "record": i} for i in range(len(ARTICLES))]
    assert articles[1].url == "https://ledger.example/articles/cables.html"
    assert articles[1].text.split("\n\n") == ARTICLES["cables"]["paragraphs"]
    assert net.resolved == [] and net.blocked == []


def test_feed_file_with_summaries_fetches_links_through_the_guard(
    net: Net, site: SiteServer, tmp_path: Path
) -> None:
    path = tmp_path / "saved.rss"
    path.write_text(rss_feed(site.base))
    articles = read_file(path, LOCAL)
    assert articles[0].origin == {"path": str(path), "record": 0}
    assert ARTICLES["chips"]["paragraphs"][1][:50] in articles[0].text
    # With the default settings the loopback links are refused and the summaries kept.
    assert [a.text for a in read_file(path, IngestSettings())] == list(SUMMARIES.values())
    assert net.blocked == []


def test_xml_file_that_is_not_a_feed_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "catalog.xml"
    path.write_text('<?xml version="1.0"?><catalog><item>bolt</item></catalog>')
    with pytest.raises(InputError, match=r"catalog\.xml: not an RSS or Atom feed"):
        read_file(path, IngestSettings())


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'<?xml version="1.0"?>\n<rss version="2.0"><channel>', True),
        (b'\xef\xbb\xbf<?xml version="1.0"?><!-- c --><feed xmlns="http://www.w3.org/2005/Atom">', True),
        (b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">', True),
        (b"<!DOCTYPE html><html><body><p>Subscribe to our <feed> of news</p>", False),
        (b'<?xml version="1.0"?><catalog/>', False),
        (b"plain words about an rss reader", False),
    ],
)
def test_feed_sniffing(head: bytes, expected: bool) -> None:
    assert looks_like_feed(head) is expected


def test_the_same_page_read_twice_in_one_process_gives_the_same_article(net: Net, site: SiteServer) -> None:
    # A long-running bot re-ingests URLs; nothing cached between reads may empty the page.
    url = f"{site.base}/articles/satellites.html"
    first = list(read_url(url, LOCAL))
    assert list(read_url(url, LOCAL)) == first
