"""Readers and normalisation on the real corpus and on bad inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.errors import InputError
from ingest.normalize import normalize
from ingest.readers.files import expand, read_file
from ingest.settings import IngestSettings
from tests.conftest import CORPUS

pytestmark = pytest.mark.unit
SETTINGS = IngestSettings()


def test_seed_trailer_becomes_metadata() -> None:
    raw = read_file(CORPUS / "seed_article.txt", SETTINGS)[0]
    trailer = (CORPUS / "seed_article.txt").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert trailer.startswith("via ")
    assert raw.url is not None and raw.url in trailer
    assert raw.publisher is not None and trailer.startswith(f"via {raw.publisher} ")
    assert raw.author is not None and trailer.endswith(raw.author)
    article = normalize(raw)
    assert article is not None
    assert "via " + raw.publisher not in article.text
    assert article.title_is_derived and len(article.title) <= 120
    assert article.language == "en"


def test_global_times_pages_have_title_date_and_body() -> None:
    pages = sorted((CORPUS / "huawei_uk" / "html").glob("*.html"))
    assert len(pages) == 6
    for page in pages:
        raw = read_file(page, SETTINGS)[0]
        html = page.read_text(encoding="utf-8", errors="replace")
        article = normalize(raw)
        assert article is not None
        assert article.title and article.title in html.replace("&#39;", "'").replace("&amp;", "&")
        assert article.published and article.published[:4] in ("2020", "2024")
        assert article.publisher == "Global Times"
        assert article.url and article.url.startswith("https://www.globaltimes.cn/")
        assert len(article.text) > 1000
        for furniture in ("Copyright", "Sign in", "Back to top", "GT Voice", "WEIBO"):
            assert furniture not in article.text[-300:]


def test_csv_url_titles_are_urls() -> None:
    raws = read_file(CORPUS / "huawei_uk" / "articles.csv", SETTINGS)
    assert len(raws) == 74
    assert [r.origin["record"] for r in raws] == list(range(74))
    url_rows = [r for r in raws if r.url]
    assert url_rows and all(r.title is None for r in url_rows)
    for raw in url_rows:
        article = normalize(raw)
        assert article is not None and not article.title.startswith("http")
        assert article.id.startswith("http")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"  \n", "file is empty"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary file, not text"),
        ("latin1.txt", "Caf\u00e9 au lait in the newsroom".encode("latin-1"), "not valid UTF-8 text"),
        ("broken.json", b'{"title": "x", "text": ', "malformed JSON"),
        ("broken.jsonl", b'{"text": "ok"}\n{"text": \n', "malformed JSON Lines at line 2"),
        ("nobody.csv", b"Title,Source\nA,B\n", "no 'Article' column"),
        ("quote.csv", b'Title,Article\nA,"unterminated\n', "malformed CSV"),
    ],
)
def test_bad_file_gives_one_line(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_file(path, SETTINGS)
    line = str(info.value)
    assert "\n" not in line and line.startswith(str(path)) and reason in line


def test_file_over_size_cap(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("word " * 300_000, encoding="utf-8")
    with pytest.raises(InputError, match="over max_file_mb"):
        read_file(path, IngestSettings(max_file_mb=1))


def test_missing_and_unsupported_paths_are_reported(tmp_path: Path) -> None:
    (tmp_path / "pic.png").write_bytes(b"\x89PNG")
    found = list(expand([tmp_path / "nope", tmp_path / "pic.png"]))
    assert [str(e) for e in found] == [
        f"{tmp_path / 'nope'}: no such file or directory",
        f"{tmp_path / 'pic.png'}: unsupported file type '.png'",
    ]


def test_directory_walk_skips_hidden_docs_and_symlink_loops(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.txt").write_text("One article body.", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("secret", encoding="utf-8")
    (tmp_path / "README.md").write_text("about this folder", encoding="utf-8")
    (tmp_path / "a" / "loop").symlink_to(tmp_path)
    assert list(expand([tmp_path])) == [tmp_path / "a" / "one.txt"]


def test_a_folder_with_nothing_to_read_is_one_error_naming_what_was_looked_for(tmp_path: Path) -> None:
    folder = tmp_path / "drafts"
    (folder / ".hidden").mkdir(parents=True)
    (folder / ".hidden" / "note.txt").write_text("Hidden notes are not articles.\n", encoding="utf-8")
    (folder / "README.md").write_text("What this folder is for.\n", encoding="utf-8")
    (folder / "report.pdf").write_bytes(b"%PDF-1.7")
    (errors,) = list(expand([folder]))
    assert isinstance(errors, InputError)
    looked_for = ".txt .md .markdown .text .html .htm .xhtml .csv .tsv .jsonl .ndjson .json .rss .atom .xml"
    assert str(errors) == f"no articles found in {folder} (looked for {looked_for})"
    (folder / "brief.md").write_text("A brief about ports.\n", encoding="utf-8")
    assert list(expand([folder])) == [folder / "brief.md"]


def test_markdown_is_read_as_its_words_with_the_dateline_under_its_heading(tmp_path: Path) -> None:
    brief = tmp_path / "ferry_rules.md"
    brief.write_text(
        "# Ferry rules tightened\n\n"
        "Published: 3 June 2024 · Ministry of Shipping (press release)\n\n"
        "The **Ministry of Shipping** today set [new rules](https://example.org/rules) for ferries.\n\n"
        "The rules cover:\n\n- night crossings;\n- *cargo* limits.\n\n1. first point\n2. second point\n",
        encoding="utf-8",
    )
    raw = read_file(brief, SETTINGS)[0]
    assert raw.title == "Ferry rules tightened"
    assert raw.published == "3 June 2024" and raw.publisher == "Ministry of Shipping (press release)"
    assert "Published" not in raw.text and "*" not in raw.text and "](" not in raw.text
    assert "The Ministry of Shipping today set new rules for ferries." in raw.text
    assert "- night crossings;" in raw.text and "- cargo limits." in raw.text
    assert "1. first point" in raw.text and "2. second point" in raw.text
    # a .txt file keeps its characters as written
    note = tmp_path / "ferry_note.txt"
    note.write_text("Fares rose 5 * 2 per cent, the *board* said.\n", encoding="utf-8")
    assert "*board*" in read_file(note, SETTINGS)[0].text
