"""Remove page furniture from article text by general rules, keeping the paragraphs.

Scraped bodies carry what surrounded the article on the page: share and e-mail widgets, view
counters, "TRENDING" / "MOST READ" / "MORE FOR YOU" blocks of other headlines, related-story
links, newsletter sign-ups, donation appeals, photo captions and credits, section breadcrumbs.
The rules below look at the shape of a line (a lone widget word, a number, an all-caps link, a
caption credit) and at blocks (a block header followed by headline-like lines), never at a
particular article.
"""

from __future__ import annotations

import re
import unicodedata

# Whole lines that are widgets or navigation, compared case-insensitively.
_WIDGET_LINES = frozenset(
    {
        "share",
        "e-mail",
        "email",
        "top",
        "+99home",
        "facebook",
        "twitter",
        "flipboard",
        "whatsapp",
        "linkedin",
        "reddit",
        "pinterest",
        "comments",
        "print",
        "follow",
        "close",
        "read more",
        "show",
        "q&a",
        "bookmark",
        "",
        "promoted",
        "advertisement",
        "skip advertisement",
        "advertising",
        "advertise",
        "view gallery",
        "+1",
        "video",
        "transcript",
        "sign in",
        "sign up",
        "log in",
        "email address",
        "share full article",
        "view comments",
        "contributor",
        "senior contributor",
        "former contributor",
        "forbes staff",
        "key facts",
        "big number",
        "click for sound",
        "listen to this article",
        "copy link",
        "save",
        "gift this article",
        "small font size",
        "large font size",
        "related",
        "related articles",
        "related stories",
        "recommended",
        "advertisement · scroll to continue",
        "topics",
        "tags",
    }
)
# Headers of blocks listing other stories; the headline-like lines after them go too.
_BLOCK_HEADERS = frozenset(
    {
        "trending",
        "most read",
        "most popular",
        "more for you",
        "editors' picks",
        "editors’ picks",
        "related",
        "related articles",
        "related stories",
        "recommended",
        "you may also like",
        "more on this story",
        "by taboolasponsored link",
        "sponsored link",
        "sponsored",
        "top stories",
    }
)
_LINE_RULES = [
    re.compile(p, re.I)
    for p in (
        r"^[+\d][\d,.\s]*[km]?$",  # share counts, comment counts, tracking ids
        r"^\d{1,2}:\d{2}(\s*/\s*\d{1,2}:\d{2})?$",  # video player times
        r"^[\d.,]+[km]? (viewing|reading|watching) now$",
        r"^this (article|story) is more than \w+ (years?|months?) old\.?$",
        r"^share (this|or comment)\b.*:",
        r"^click here\b",
        r"^(published|updated)\s*:.{0,80}$",  # print-out date header (PUBLISHED: 13:23 | UPDATED: ...)
        r"^(published|updated) [a-z]{3,9}\.? \d{1,2}, \d{4}.{0,30}$",
        r"^\S*\s*by taboola",
        r"(sign(ing)? up|subscribe)\b.*\b(newsletter|inbox|terms of service)",
        r"\b(newsletter|subscribers)\b.*\b(sign(ing)? up|inbox|subscribe)\b",
        r"^(photo|image|illustration|photograph|picture|file photo|source)\s*:",
        r"\(\s*(image|photo|picture)\s*:[^)]*\)\s*$",  # caption ending in a credit
        r"\((ap )?photo\b[^)]*(/|by )",  # caption with a photographer credit
        r"\bphoto\s*:\s*[\w /.-]{1,30}$",  # "A view of London Photo: IC"
        r"\bcredit\s*\.\.\.",  # NYT caption credit
        r"\b(via )?getty ?images\b.{0,20}$",
        r"^file\s+-\s",  # AP photo caption
        r"^[A-Z][A-Z &'’-]+ / [A-Z][A-Z &'’-]+$",  # print-out section breadcrumb "OPINION / OBSERVER"
        r"^return to \w+ to see more",
        r"scroll to continue$",
    )
]
# Each rule with a word it cannot match without: the leading ``[^.!?]*`` makes a rule rescan a
# long sentence from every position, which cost ~2 s over the shared corpus; the word test is
# a cheap way past the lines that cannot match.
_INLINE_RULES = [
    (needle, re.compile(p, re.I))
    for needle, p in (
        ("more than", r"\bthis (article|story) is more than \w+ (years?|months?) old\.?"),
        ("return to", r"Return to \w+ to see more$"),
        ("small font size", r"\bsmall font size\b"),
        # Sign-up boxes flattened into a paragraph by a copy-paste of the whole page.
        ("subscribers", r"[^.!?]*\bjoin over [\d.,]+ (million )?[^.!?]*subscribers[^.!?]*[.!?]"),
        ("email address sign up", r"\bemail address sign up\b"),
        ("by signing up", r"\bby signing up, you accept[^.]*\."),
        ("recaptcha", r"[^.!?]*protected by recaptcha[^.!?]*[.!?]"),
    )
]
# A paragraph asking readers for money, and the outlet describing itself around it.
_APPEAL = re.compile(
    r"support us\b|make a (small )?contribution|give a little or a lot|your funding|no shareholders|"
    r"billionaire owner|support (our|independent) journalism|reader[- ]funded|donate (now|today)",
    re.I,
)
_SELF = re.compile(r"^(our|we)\b|\b(we|our|us)\b", re.I)
_MAX_FURNITURE_WORDS = 60
_ASCII_LOWER = re.compile(r"[a-z]")
_ASCII_UPPER = re.compile(r"[A-Z]")
_SENTENCE_END = re.compile(r"""[.!?;:…]["'”’)\]]*$""")


