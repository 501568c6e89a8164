"""Discord cases: hostile questions and commands through the real bot against the emulator.

Each interaction must be acknowledged within 3 s, get a short reply that Discord accepts (the
emulator answers 400 to anything over its limits), and ping nobody: every request the bot sends
is checked with the emulator's ``pings()``, which applies ``allowed_mentions`` as Discord does.
The last cases sweep everything the bot sent during the whole run (load included) for pings and
for the bot token, and every log record the bot process wrote for the token.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from reliability.cases_questions import QUESTIONS
from reliability.harness import Case, Observed, has_traceback
from reliability.hostile_server import HostileServer
from reliability.world import World

G = "discord"


class LogCapture(logging.Handler):
    """Every log record of the bench process (bot, services, discord.py), formatted."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # a broken record must not stop the suite
            self.lines.append(f"unformattable record from {record.name}")


CAPTURE = LogCapture()


def _sends_for(emu: Any, ix: Any) -> list[Any]:
    return [s for s in emu.sent if ix.token in s.path]


def _check_interaction(obs: Observed, world: World, ix: Any, *, expect_embed: bool | None) -> None:
    from testing.discord_emulator import pings

    emu = world.emu
    sends = _sends_for(emu, ix)
    obs.check(
        "acknowledged within 3 s", ix.ack_latency is not None and ix.ack_latency <= 3, f"{ix.ack_latency}"
    )
    obs.check("replied", ix.answered)
    obs.check(
        "Discord accepted every request",
        not ix.rejected and all(s.status < 400 for s in sends),
        "; ".join(f"{s.status} {str(s.response)[:80]}" for s in sends if s.status >= 400)[:200],
    )
    pinged = (
        set().union(*(pings(s.payload) for s in sends if isinstance(s.payload, dict))) if sends else set()
    )
    obs.check("pings nobody", not pinged, ", ".join(sorted(pinged)))
    obs.check("no traceback", not has_traceback(ix.text))
    obs.check("no token", emu.token not in ix.text)
    if expect_embed is True:
        obs.check("answered with an embed", bool(ix.embeds), ix.text[:100])
    if expect_embed is False:
        obs.check("short reply", 0 < len(ix.text) <= 400, f"{len(ix.text)} chars")


def _invoke(world: World, command: str, options: dict[str, Any], user_name: str, admin: bool = False) -> Any:
    emu = world.emu
    user = emu.user(user_name, admin=admin)

    async def go() -> Any:
        ix = await emu.invoke(command, options, user=user)
        await emu.wait_for(lambda: ix.answered or ix.rejected, within=60)
        return ix

    return world.call(go(), timeout=90)


def _ask_case(world: World, cid: str, title: str, question: str) -> Case:
    def run() -> Observed:
        world.ensure_discord()
        ix = _invoke(world, "ask", {"question": question}, f"q-{cid}")
        obs = Observed(f"{'embed' if ix.embeds else 'text'}: {ix.text.strip()[:140]!r}")
        _check_interaction(obs, world, ix, expect_embed=None)
        return obs

    return Case(f"discord.ask_{cid}", G, f"/ask: {title}", "ack < 3 s, short valid reply, pings nobody", run)


def _command_case(
    world: World,
    cid: str,
    title: str,
    command: str,
    options: dict[str, Any],
    expect: str,
    must_say: tuple[str, ...],
    admin: bool = False,
    embed: bool | None = False,
) -> Case:
    def run() -> Observed:
        world.ensure_discord()
        ix = _invoke(world, command, options, f"c-{cid}", admin=admin)
        obs = Observed(f"{ix.text.strip()[:160]!r}")
        _check_interaction(obs, world, ix, expect_embed=embed)
        said = ix.text.lower()
        obs.check("says why", any(w in said for w in must_say), "/".join(must_say))
        return obs

    return Case(f"discord.{cid}", G, title, expect, run)


