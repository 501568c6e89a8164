"""Sentences of a text, and the flags that keep what is not a statement out of an answer.

Splitting is a regular expression that knows the abbreviations of news English (pysbd is more
thorough but costs tens of milliseconds a passage). The flags are decided from the sentence's
own shape, never from its topic: a photo caption ("X arriving at Y on Monday"), a byline or a
wire credit, a prompt to read, share or subscribe, a headline repeated in the body, a question
the writer asks, text too short or too shouty to be a statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntFlag

from language.lexicon import ABBREVIATIONS

_BOUNDARY = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9£$€])|\n+")
_LAST_WORD = re.compile(r"([\w.]+)[.!?][\"”’)\]]*$")
# "LONDON (Reuters) -", "BEIJING, Jan 28 (Reuters) -", "Feb 17 (Reuters) -": wire datelines.
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z .,'-]{2,40}(?:,\s+\w+\.? \d{1,2})?\s*(?:\([\w .]+\))?|"
    r"(?:[A-Z][a-z]{2,8}\.? \d{1,2}(?:,? \d{4})?\s*)?\([\w .]+\))\s*[-–—]+\s+"
)
# "EXCLUSIVE:", "UPDATE -", "TOPLINE": a capitalised label a site puts before the first sentence.
_LABEL = re.compile(
    r"^(?:TOPLINE|UPDATED?|EXCLUSIVE|BREAKING(?: NEWS)?|ANALYSIS|OPINION|EXPLAINER|FACTBOX|KEY FACTS|"
    r"BACKGROUND|WATCH|LIVE|EDITOR[’']?S NOTE|FIRST ON [A-Z]+)\s*[:|\-–—]?\s+(?=[\"“‘]?[A-Z0-9])"
)
_WORD = re.compile(r"[^\W\d_]+")
_ARTICLES = frozenset({"the", "a", "an"})
_HEADLINE_WORDS = 20
_LOWER_START = re.compile(r"^[a-z]")


class Flag(IntFlag):
    """Why a sentence should not be quoted as an answer (none: it may)."""

    CAPTION = 1
    BYLINE = 2
    PROMPT = 4  # read more, share, subscribe, follow, click
    HEADLINE = 8  # a title-case line, or the article's own title
    QUESTION = 16
    FRAGMENT = 32  # too short, no lower-case words, a link, or starts mid-sentence
    CREDIT = 64  # picture or copyright credit


# "Mayor X arriving at Y with Z": a name, then a participle, and no finite verb after it.
_CAPTION = re.compile(
    r"^[A-Z][\w.-]*\s+(?:(?:[A-Z][\w.-]*|of|the|and|for|de)\s+){0,8}(?:is |are )?"
    r"(?:pictured|seen|arriving|arrives|leaving|leaves|speaking|"
    r"attending|walking|gesturing|posing|looks on|delivering|waving|shaking hands|meeting|sitting|"
    r"standing|holding|visiting|addressing)\b(?![^.]*\b(?:said|says|told|is|are|was|were|has|have|had|"
    r"will|would|can|could|did|does)\b)",
)
# "Ann Lee, the harbour minister, is photographed in Westmoor, May 3." / "…, giving evidence to
# the committee in July.": a name and an aside, then a picture's participle and no verb.
_CAPTION_AFTER_ASIDE = re.compile(
    r"^[A-Z][^.;:]{0,140}?,\s+(?:is |are )?(?:pictured|photographed|arriving|leaving|speaking|"
    r"giving evidence|attending|walking|gesturing|posing|waving|shaking hands|sitting|standing|"
    r"holding|addressing)\b(?![^.]*\b(?:said|says|told|is|are|was|were|has|have|had|will|would|"
    r"can|could|did|does|that)\b)"
)
_LIST_POINT = re.compile(r"^(?:[-•*▪–]|\(?\d{1,2}[.)])\s+\S")
_VALUE = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|hundred|"
    r"thousand|million|billion|half|dozen)\b",
    re.I,
)
_CAPTION_MARK = re.compile(
    r"\((?:photo|image|picture|pictured|credit|file)\b[^)]*\)|\b(?:photograph|photo|image|picture)\s*:|"
    r"\((?:[A-Z][\w.'’-]+\s?){1,3}/\s?(?:[A-Z][\w.&-]*\s?){1,3}\)|"  # "(Ann Lee/PA)": photographer/agency
    r"\bgetty images\b|\bpa wire\b|\bafp via\b|\b(?:reuters|ap|afp|epa)/[A-Z]|\bfile photo\b|"
    r"\bpictured (?:above|below|left|right|here)\b|\(left\)|\(right\)|\(centre\)|\(center\)",
    re.I,
)
_BYLINE = re.compile(
    r"^(?i:published|updated|posted|last updated|first published|date|original title)\s*:|"  # a dateline
    r"^[Bb]y\s*[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}\s*(?:[,|-]|and\b|$)|"
    r"^(?i:reporting|writing|editing|additional reporting|compiled|produced) by\b|"
    r"^(?:[A-Z][\w.'’-]+\s+){1,3}(?:is|was) an? (?:\w+ ){0,3}(?:correspondent|reporter|editor|columnist|"
    r"contributor|writer)\b[^.]{0,60}\.?$",
)
_PROMPT = re.compile(
    r"^(?:read|see) (?:more|also|the full|our)\b|^(?:click|tap) (?:here|to)\b|\bclick here\b|"
    r"^share (?:this|on|via)\b|^follow (?:us|@|the)\b|^(?:sign up|subscribe)\b|\bsign up (?:for|to)\b|"
    r"\bnewsletter\b|^(?:listen|watch)(?: now)?:|^advertisement\b|^related:|^more:|"
    r"\ball rights reserved\b|^©|\bcookies?\b.*\b(?:accept|policy)\b|\bterms of (?:use|service)\b|"
    r"^download (?:the|our)\b|^(?:get|download) the app\b|"
    # where a syndicated story ran first: a notice about the article, not a statement in it
    r"^(?:this|the) (?:post|article|story|piece) (?:was |is )?(?:first|originally) "
    r"(?:published|posted|appeared)\b|"
    r"^the post .{1,200} appeared first on\b|"
    # an editor's note on the article itself: when it was updated or corrected, and with what
    r"^(?:this (?:article|story|post) (?:has been|was) )?(?:updated|corrected)(?: on| at| later| with|:)|"
    r"^(?:update|correction|editor['’]?s note|clarification)\s*[:(]",
    re.I,
)
# A labelled promotion: "Markets Digest: Know what's moving the markets with…" (capitals matter:
# "Liu said: know your limits" is a quote).
_PROMOTION = re.compile(
    r"^(?:[A-Z][\w'’&-]*\s+){0,3}[A-Z][\w'’&-]*:\s+(?:Know|Get|Sign up|Subscribe|Join|Discover)\b"
)
_CREDIT = re.compile(
    r"^(?:photo|image|picture|credit|source|copyright)\s*:|"
    # a reporting credit at an article's foot: who else worked on it, not what happened
    r"\bcontributed (?:to (?:this|the) (?:report|article|story)|reporting)\b",
    re.I,
)


# Openings that lean on the sentence before: quoted alone, the sentence would not say who or what.
_BACK_REFERENCE = re.compile(
    r"^[\"“‘']?(?:this|that|these|those|it|its|such|he|she|they|his|her|their|the move|the decision|"
    r"the measure|the step|for (?:that|this|these) reasons?|that is why|this is why|as a result|therefore|"
    r"thus|hence|however|but|instead)\b",
    re.I,
)


def refers_back(sentence: str) -> bool:
    """Whether the sentence opens with a word that points at the one before ("This", "He", "As a result")."""
    return bool(_BACK_REFERENCE.match(sentence))


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` in order; a boundary after a known abbreviation or an initial is not one."""
    pieces = [p for p in _BOUNDARY.split(text) if p and p.strip()]
    out: list[str] = []
    for piece in pieces:
        piece = piece.strip()
        if out:
            last = _LAST_WORD.search(out[-1])
            word = last.group(1) if last else ""
            # "Mr. Lee", "U.S. officials", "John F. Kennedy": not the end of a sentence
            if word.lower().rstrip(".") in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                out[-1] = f"{out[-1]} {piece}"
                continue
        out.append(piece)
    return out


