"""How many independent publishers support a sentence of an answer.

Citing three articles is not three voices when two are copies of one story or come from one
owner. Sources are counted once per group of: the same text (a story syndicated or repeated —
the answerer groups the sources quoting one sentence), one story carried by another outlet (its
byline credits the outlet cited beside it — "A. Writer, Harbour Herald" — or the same writer's
byline runs in both on the same day, however each outlet edited it), the same publisher, and
the same ultimate owner (a paper and the tabloid its owner also publishes). A sentence whose
only voice is one state-affiliated outlet is marked as such.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from bot.answer.types import Citation, Claim
from ingest.publishers import STATE_AFFILIATED, UNLABELLED, normalise_name


class _Groups:
    """Union-find over citation numbers."""

    def __init__(self, items: Iterable[int]) -> None:
        self.parent = {i: i for i in items}

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def join(self, items: Iterable[int]) -> None:
        roots = [self.find(i) for i in items if i in self.parent]
        for root in roots[1:]:
            self.parent[root] = roots[0]

    def groups(self) -> list[list[int]]:
        found: dict[int, list[int]] = {}
        for item in self.parent:
            found.setdefault(self.find(item), []).append(item)
        return list(found.values())


_BYLINE_PARTS = re.compile(r"[,;/\n]|\band\b|\bfor\b|\bvia\b", re.I)


def credits(citation: Citation) -> set[str]:
    """The names a source's byline gives, folded: writers and the outlets it credits."""
    parts = _BYLINE_PARTS.split(citation.author or "")
    return {name for part in parts if (name := normalise_name(part))}


def same_story(a: Citation, b: Citation) -> bool:
    """Whether one source carries the other's story: its byline credits the other's publisher,
    or one writer's byline runs in both on the same day."""
    for one, other in ((a, b), (b, a)):
        if other.publisher and normalise_name(other.publisher) in credits(one):
            return True
    return bool(a.published and a.published == b.published and credits(a) & credits(b))


def publisher_key(citation: Citation) -> str:
    """The publisher a source counts as: its profile, else its publisher's folded name, else itself
    (an article naming no publisher is one voice of unknown origin)."""
    if citation.publisher_id and citation.publisher_type not in (None, UNLABELLED):
        return f"profile:{citation.publisher_id}"
    if citation.publisher and normalise_name(citation.publisher):
        return f"name:{normalise_name(citation.publisher)}"
    return f"article:{citation.article_id}"


def corroborate(
    claim: Claim, citations: Mapping[int, Citation], owner: Callable[[str | None], str | None]
) -> Claim:
    """``claim`` with its count of independent publishers, their names, and whether its only
    voice is state-affiliated. ``owner`` gives a profile's ultimate owner (None if unknown)."""
    cited = [n for n in dict.fromkeys(claim.citations) if n in citations]
    if not cited:
        return claim
    groups = _Groups(cited)
    for copies in claim.copies:
        groups.join(copies)
    by_key: dict[str, list[int]] = {}
    for n in cited:
        by_key.setdefault(publisher_key(citations[n]), []).append(n)
        owned_by = owner(citations[n].publisher_id)
        if owned_by:
            by_key.setdefault(f"owner:{owned_by}", []).append(n)
    for same in by_key.values():
        groups.join(same)
    for i, a in enumerate(cited):
        for b in cited[i + 1 :]:
            if same_story(citations[a], citations[b]):
                groups.join((a, b))
    voices = groups.groups()
    names = tuple(citations[g[0]].publisher or "an unnamed publisher" for g in voices)
    state_only = len(voices) == 1 and all(citations[n].publisher_type == STATE_AFFILIATED for n in cited)
    return Claim(
        claim.start,
        claim.end,
        claim.citations,
        claim.copies,
        corroboration=len(voices),
        publishers=names,
        state_affiliated_only=state_only,
    )
