"""Markdown articles as the plain text the pipeline reads: the words, not the markup."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token

_INLINE_BREAKS = {"softbreak": " ", "hardbreak": "\n"}


def markdown_text(source: str) -> str:
    """The text of a Markdown document: one paragraph, heading or list item per block, blank
    lines between blocks, list items as "- item" ("1. item" when numbered); emphasis, links and
    code marks dropped, their words kept; images and raw HTML dropped."""
    blocks: list[str] = []
    lists: list[list[int]] = []  # per open list: [next number] (0: a bullet list)
    prefix = ""
    for token in MarkdownIt("commonmark").parse(source):
        if token.type == "bullet_list_open":
            lists.append([0])
        elif token.type == "ordered_list_open":
            lists.append([int(token.attrGet("start") or 1)])
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "list_item_open" and lists:
            number = lists[-1][0]
            prefix = f"{number}. " if number else "- "
            if number:
                lists[-1][0] += 1
        elif token.type in ("inline", "code_block", "fence"):
            text = _inline(token) if token.type == "inline" else token.content.strip()
            if text:
                blocks.append(prefix + text)
            prefix = ""
    return "\n\n".join(blocks)


def _inline(token: Token) -> str:
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in _INLINE_BREAKS:
            parts.append(_INLINE_BREAKS[child.type])
    return "".join(parts).strip()