@dataclass(frozen=True, slots=True)
class Span:
    """A sentence of a text: ``text[start:end]``, and its flags."""

    start: int
    end: int
    flags: Flag


def sentence_spans(text: str, title: str = "") -> list[Span]:
    """Every sentence of ``text`` with its offsets and flags (``title``: the article's headline)."""
    spans: list[Span] = []
    pos = 0
    for sentence in split_sentences(text):
        start = text.find(sentence, pos)
        if start < 0:  # the splitter joined pieces with a single space where the text had more
            first = sentence.split(" ", 1)[0]
            start = max(text.find(first, pos), pos)
        end = start + len(sentence)
        spans.append(Span(start, end, flags(sentence, title)))
        pos = end
    return spans


def tidy(sentence: str) -> str:
    """A sentence fit to quote: one line, without a leading wire dateline or section label."""
    return _LABEL.sub("", _DATELINE.sub("", " ".join(sentence.split())))


def _title_case(words: list[str]) -> bool:
    """Most words capitalised, as in a headline (short function words aside)."""
    long = [w for w in words if len(w) > 3]
    return len(words) >= 4 and bool(long) and sum(w[0].isupper() for w in long) >= 0.8 * len(long)


def _same_text(a: str, b: str) -> bool:
    return " ".join(_WORD.findall(a.lower())) == " ".join(_WORD.findall(b.lower()))