def _non_admin_case(world: World) -> Case:
    """Discord offers /ingest only to members with Manage Server; when a server's settings open it
    to everyone anyway, the bot refuses it itself."""

    def run() -> Observed:
        world.ensure_discord()
        emu, name = world.emu, "c-ingest_non_admin"
        user = emu.user(name)

        async def hidden() -> bool:
            try:
                await emu.invoke("ingest", {"url": "https://news.example/article"}, user=user)
            except PermissionError:
                return True
            return False

        refused_by_discord = world.call(hidden())
        emu.open_command(emu.guild_id, "ingest")
        ix = _invoke(world, "ingest", {"url": "https://news.example/article"}, name)
        obs = Observed(f"{ix.text.strip()[:160]!r}")
        obs.check("Discord does not offer the command", refused_by_discord)
        _check_interaction(obs, world, ix, expect_embed=False)
        said = ix.text.lower()
        obs.check(
            "refused at run time, naming the permission", "manage server" in said and "only members" in said
        )
        return obs

    return Case(
        "discord.ingest_non_admin",
        G,
        "/ingest by a member without Manage Server",
        "not offered by Discord; opened by the server's settings, refused by the bot",
        run,
    )


def _article_is_data_case(world: World, server: HostileServer) -> Case:
    def run() -> Observed:
        world.ensure_discord()
        before = dict(world.services.library.stats(world.emu.guild_id))
        syncs = len(world.emu.command_syncs)
        ix = _invoke(
            world,
            "ask",
            {"question": "What did the harbour district decide about equipment inspections?"},
            "q-article-data",
        )
        after = dict(world.services.library.stats(world.emu.guild_id))
        obs = Observed(f"{'embed' if ix.embeds else 'text'}: {ix.text.strip()[:140]!r}")
        _check_interaction(obs, world, ix, expect_embed=True)
        obs.check("the link in the article was not fetched", server.hits["/canary"] == 0)
        obs.check(
            "no ingest ran (store unchanged)",
            before.get("articles") == after.get("articles") and before.get("chunks") == after.get("chunks"),
        )
        obs.check("no command ran", len(world.emu.command_syncs) == syncs and len(world.emu.interactions) > 0)
        return obs

    return Case(
        "discord.article_is_data",
        G,
        "article carrying instructions, @everyone, /ingest and a link",
        "answered from it as data: pings nobody, fetches nothing, runs nothing",
        run,
    )


def _mention_chat_case(world: World) -> Case:
    def run() -> Observed:
        from testing.discord_emulator import pings

        world.ensure_discord()
        emu = world.emu
        author = emu.user("chatter")
        before = len(emu.sent)

        async def go() -> dict[str, Any]:
            starter: dict[str, Any] = await emu.post_message(
                f"{emu.bot.mention} @everyone <@&123456789012345678> what did the UK decide about Huawei?",
                author=author,
            )
            with contextlib.suppress(TimeoutError):
                await emu.wait_for(lambda: emu.bot_messages(int(starter["id"])), within=90)
            return starter

        starter = world.call(go(), timeout=120)
        refused = [
            f"{s.method} {s.path}: {s.status} {str(s.response)[:120]}"
            for s in emu.sent[before:]
            if s.status >= 400
        ]
        sends = [s for s in emu.sent[before:] if isinstance(s.payload, dict) and "content" in s.payload]
        pinged = set().union(*(pings(s.payload) for s in sends)) if sends else set()
        obs = Observed(
            f"{len(emu.bot_messages(int(starter['id'])))} message(s) in the thread; "
            f"{len(sends)} request(s) with content"
        )
        obs.check("replied in a thread", bool(emu.bot_messages(int(starter["id"]))), "; ".join(refused)[:300])
        obs.check("pings nobody", not pinged, ", ".join(sorted(pinged)))
        obs.check("Discord accepted every request", all(s.status < 400 for s in emu.sent[before:]))
        return obs

    return Case(
        "discord.mention_chat",
        G,
        "mention chat with @everyone and a role mention",
        "answered in a thread; pings nobody",
        run,
    )


# Smoke mode: hostile /ask, the article-as-data check and the run-time checks of /article and
# /ingest; all share the one bot, so each costs well under a second once the world is up.
SMOKE = frozenset(
    {
        "discord.ask_empty",
        "discord.ask_everyone_here",
        "discord.ask_injection_question",
        "discord.ask_control_chars",
        "discord.article_is_data",
        "discord.article_unknown",
        "discord.since_bad",
        "discord.ingest_non_admin",
        "discord.ingest_admin_metadata",
        "discord.search_fts",
    }
)


