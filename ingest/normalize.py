"""From a raw article to a clean one: body without furniture, title, dates, language, id, hash."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from datetime import UTC, date, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ingest.clean import clean_text
from ingest.models import Article, RawArticle

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
# Dates as news pages print them near the top: "Jul 23, 2020", "20 February 2019", "2020-07-15".
_BODY_DATE = re.compile(
    rf"\b({_MONTH} \d{{1,2}},? \d{{4}}|\d{{1,2}} {_MONTH},? \d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})",
    re.I,
)
_URL_DATE = re.compile(r"/((?:19|20)\d{2})/(\d{2})/(\d{2})/")
_BYLINE = re.compile(r"^by\s+(?P<name>[^.!?]{2,80})$", re.I)
_TRACKING = re.compile(r"^(utm_\w+|sh|fbclid|gclid|ocid|cmpid|smid|ref)$", re.I)
_TITLE_MAX_WORDS = 25
_DERIVED_TITLE_CHARS = 110


def canonical_url(url: str | None) -> str | None:
    """The URL without tracking parameters or fragment, lower-cased scheme and host."""
    if not url or not re.match(r"^https?://", url.strip(), re.I):
        return None
    parts = urlsplit(url.strip())
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    )
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


def normalised_text(text: str) -> str:
    """What two copies of one article share: case, punctuation variants and spacing folded."""
    text = unicodedata.normalize("NFKC", text).lower()
    return " ".join(re.findall(r"\w+", text))


def content_hash(text: str) -> str:
    return hashlib.sha256(normalised_text(text).encode()).hexdigest()


def parse_date(value: str | None) -> date | None:
    """A date from what sources write; None when it cannot be read (never a guess of today)."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    for fmt in ("%b %d, %Y", "%B %d, %Y", "%d %B %Y", "%d %b %Y", "%b. %d, %Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    import dateparser  # slow to import; only for the formats above do not cover

    parsed = dateparser.parse(
        value,
        settings={
            "PREFER_DAY_OF_MONTH": "first",
            "REQUIRE_PARTS": ["year", "month"],
            "STRICT_PARSING": False,
        },
    )
    return parsed.date() if parsed else None


def _date_in_header(text: str) -> date | None:
    """A publication date printed in the first lines of the body (page headers, datelines)."""
    head = text[:1000]
    for match in _BODY_DATE.finditer(head):
        found = parse_date(match.group(1).replace(".", "").replace(",", ","))
        if found and 1990 <= found.year <= datetime.now(UTC).year + 1:
            return found
    return None


def _date_in_url(url: str | None) -> date | None:
    """News sites put the date in the path: /2020/07/14/..."""
    if url and (m := _URL_DATE.search(url)):
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    return None


def _headline_like(line: str) -> bool:
    words = line.split()
    return 2 <= len(words) <= _TITLE_MAX_WORDS and not re.search(r"[.;:,]$", line)


def _derive_title(text: str) -> str:
    """A title from the lead sentence, cut at a word boundary."""
    import pysbd

    sentences = pysbd.Segmenter(language="en", clean=False).segment(text.strip()[:600])
    lead = (sentences[0] if sentences else text).strip()
    if len(lead) <= _DERIVED_TITLE_CHARS:
        return lead.rstrip(".")
    cut = lead[:_DERIVED_TITLE_CHARS].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


_LANGUAGE_SAMPLE_CHARS = 1000


def with_language(article: Article) -> Article:
    """The article with its language detected, if it has none yet."""
    if article.language is not None:
        return article
    return dataclasses.replace(article, language=detect_language(article.text))


def load_language_model() -> None:
    """Load the language identifier now (~1 s of CPU, once per process) rather than at first use."""
    detect_language("English")


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, from its opening; None for text without letters.

    py3langid (naive Bayes over byte n-grams): ~0.3 ms a text after a ~1 s model load. langdetect,
    used before, took ~15 ms a text plus ~1 s to load its profiles, on ingest's critical path.
    """
    import py3langid

    sample = text[:_LANGUAGE_SAMPLE_CHARS]
    if not any(ch.isalpha() for ch in sample):
        return None
    language, _ = py3langid.classify(sample)
    return str(language)


def _split_header(paragraphs: list[str], title: str | None) -> tuple[str | None, str | None, list[str]]:
    """Take the headline and byline off the top of the body: (title, author, rest)."""
    author = None
    rest = list(paragraphs)
    if rest and title and normalised_text(rest[0]) == normalised_text(title):
        rest.pop(0)
    elif rest and title is None and _headline_like(rest[0]) and len(rest) > 1:
        title = rest.pop(0)
    for i, para in enumerate(rest[:6]):
        if (m := _BYLINE.match(para)) and len(para.split()) <= 10:
            author = m["name"].strip()
            rest.pop(i)
            break
    # Pages often repeat the headline or standfirst right under it.
    while len(rest) > 1 and title and normalised_text(rest[0]) == normalised_text(title):
        rest.pop(0)
    return title, author, rest


def normalize(raw: RawArticle, *, detect: bool = True) -> Article | None:
    """Clean and describe one article; None when nothing of the body survives cleaning.

    ``detect=False`` leaves a language the source did not give unset, for the caller to detect
    elsewhere (the ingest workers: see ``ChunkEmbedPool.normalize``).
    """
    body = clean_text(raw.text, raw.publisher)
    title, byline, paragraphs = _split_header(body.split("\n\n") if body else [], raw.title)
    text = "\n\n".join(paragraphs).strip()
    if not text:
        return None
    if byline and raw.publisher and normalised_text(byline) == normalised_text(raw.publisher):
        byline = None  # "By Global Times": the outlet, not a person
    derived = not title
    if not title:
        title = _derive_title(text)
    day = parse_date(raw.published) or _date_in_header(raw.text) or _date_in_url(raw.url)
    digest = content_hash(text)
    url = canonical_url(raw.url)
    article = Article(
        id=url or f"sha256:{digest[:32]}",
        title=" ".join(title.split()),
        text=text,
        publisher=" ".join(raw.publisher.split()) if raw.publisher else None,
        author=" ".join((raw.author or byline or "").split()) or None,
        published=day.isoformat() if day else None,
        published_ts=int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) if day else None,
        url=raw.url.strip() if raw.url else None,
        language=raw.language or None,
        origins=(dict(raw.origin),),
        content_hash=digest,
        title_is_derived=derived,
    )
    return with_language(article) if detect else article