def is_list_point(line: str) -> bool:
    """Whether a line is a point of a list ("- Cleaning equipment", "2. halt the approvals;")."""
    return bool(_LIST_POINT.match(line.lstrip()))


def flags(sentence: str, title: str = "") -> Flag:
    """Why ``sentence`` is not a statement to quote, as flags (Flag(0): it is one)."""
    text = tidy(sentence)
    found = Flag(0)
    words = _WORD.findall(text)
    if _CAPTION.search(text) or _CAPTION_MARK.search(text) or _CAPTION_AFTER_ASIDE.search(text):
        found |= Flag.CAPTION
    if _BYLINE.search(text):
        found |= Flag.BYLINE
    if _PROMPT.search(text) or _PROMOTION.match(text):
        found |= Flag.PROMPT
    if _CREDIT.search(text):
        found |= Flag.CREDIT
    ends = text.rstrip("\"”’') ")
    if ends.endswith("?"):
        found |= Flag.QUESTION
    unterminated = not ends.endswith((".", "!", "?", ":", "…"))
    # Headlines and captions: title case, or short, unfinished and without articles ("MI5 warns
    # MPs about spy"), which prose keeps ("The move followed a review" lost only its full stop).
    headlinese = unterminated and len(words) <= _HEADLINE_WORDS and not _ARTICLES & {w.lower() for w in words}
    # a point of a list that states a value ("- the prohibitions: after six months;") is a fact,
    # however short and unfinished
    if _LIST_POINT.match(text) and _VALUE.search(text):
        return found
    if (title and _same_text(text, title)) or (_title_case(words) and unterminated) or headlinese:
        found |= Flag.HEADLINE
    lower = sum(1 for w in words if w[0].islower())
    if len(words) < 5 or lower < len(words) / 3 or "http" in text or _LOWER_START.match(text):
        found |= Flag.FRAGMENT
    return found