def cases(world: World, server: HostileServer, smoke: bool = False) -> list[Case]:
    return [c for c in _all_cases(world, server) if not smoke or c.id in SMOKE]


def _all_cases(world: World, server: HostileServer) -> list[Case]:
    picked = [q for q in QUESTIONS if q.cid not in ("injection_article",)]
    return [
        *(_ask_case(world, q.cid, q.title, q.text) for q in picked),
        _article_is_data_case(world, server),
        _mention_chat_case(world),
        _command_case(
            world,
            "article_unknown",
            "/article with an unknown id",
            "article",
            {"id": "no-such-article"},
            "short ephemeral 'not found'",
            ("no article", "not found", "unknown", "couldn"),
        ),
        _command_case(
            world,
            "article_sql",
            "/article with an SQL-looking id",
            "article",
            {"id": "' OR 1=1; DROP TABLE articles; --"},
            "short ephemeral 'not found'",
            ("no article", "not found", "unknown", "couldn"),
        ),
        _command_case(
            world,
            "since_bad",
            "/ask with a since that is not a date",
            "ask",
            {"question": "Which countries ban Huawei?", "since": "the day after never"},
            "short ephemeral naming the date",
            ("date", "since", "understand"),
        ),
        _command_case(
            world,
            "since_future",
            "/ask since a date in the future",
            "ask",
            {"question": "Which countries ban Huawei?", "since": "2099-01-01"},
            "short reply: nothing that recent (or refused as future)",
            ("couldn", "no article", "future", "nothing", "not find", "found"),
            embed=None,
        ),
        _non_admin_case(world),
        _command_case(
            world,
            "ingest_admin_metadata",
            "/ingest of the metadata address by an admin",
            "ingest",
            {"url": "http://169.254.169.254/latest/meta-data/"},
            "refused by the SSRF guard, one line",
            ("metadata", "refused"),
            admin=True,
            embed=None,
        ),
        _command_case(
            world,
            "search_fts",
            "/search with keyword-index syntax",
            "search",
            {"query": 'AND OR NOT "unbalanced * NEAR('},
            "short reply, no error",
            ("search", "no ", "found", "match"),
            embed=None,
        ),
    ]


def final_cases(world: World) -> list[Case]:
    """Sweeps over everything the bot did during the run (after load and faults)."""

    def no_pings() -> Observed:
        from testing.discord_emulator import pings

        if world.emu is None:
            from reliability.harness import NotLanded

            raise NotLanded("the Discord world did not start")
        sends = [s for s in world.emu.sent if isinstance(s.payload, dict) and s.payload.get("content")]
        bad = [s for s in sends if pings(s.payload)]
        missing = [s for s in sends if s.payload.get("allowed_mentions") is None]
        obs = Observed(f"{len(sends)} messages with content checked; {len(bad)} would ping")
        obs.check("no message pings anyone", not bad, "; ".join(s.path for s in bad[:3]))
        obs.check(
            "allowed_mentions set on every message with content", not missing, f"{len(missing)} without"
        )
        return obs

    def no_token() -> Observed:
        if world.emu is None:
            from reliability.harness import NotLanded

            raise NotLanded("the Discord world did not start")
        token = world.emu.token
        in_logs = [line for line in CAPTURE.lines if token in line]
        in_sends = [s for s in world.emu.sent if token in str(s.payload)]
        obs = Observed(f"{len(CAPTURE.lines)} log records and {len(world.emu.sent)} requests searched")
        obs.check("token in no log record", not in_logs, in_logs[0][:100] if in_logs else "")
        obs.check("token in no message", not in_sends)
        return obs

    return [
        Case(
            "security.no_pings_anywhere",
            "security",
            "every message the bot sent during the run",
            "allowed_mentions set; pings nobody",
            no_pings,
        ),
        Case(
            "security.token_never_logged",
            "security",
            "bot token in logs or messages",
            "never appears",
            no_token,
        ),
    ]