def _norm(line: str) -> str:
    return unicodedata.normalize("NFKC", line).strip().lower()


def _is_furniture(line: str) -> bool:
    key = _norm(line)
    if key in _WIDGET_LINES or key in _BLOCK_HEADERS:
        return True
    # Furniture is a short line; a long one matching a rule is a paragraph quoting it.
    if len(line.split()) <= _MAX_FURNITURE_WORDS and any(rule.search(line.strip()) for rule in _LINE_RULES):
        return True
    return _is_shouted(line)


def _is_shouted(line: str) -> bool:
    """An all-caps line of several words: a link to another story, a wire slug or a menu."""
    # Judged on ASCII letters; most lines have a lower-case one early, so look for that first.
    if _ASCII_LOWER.search(line) or len(_ASCII_UPPER.findall(line)) < 4:
        return False
    # A real paragraph written in capitals is long and ends like a sentence.
    return len(line.split()) <= 20 or not _SENTENCE_END.search(line.strip())


def _headline_like(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and len(stripped.split()) <= 25 and not _SENTENCE_END.search(stripped)


def _drop_blocks(lines: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        key = _norm(line)
        if key in _BLOCK_HEADERS or key.startswith("by taboola"):
            i += 1
            taken = 0
            # The block's items: headline-like lines (and their view counters, sponsors, ads).
            while i < len(lines) and taken < 12:
                nxt = lines[i]
                if not nxt.strip() or _headline_like(nxt) or _is_furniture(nxt):
                    i += 1
                    taken += 1
                    continue
                # A last headline may end in a quote or question mark; a body line is longer.
                if len(nxt.split()) <= 20 and not nxt.strip().endswith("."):
                    i += 1
                    taken += 1
                    continue
                break
            continue
        if key == "read more":
            # Related-story link: the headline (and its picture caption) sit just above.
            removed = 0
            while out and out[-1].strip() and removed < 3 and len(out[-1].split()) <= 20:
                if out[-1].strip().endswith("."):
                    break
                out.pop()
                removed += 1
            i += 1
            continue
        out.append(line)
        i += 1
    return out


def _drop_appeals(paragraphs: list[str], publisher: str | None) -> list[str]:
    marked = [bool(_APPEAL.search(p)) for p in paragraphs]
    if not any(marked):
        return paragraphs
    name = re.compile(re.escape(publisher.strip()), re.I) if publisher and publisher.strip() else None

    def self_referential(p: str) -> bool:
        if p.lstrip().startswith(('"', "“", "'", "‘")):  # a quote: somebody else's "we"
            return False
        return bool((name and name.search(p)) or _SELF.search(p))

    drop = list(marked)
    for i, is_appeal in enumerate(marked):
        if not is_appeal:
            continue
        j = i - 1
        while j >= 0 and not drop[j] and self_referential(paragraphs[j]):
            drop[j] = True
            j -= 1
        j = i + 1
        while j < len(paragraphs) and not drop[j] and self_referential(paragraphs[j]):
            drop[j] = True
            j += 1
    return [p for p, d in zip(paragraphs, drop, strict=True) if not d]


def clean_text(text: str, publisher: str | None = None) -> str:
    """The article body without furniture: one paragraph per line group, separated by a blank line."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = [re.sub(r"[ \t\u00a0\u3000]+", " ", line).strip() for line in text.split("\n")]
    lines = _drop_blocks(lines)
    kept: list[str] = []
    for line in lines:
        for needle, rule in _INLINE_RULES:
            if needle in line.lower():
                line = rule.sub("", line).strip()
        if not line or _is_furniture(line):
            continue
        if kept and kept[-1] == line:  # captions and headlines repeated by the page layout
            continue
        kept.append(line)
    return "\n\n".join(_drop_appeals(kept, publisher))
