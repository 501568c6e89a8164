"""An answer as readers see it: each sentence with the publishers behind it, then its notes.

``Answer.text`` is the answer proper (what evaluation scores and what a follow-up leans on);
shown after each sentence is how many independent publishers support it ("· 2 publishers", or
"· 1 publisher, state-affiliated media only"), before each group of evidence its publishers'
type, and after the answer where sources differ, when the evidence dates from (for a question
about how things stand now) and the newest source's date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.answer.labels import PLURALS, UNDATED, UNLABELLED_GROUP
from bot.answer.types import Answer, Claim, Dating, Difference

_MARK = re.compile(r"\s*\[\d+\]")
_SUPPORT = re.compile(r" · \d+ publishers?(?:, state-affiliated media only)?")
_NOTE = re.compile(r"\n(?:Sources differ: |The evidence |Newest source: )[^\n]*")
_HEADING = re.compile(
    r"^(?:" + "|".join(re.escape(h) for h in (*PLURALS.values(), UNLABELLED_GROUP)) + r")(?: \([^)\n]*\))?: ",
    re.M,
)


def support(claim: Claim) -> str:
    """ " · 2 publishers" after a sentence ("" when nothing was counted)."""
    if claim.corroboration <= 0:
        return ""
    if claim.state_affiliated_only:
        return " · 1 publisher, state-affiliated media only"
    plural = "s" if claim.corroboration != 1 else ""
    return f" · {claim.corroboration} publisher{plural}"


def body(answer: Answer) -> str:
    """The answer text with the publisher count after each sentence's citation marks (once for a
    run of sentences on one line from the same sources; on a list item only when it says more
    than "1 publisher"), and the heading of each group of evidence ("Newspapers (United
    Kingdom): ") before it."""
    claims = sorted(answer.claims, key=lambda c: c.start)
    inserts = [
        (claim.end, support(claim))
        for i, claim in enumerate(claims)
        if (i + 1 == len(claims) or not _same_run(answer.text, claim, claims[i + 1]))
        and not _plain_item(answer.text, claim)
    ]
    inserts += [(offset, f"{heading}: ") for offset, heading in answer.headings]
    text = answer.text
    for offset, insert in sorted(inserts, key=lambda i: i[0], reverse=True):
        text = text[:offset] + insert + text[offset:]
    return text


def _plain_item(text: str, claim: Claim) -> bool:
    """A list item one publisher gives, not a state-affiliated one: the count would only repeat
    itself down the list (it is in ``geobot ask --json`` all the same)."""
    return text.startswith("- ", claim.start) and claim.corroboration == 1 and not claim.state_affiliated_only


def _same_run(text: str, claim: Claim, after: Claim) -> bool:
    """The next sentence, on the same line, rests on the same sources (its count covers both)."""
    return (
        set(after.citations) == set(claim.citations)
        and support(after) == support(claim)
        and ("\n" not in text[claim.end : after.start])
    )


def differs(difference: Difference) -> str:
    """ "Sources differ: 2027 [1] · 2025 [3]"."""
    sides = (f"{value} {''.join(f'[{n}]' for n in numbers)}" for value, numbers in difference.values)
    return "Sources differ: " + " · ".join(sides)


def evidence(dating: Dating) -> str:
    """When the evidence dates from, for a question about how things stand now."""
    undated = f" ({dating.undated} undated)" if dating.undated else ""
    if dating.newest is None:
        return "The evidence is undated: it says nothing of how things stand now."
    span = dating.newest if dating.oldest == dating.newest else f"{dating.oldest} to {dating.newest}"
    return f"The evidence dates from {span}{undated}: things may have changed since."


def notes(answer: Answer) -> list[str]:
    """The lines shown after the answer; the last is always "Newest source: …" when it cites any."""
    lines = [differs(d) for d in answer.differences]
    if answer.dating is not None:
        if answer.dating.current:
            lines.append(evidence(answer.dating))
        lines.append(f"Newest source: {answer.dating.newest or UNDATED}")
    return lines


def shown(answer: Answer) -> str:
    """Everything shown of the answer above its sources."""
    return "\n".join([body(answer), *notes(answer)])


def answer_of(shown_text: str) -> str:
    """The answer proper from its shown text (``answer_of(shown(a)) == a.text``): for a
    conversation read back from the messages the bot sent, whose follow-ups lean on the answer's
    own words, not on its publishers' labels."""
    return _HEADING.sub("", _SUPPORT.sub("", _NOTE.sub("", shown_text)))


def sentences(answer: Answer) -> Sequence[dict[str, object]]:
    """Each sentence with what supports it, for ``geobot ask --json``."""
    out = []
    for claim in answer.claims:
        text = answer.text[claim.start : claim.end]
        out.append(
            {
                "text": _without_marks(text),
                "citations": list(claim.citations),
                "corroboration": claim.corroboration,
                "publishers": list(claim.publishers),
                "state_affiliated_only": claim.state_affiliated_only,
            }
        )
    return out


def _without_marks(text: str) -> str:
    return _MARK.sub("", text).strip()
