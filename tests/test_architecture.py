"""The one-way import arrows of docs/architecture.md, checked on the source.

Every import counts, also those inside functions and under TYPE_CHECKING: a lazy import is
still a dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.unit

PRODUCT = ("language", "vectorstore", "ingest", "bot")
TOOLS = ("bench", "reliability", "testing", "tests")

# package -> top-level packages of this repository it must never import
FORBIDDEN = {
    # The language rules are a leaf: ingest and the answerer share them.
    "language": {"vectorstore", "ingest", "bot", *TOOLS},
    "vectorstore": {"ingest", "bot", *TOOLS},
    "ingest": {"bot", *TOOLS},
    "bot": set(TOOLS),
    "bench": {"reliability", "testing", "tests"},
    "reliability": {"bench", "tests"},
    # The emulator stands in for Discord: were it to share the bot's code, it would agree with
    # the bot's mistakes.
    "testing": {*PRODUCT, "bench", "reliability", "tests"},
    "tests": {"bench"},
}


def imported_modules(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def imports_of(package: str) -> dict[str, set[str]]:
    """Source file (relative to the repository) -> the modules it imports."""
    return {
        str(path.relative_to(REPO)): set(imported_modules(path))
        for path in sorted((REPO / package).rglob("*.py"))
        if "results" not in path.parts
    }


def top(module: str) -> str:
    return module.split(".", 1)[0]


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_run_one_way(package: str) -> None:
    wrong = {
        source: sorted(m for m in modules if top(m) in FORBIDDEN[package])
        for source, modules in imports_of(package).items()
    }
    assert {source: found for source, found in wrong.items() if found} == {}


def test_only_the_discord_adapter_imports_discord() -> None:
    users = {
        source
        for package in PRODUCT
        for source, modules in imports_of(package).items()
        if any(top(m) == "discord" for m in modules)
    }
    assert users and all(source.startswith("bot/discord/") for source in users), sorted(users)


def test_readers_take_their_shared_helpers_from_file_bytes_not_from_the_dispatch() -> None:
    readers = {
        source: modules
        for source, modules in imports_of("ingest").items()
        if source.startswith("ingest/readers/") and not source.endswith("/files.py")
    }
    assert readers and not {s for s, modules in readers.items() if "ingest.readers.files" in modules}


def test_the_checker_sees_imports_inside_functions(tmp_path: Path) -> None:
    source = tmp_path / "lazy.py"
    source.write_text("def f():\n    from bot.cli import app\n    import discord.ui\n", encoding="utf-8")
    assert set(imported_modules(source)) == {"bot.cli", "discord.ui"}
