"""A Discord API emulator on loopback: REST v10 and the gateway websocket, for the real discord.py client.

It behaves like Discord where the bot could get it wrong: it validates payloads (400 with
Discord's error JSON), expires interactions 3 s after they are sent (10062), refuses a second
acknowledgement (40060), expires follow-up tokens after 15 minutes (50027), filters gateway
events by intents, and resumes sessions after a dropped websocket. It holds several guilds,
each with its text and forum channels and its members' permissions; like Discord's client, it
lets nobody invoke a command whose `default_member_permissions` they lack unless the guild
overrides it, and a new gateway session (a restarted bot) is a new client. Everything the bot
sends is recorded in `sent` for assertions.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from testing.discord_emulator import payloads as p
from testing.discord_emulator.limits import validate_commands, validate_message

logger = logging.getLogger(__name__)

# Gateway opcodes and intents (discord.com/developers/docs/topics/gateway).
DISPATCH, HEARTBEAT, IDENTIFY, RESUME, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 0, 1, 2, 6, 9, 10, 11
GUILDS, GUILD_MESSAGES, DIRECT_MESSAGES, MESSAGE_CONTENT = 1 << 0, 1 << 9, 1 << 12, 1 << 15
PRIVILEGED = (1 << 1) | (1 << 8) | MESSAGE_CONTENT

# Interaction types and callback types.
APPLICATION_COMMAND, MESSAGE_COMPONENT = 2, 3
CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 4, 5, 6, 7
EPHEMERAL, LOADING = 1 << 6, 1 << 7
_MENTION_USER = re.compile(r"<@!?(\d+)>")
_MENTION_ROLE = re.compile(r"<@&(\d+)>")


BODY: web.RequestKey[Any] = web.RequestKey("body", object)  # parsed JSON: any shape


def _json(data: Any, status: int = 200) -> web.Response:
    # discord.py parses a body only when the content type is exactly application/json, as Discord sends it.
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"}
    )


def pings(payload: dict[str, Any]) -> set[str]:
    """Who a message would notify, applying `allowed_mentions` as Discord does (absent = everything)."""
    content = payload.get("content") or ""
    allowed = payload.get("allowed_mentions")
    parse = {"users", "roles", "everyone"} if allowed is None else set(allowed.get("parse") or [])
    users = {str(u) for u in (allowed or {}).get("users") or []}
    roles = {str(r) for r in (allowed or {}).get("roles") or []}
    out: set[str] = set()
    if ("@everyone" in content or "@here" in content) and "everyone" in parse:
        out.add("everyone")
    out |= {f"user:{u}" for u in _MENTION_USER.findall(content) if "users" in parse or u in users}
    out |= {f"role:{r}" for r in _MENTION_ROLE.findall(content) if "roles" in parse or r in roles}
    return out


@dataclass
class Sent:
    """One request the bot made."""

    method: str
    path: str
    payload: Any
    status: int
    response: Any
    at: float = field(default_factory=time.monotonic)


@dataclass
class Interaction:
    """An interaction the emulator delivered, and everything the bot did with it."""

    id: int
    token: str
    type: int
    data: dict[str, Any]
    user: p.User
    channel_id: int
    guild_id: int | None
    message_id: int | None = None  # the message whose component was used
    created: float = field(default_factory=time.monotonic)
    acked_at: float | None = None
    response_type: int | None = None
    ephemeral: bool = False
    original: dict[str, Any] | None = None
    followups: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # refused requests

    @property
    def ack_latency(self) -> float | None:
        return None if self.acked_at is None else self.acked_at - self.created

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Messages shown to the user: the original (once it is no longer 'thinking') and follow-ups."""
        shown = [self.original] if self.original and not self.original["flags"] & LOADING else []
        return shown + self.followups

    @property
    def answered(self) -> bool:
        return bool(self.messages)

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return [e for m in self.messages for e in m["embeds"]]

    @property
    def text(self) -> str:
        parts = []
        for m in self.messages:
            parts.append(m["content"])
            for e in m["embeds"]:
                parts += [e.get("title", ""), e.get("description", "")]
                parts += [f"{f['name']}\n{f['value']}" for f in e.get("fields", [])]
        return "\n".join(x for x in parts if x)


@dataclass
class Session:
    id: str
    intents: int
    seq: int = 0
    ws: web.WebSocketResponse | None = None
    buffer: list[dict[str, Any]] = field(default_factory=list)


class DiscordEmulator:
    """Start with `await emu.start()`; point discord.py at `api_base` and `gateway_url`."""

    def __init__(
        self,
        *,
        token: str | None = None,
        interaction_deadline: float = 3.0,
        token_lifetime: float = 15 * 60,
        heartbeat_interval_ms: int = 41_250,
        message_content_enabled: bool = True,
    ) -> None:
        self.token = token or f"emu.{secrets.token_urlsafe(24)}"
        self.interaction_deadline = interaction_deadline
        self.token_lifetime = token_lifetime
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.message_content_enabled = message_content_enabled
        self.ids = p.Snowflakes()
        self.application_id = self.ids.next()
        self.bot = p.User(self.application_id, "geotech-bot", bot=True)
        self.members: dict[int, p.User] = {self.bot.id: self.bot}
        self.owner = self.user("owner", admin=True)
        self.guild_names: dict[int, str] = {}
        self.channels: dict[int, dict[str, Any]] = {}
        self.messages: dict[int, list[dict[str, Any]]] = {}
        self.grants: dict[tuple[int, int], int] = {}  # (guild, user) -> extra permission bits
        self.command_overrides: set[tuple[int, str]] = set()  # (guild, command) open to everyone
        self.guild_id, self.channel_id = self._new_guild("Emulated Guild")
        self._message_index: dict[int, dict[str, Any]] = {}
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.command_syncs: list[Sent] = []
        self.interactions: dict[int, Interaction] = {}
        self._by_token: dict[str, Interaction] = {}
        self.sent: list[Sent] = []
        self.unknown_routes: list[str] = []
        self.sessions: dict[str, Session] = {}
        self.identifies = 0
        self.resumes = 0
        self.heartbeats = 0
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        app = web.Application(middlewares=[self._record_middleware])
        app.router.add_get("/gateway", self._gateway)
        app.router.add_routes(self._routes("/api/v10"))
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        for session in self.sessions.values():
            if session.ws is not None:
                await session.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # ---------------------------------------------------------------- test API

    def user(self, name: str, *, admin: bool = False, bot: bool = False) -> p.User:
        """A member of every guild that tests can act as (``admin``: may manage them all;
        ``bot``: another bot's account)."""
        member = p.User(self.ids.next(), name, bot=bot, admin=admin)
        self.members[member.id] = member
        return member

    def _new_guild(self, name: str) -> tuple[int, int]:
        guild_id, channel_id = self.ids.next(), self.ids.next()
        self.guild_names[guild_id] = name
        self.channels[channel_id] = p.text_channel(channel_id, guild_id, "general")
        self.messages[channel_id] = []
        return guild_id, channel_id

    async def add_guild(self, name: str) -> tuple[int, int]:
        """Another guild with the bot in it (and a #general): its id and #general's."""
        guild_id, channel_id = self._new_guild(name)
        for session in self.sessions.values():
            if session.ws is not None:
                await self._send(session.ws, session, DISPATCH, self._guild_payload(guild_id), "GUILD_CREATE")
        await self._notify()
        return guild_id, channel_id

    async def add_channel(self, guild_id: int, name: str, *, forum: bool = False) -> int:
        """A text (or forum) channel in a guild; connected clients hear of it."""
        channel_id = self.ids.next()
        make = p.forum_channel if forum else p.text_channel
        self.channels[channel_id] = make(channel_id, guild_id, name)
        self.messages[channel_id] = []
        await self._dispatch("CHANNEL_CREATE", self.channels[channel_id])
        return channel_id

    def grant(self, user: p.User, guild_id: int, permissions: int) -> None:
        """Give ``user`` more permissions in one guild (a role, in effect)."""
        self.grants[guild_id, user.id] = self.grants.get((guild_id, user.id), 0) | permissions

    def permissions(self, user: p.User, guild_id: int) -> int:
        return user.permissions | self.grants.get((guild_id, user.id), 0)

    def open_command(self, guild_id: int, name: str) -> None:
        """Server Settings → Integrations: let every member use /name, whatever it asks for."""
        self.command_overrides.add((guild_id, name))

    def commands(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        """The commands in effect in a guild (guild commands and global ones)."""
        gid = guild_id or self.guild_id
        return self.guild_commands.get(gid, []) + self.global_commands

    def guild_of(self, channel_id: int) -> int | None:
        channel = self.channels[channel_id]
        return int(channel["guild_id"]) if "guild_id" in channel else None

    async def wait_for(self, predicate: Callable[[], Any], within: float = 10.0) -> Any:
        """Wait until predicate() is truthy (re-checked on every emulator state change)."""
        async with self._changed:
            return await asyncio.wait_for(self._changed.wait_for(predicate), within)

    async def wait_ready(self, within: float = 10.0) -> None:
        await self.wait_for(
            lambda: any(s.ws is not None and s.seq >= 2 for s in self.sessions.values()), within
        )

    async def invoke(
        self, name: str, options: dict[str, Any] | None = None, *, user: p.User, channel_id: int | None = None
    ) -> Interaction:
        """Run a slash command as `user` in a channel, like a click on Send in the Discord client.

        ``name`` may name a subcommand ("feeds add"). Like Discord's client, it refuses
        (PermissionError) a command the user may not use there: one whose
        `default_member_permissions` they lack, unless the guild opened it to everyone.
        """
        cid = channel_id or self.channel_id
        guild_id = self.guild_of(cid)
        top, *sub = name.split()
        # Outside a guild only global commands exist.
        available = self.commands(guild_id) if guild_id is not None else self.global_commands
        command = next((c for c in available if c["name"] == top and c.get("type", 1) == 1), None)
        if command is None:
            raise LookupError(f"/{top} was never synced")
        self._check_use(command, user, guild_id)
        schema: list[dict[str, Any]] = command.get("options", [])
        for part in sub:
            group = next((o for o in schema if o["name"] == part and o["type"] in (1, 2)), None)
            if group is None:
                raise LookupError(f"/{name}: no subcommand {part!r}")
            schema = group.get("options", [])
        by_name = {o["name"]: o for o in schema}
        missing = [
            o["name"] for o in by_name.values() if o.get("required") and o["name"] not in (options or {})
        ]
        if missing or set(options or {}) - set(by_name):
            raise ValueError(f"/{name}: bad options {options} (required: {missing})")
        given: list[dict[str, Any]] = [
            {"name": k, "type": by_name[k]["type"], "value": v} for k, v in (options or {}).items()
        ]
        for part in reversed(sub):
            kind = 1 if part == sub[-1] else 2  # the last word is the subcommand, any before it groups
            given = [{"name": part, "type": kind, "options": given}]
        data: dict[str, Any] = {"id": command["id"], "name": top, "type": 1, "options": given}
        resolved = self._resolved(by_name, options or {}, user, guild_id)
        if resolved:
            data["resolved"] = resolved
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return await self._deliver(APPLICATION_COMMAND, data, user, cid)

    def _check_use(self, command: dict[str, Any], user: p.User, guild_id: int | None) -> None:
        if guild_id is None:
            if command.get("contexts") is not None and 1 not in command["contexts"]:
                raise PermissionError(f"/{command['name']} cannot be used in direct messages")
            return
        required = int(command.get("default_member_permissions") or 0)
        held = self.permissions(user, guild_id)
        if (
            required
            and held & required != required
            and not held & p.ADMINISTRATOR
            and (guild_id, command["name"]) not in self.command_overrides
        ):
            raise PermissionError(f"Discord does not show /{command['name']} to {user.name} in this server")

    def _resolved(
        self, schema: dict[str, dict[str, Any]], options: dict[str, Any], user: p.User, guild_id: int | None
    ) -> dict[str, Any]:
        """Discord sends the channels named by channel options (type 7) along, as partial channels."""
        channels = {}
        for key, value in options.items():
            if schema[key]["type"] == 7:
                channel = self.channels[int(value)]
                allowed = schema[key].get("channel_types")
                if allowed is not None and channel["type"] not in allowed:
                    raise ValueError(
                        f"{key}: Discord does not offer a channel of type {channel['type']} here"
                    )
                partial: dict[str, Any] = {
                    k: channel[k] for k in ("id", "name", "type", "guild_id") if k in channel
                }
                partial["permissions"] = str(self.permissions(user, guild_id or 0))
                for extra in ("parent_id", "thread_metadata"):
                    if extra in channel:
                        partial[extra] = channel[extra]
                channels[str(value)] = partial
        return {"channels": channels} if channels else {}

    async def click(self, message: dict[str, Any], custom_id: str, *, user: p.User) -> Interaction:
        """Press the button `custom_id` on `message`; it must exist and be enabled."""
        stored = self._message_index.get(int(message["id"]), message)
        buttons = [c for row in stored.get("components", []) for c in row.get("components", [])]
        button = next((b for b in buttons if b.get("custom_id") == custom_id), None)
        if button is None or button.get("disabled"):
            raise LookupError(f"no enabled button {custom_id!r} on message {message['id']}")
        data = {"custom_id": custom_id, "component_type": button["type"]}
        return await self._deliver(MESSAGE_COMPONENT, data, user, int(stored["channel_id"]), message=stored)

    def buttons(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        stored = self._message_index.get(int(message["id"]), message)
        return [c for row in stored.get("components", []) for c in row.get("components", [])]

    async def post_message(
        self,
        content: str,
        *,
        author: p.User,
        channel_id: int | None = None,
        reply_to: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A user posts in a channel (guild text, thread or DM), maybe replying to a message;
        the bot gets MESSAGE_CREATE."""
        cid = channel_id or self.channel_id
        channel = self.channels[cid]
        if channel["type"] == p.GUILD_FORUM:
            raise ValueError("nobody posts in a forum itself: open a post (post_forum_thread)")
        mentioned = [self.members[int(u)] for u in _MENTION_USER.findall(content) if int(u) in self.members]
        guild_id = int(channel["guild_id"]) if "guild_id" in channel else None
        msg = p.message(
            self.ids.next(), cid, author, {"content": content}, guild_id=guild_id, mentions=mentioned
        )
        msg["mention_everyone"] = "@everyone" in content or "@here" in content
        if reply_to is not None:
            msg["type"] = p.REPLY_MESSAGE
            msg["message_reference"] = {"type": 0, "message_id": reply_to["id"], "channel_id": str(cid)}
            msg["referenced_message"] = reply_to
            if guild_id is not None:
                msg["message_reference"]["guild_id"] = str(guild_id)
        await self._store_message(msg)
        return msg

    async def post_forum_thread(
        self, forum_id: int, title: str, content: str, *, author: p.User
    ) -> tuple[int, dict[str, Any]]:
        """A user opens a post in a forum: a thread owned by them whose first message has the
        thread's id. Clients get THREAD_CREATE, then MESSAGE_CREATE (as from Discord)."""
        forum = self.channels[forum_id]
        if forum["type"] != p.GUILD_FORUM:
            raise ValueError(f"channel {forum_id} is not a forum")
        thread_id = self.ids.next()
        thread = p.thread_channel(thread_id, forum, author.id, title, 4320)
        self.channels[thread_id] = thread
        self.messages[thread_id] = []
        await self._dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        mentioned = [self.members[int(u)] for u in _MENTION_USER.findall(content) if int(u) in self.members]
        msg = p.message(
            thread_id,
            thread_id,
            author,
            {"content": content},
            guild_id=int(forum["guild_id"]),
            mentions=mentioned,
        )
        await self._store_message(msg)
        return thread_id, msg

    def dm_channel(self, user: p.User) -> int:
        """The DM channel between `user` and the bot (created on first use)."""
        for cid, channel in self.channels.items():
            if channel["type"] == p.DM and channel["recipients"][0]["id"] == str(user.id):
                return cid
        cid = self.ids.next()
        self.channels[cid] = p.dm_channel(cid, user)
        self.messages[cid] = []
        return cid

    def threads(self) -> list[dict[str, Any]]:
        return [c for c in self.channels.values() if c["type"] == p.PUBLIC_THREAD]

    def bot_messages(self, channel_id: int) -> list[dict[str, Any]]:
        return [m for m in self.messages.get(channel_id, []) if m["author"]["id"] == str(self.bot.id)]

    async def drop_gateway(self, *, code: int = 4000, invalidate: bool = False) -> None:
        """Close every gateway websocket as a network fault would; `invalidate` forgets the sessions."""
        for session in list(self.sessions.values()):
            ws, session.ws = session.ws, None
            if ws is not None:
                await ws.close(code=code, message=b"emulator dropped the connection")
            if invalidate:
                del self.sessions[session.id]
        await self._notify()

    def expire(self, interaction: Interaction, seconds: float) -> None:
        """Age an interaction, e.g. past the 15-minute token lifetime."""
        interaction.created -= seconds

    # ---------------------------------------------------------------- internals

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _deliver(
        self,
        kind: int,
        data: dict[str, Any],
        user: p.User,
        channel_id: int,
        message: dict[str, Any] | None = None,
    ) -> Interaction:
        channel = self.channels[channel_id]
        guild_id = int(channel["guild_id"]) if "guild_id" in channel else None
        ix = Interaction(
            self.ids.next(), f"ix.{secrets.token_urlsafe(32)}", kind, data, user, channel_id, guild_id
        )
        self.interactions[ix.id] = ix
        self._by_token[ix.token] = ix
        payload: dict[str, Any] = {
            "id": str(ix.id),
            "application_id": str(self.application_id),
            "type": kind,
            "data": data,
            "token": ix.token,
            "version": 1,
            "channel_id": str(channel_id),
            "channel": channel,
            "locale": "en-US",
            "app_permissions": str(p.MEMBER_PERMISSIONS),
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
            "context": 0 if guild_id else 1,
        }
        if guild_id:
            payload["guild_id"] = str(guild_id)
            payload["guild_locale"] = "en-US"
            payload["guild"] = {"id": str(guild_id), "locale": "en-US", "features": []}
            payload["member"] = user.member(permissions=self.permissions(user, guild_id))
            payload["authorizing_integration_owners"] = {"0": str(guild_id)}
        else:
            payload["user"] = user.to_dict()
            payload["authorizing_integration_owners"] = {"1": str(user.id)}
        if message is not None:
            payload["message"] = message
            ix.message_id = int(message["id"])
        ix.created = time.monotonic()
        await self._dispatch("INTERACTION_CREATE", payload)
        return ix

    async def _store_message(self, msg: dict[str, Any], *, dispatch: bool = True) -> None:
        cid = int(msg["channel_id"])
        self.messages.setdefault(cid, []).append(msg)
        self._message_index[int(msg["id"])] = msg
        channel = self.channels.get(cid)
        if channel is not None:
            channel["last_message_id"] = msg["id"]
            if channel["type"] == p.PUBLIC_THREAD:
                channel["message_count"] += 1
        if dispatch:
            await self._dispatch("MESSAGE_CREATE", msg)
        else:
            await self._notify()

    def _visible(self, session: Session, event: str, data: dict[str, Any]) -> dict[str, Any] | None:
        """The event as this session may see it (intents), or None."""
        if event != "MESSAGE_CREATE":
            guild_event = event in ("THREAD_CREATE", "CHANNEL_CREATE", "GUILD_CREATE")
            return data if not guild_event or session.intents & GUILDS else None
        in_guild = "guild_id" in data
        if not session.intents & (GUILD_MESSAGES if in_guild else DIRECT_MESSAGES):
            return None
        exempt = (
            not in_guild
            or data["author"]["id"] == str(self.bot.id)
            or any(u["id"] == str(self.bot.id) for u in data["mentions"])
        )
        if session.intents & MESSAGE_CONTENT or exempt:
            return data
        return {**data, "content": "", "embeds": [], "components": [], "attachments": []}

    async def _dispatch(self, event: str, data: dict[str, Any]) -> None:
        for session in list(self.sessions.values()):
            visible = self._visible(session, event, data)
            if visible is None:
                continue
            session.seq += 1
            frame = {"op": DISPATCH, "t": event, "s": session.seq, "d": visible}
            session.buffer.append(frame)
            del session.buffer[:-1000]
            if session.ws is not None:
                with contextlib.suppress(ConnectionError, RuntimeError):
                    await session.ws.send_str(json.dumps(frame))
        await self._notify()

    async def _send(
        self, ws: web.WebSocketResponse, session: Session | None, op: int, d: Any, t: str = ""
    ) -> None:
        frame: dict[str, Any] = {"op": op, "d": d, "s": None, "t": t or None}
        if session is not None and op == DISPATCH:
            session.seq += 1
            frame["s"] = session.seq
            session.buffer.append(frame)
        await ws.send_str(json.dumps(frame))

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        await self._send(ws, None, HELLO, {"heartbeat_interval": self.heartbeat_interval_ms})
        session: Session | None = None
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            op, d = frame.get("op"), frame.get("d")
            if op == HEARTBEAT:
                self.heartbeats += 1
                await self._send(ws, None, HEARTBEAT_ACK, None)
            elif op == IDENTIFY:
                session = await self._identify(ws, d)
            elif op == RESUME:
                session = await self._resume(ws, d)
        if session is not None and session.ws is ws:
            session.ws = None
            await self._notify()
        return ws

    async def _identify(self, ws: web.WebSocketResponse, d: dict[str, Any]) -> Session | None:
        if d.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        intents = int(d.get("intents", 0))
        if intents & MESSAGE_CONTENT and not self.message_content_enabled:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return None
        self.identifies += 1
        session = Session(secrets.token_hex(16), intents, ws=ws)
        self.sessions[session.id] = session
        ready = {
            "v": 10,
            "user": {**self.bot.to_dict(), "verified": True, "mfa_enabled": False, "flags": 0},
            "guilds": [{"id": str(g), "unavailable": True} for g in self.guild_names],
            "session_id": session.id,
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": 1 << 19},
            "private_channels": [],
        }
        await self._send(ws, session, DISPATCH, ready, "READY")
        for guild_id in self.guild_names:
            await self._send(ws, session, DISPATCH, self._guild_payload(guild_id), "GUILD_CREATE")
        await self._notify()
        return session

    def _guild_payload(self, guild_id: int) -> dict[str, Any]:
        members = [u.member() for u in self.members.values()]
        mine = [c for c in self.channels.values() if c.get("guild_id") == str(guild_id)]
        channels = [c for c in mine if c["type"] in (p.GUILD_TEXT, p.GUILD_FORUM)]
        guild = p.guild(guild_id, self.owner.id, channels, members, self.guild_names[guild_id])
        guild["threads"] = [c for c in mine if c["type"] == p.PUBLIC_THREAD]
        return guild

    async def _resume(self, ws: web.WebSocketResponse, d: dict[str, Any]) -> Session | None:
        session = self.sessions.get(d.get("session_id", ""))
        if session is None or d.get("token") != self.token:
            await self._send(ws, None, INVALID_SESSION, False)
            return None
        self.resumes += 1
        session.ws = ws
        for frame in [f for f in session.buffer if f["s"] > int(d.get("seq") or 0)]:
            await ws.send_str(json.dumps(frame))
        await self._send(ws, session, DISPATCH, {}, "RESUMED")
        await self._notify()
        return session

    # ---------------------------------------------------------------- REST

    def _routes(self, base: str) -> list[web.RouteDef]:
        return [
            web.get(base + "/gateway", self._get_gateway),
            web.get(base + "/gateway/bot", self._get_gateway_bot),
            web.get(base + "/users/@me", self._get_me),
            web.get(base + "/oauth2/applications/@me", self._get_application),
            web.get(base + "/applications/{app}/commands", self._get_commands),
            web.put(base + "/applications/{app}/commands", self._put_commands),
            web.get(base + "/applications/{app}/guilds/{guild}/commands", self._get_commands),
            web.put(base + "/applications/{app}/guilds/{guild}/commands", self._put_commands),
            web.post(base + "/interactions/{id}/{token}/callback", self._callback),
            web.post(base + "/webhooks/{app}/{token}", self._followup),
            web.get(base + "/webhooks/{app}/{token}/messages/{message}", self._webhook_message),
            web.patch(base + "/webhooks/{app}/{token}/messages/{message}", self._webhook_message),
            web.delete(base + "/webhooks/{app}/{token}/messages/{message}", self._webhook_message),
            web.get(base + "/channels/{channel}", self._get_channel),
            web.get(base + "/channels/{channel}/messages", self._get_messages),
            web.post(base + "/channels/{channel}/messages", self._create_message),
            web.get(base + "/channels/{channel}/messages/{message}", self._get_message),
            web.patch(base + "/channels/{channel}/messages/{message}", self._edit_message),
            web.post(base + "/channels/{channel}/messages/{message}/threads", self._create_thread),
            web.post(base + "/channels/{channel}/typing", self._typing),
            web.post(base + "/users/@me/channels", self._open_dm),
            web.route("*", base + "/{tail:.*}", self._unknown),
        ]

    @web.middleware
    async def _record_middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path == "/gateway":
            return await handler(request)
        body = await self._body(request)
        request[BODY] = body
        webhook = request.path.startswith(("/api/v10/webhooks/", "/api/v10/interactions/"))
        if not webhook and request.headers.get("Authorization") != f"Bot {self.token}":
            response: web.StreamResponse = _json({"message": "401: Unauthorized", "code": 0}, status=401)
        else:
            response = await handler(request)
        if request.method != "GET":
            answer = (
                json.loads(response.text) if isinstance(response, web.Response) and response.text else None
            )
            self.sent.append(Sent(request.method, request.path, body, response.status, answer))
            await self._notify()
        return response

    @staticmethod
    async def _body(request: web.Request) -> Any:
        if not request.can_read_body:
            return None
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            raw = form.get("payload_json")
            return json.loads(str(raw)) if raw is not None else None
        text = await request.text()
        return json.loads(text) if text else None

    @staticmethod
    def _error(status: int, code: int, message: str) -> web.Response:
        return _json({"message": message, "code": code}, status=status)

    async def _unknown(self, request: web.Request) -> web.Response:
        self.unknown_routes.append(f"{request.method} {request.path}")
        return self._error(404, 0, "404: Not Found")

    async def _get_gateway(self, request: web.Request) -> web.Response:
        return _json({"url": self.gateway_url})

    async def _get_gateway_bot(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return _json({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})

    async def _get_me(self, request: web.Request) -> web.Response:
        return _json({**self.bot.to_dict(), "verified": True, "mfa_enabled": False, "flags": 0})

    async def _get_application(self, request: web.Request) -> web.Response:
        return _json(
            {
                "id": str(self.application_id),
                "name": self.bot.name,
                "icon": None,
                "description": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": self.owner.to_dict(),
                "team": None,
                "verify_key": "0" * 64,
                "flags": 1 << 19,
                "summary": "",
            }
        )

    def _scope(self, request: web.Request) -> int | None:
        guild = request.match_info.get("guild")
        return int(guild) if guild else None

    async def _get_commands(self, request: web.Request) -> web.Response:
        guild = self._scope(request)
        return _json(self.guild_commands.get(guild, []) if guild else self.global_commands)

    async def _put_commands(self, request: web.Request) -> web.Response:
        if request.match_info["app"] != str(self.application_id):
            return self._error(403, 50001, "Missing Access")
        body = request[BODY]
        problem = validate_commands(body)
        guild = self._scope(request)
        if problem is not None:
            status, error = problem
            self.command_syncs.append(Sent("PUT", request.path, body, status, error))
            return _json(error, status=status)
        stored = []
        for command in body:
            entry = {
                "id": str(self.ids.next()),
                "application_id": str(self.application_id),
                "version": str(self.ids.next()),
                "type": command.get("type", 1),
                "name": command["name"],
                "description": command.get("description", ""),
                "options": command.get("options", []),
                "default_member_permissions": (
                    None
                    if command.get("default_member_permissions") is None
                    else str(command["default_member_permissions"])
                ),
                "dm_permission": command.get("dm_permission", True),
                "nsfw": command.get("nsfw", False),
                "contexts": command.get("contexts"),
                "integration_types": command.get("integration_types", [0]),
            }
            if guild:
                entry["guild_id"] = str(guild)
            stored.append(entry)
        if guild:
            self.guild_commands[guild] = stored
        else:
            self.global_commands = stored
        self.command_syncs.append(Sent("PUT", request.path, body, 200, stored))
        return _json(stored)

    def _check_message(self, ix: Interaction | None, body: Any, *, creating: bool) -> web.Response | None:
        problem = validate_message(body or {}, creating=creating)
        if problem is None:
            return None
        status, error = problem
        if ix is not None:
            ix.rejected.append((status, error))
        logger.warning("emulator refused a message: %s", error)
        return _json(error, status=status)

    def _new_message(self, channel_id: int, body: dict[str, Any], flags: int = 0) -> dict[str, Any]:
        channel = self.channels.get(channel_id, {})
        guild_id = int(channel["guild_id"]) if "guild_id" in channel else None
        msg = p.message(self.ids.next(), channel_id, self.bot, body, guild_id=guild_id, flags=flags)
        msg["allowed_mentions"] = body.get("allowed_mentions")
        return msg

    async def _callback(self, request: web.Request) -> web.Response:
        ix = self.interactions.get(int(request.match_info["id"]))
        if ix is None or ix.token != request.match_info["token"]:
            return self._error(404, 10062, "Unknown interaction")
        if time.monotonic() - ix.created > self.interaction_deadline:
            ix.rejected.append((404, {"code": 10062}))
            return self._error(404, 10062, "Unknown interaction")
        if ix.acked_at is not None:
            ix.rejected.append((400, {"code": 40060}))
            return self._error(400, 40060, "Interaction has already been acknowledged.")
        body = request[BODY] or {}
        kind, data = body.get("type"), body.get("data") or {}
        flags = int(data.get("flags") or 0)
        message: dict[str, Any] | None = None
        if kind == CHANNEL_MESSAGE:
            refused = self._check_message(ix, data, creating=True)
            if refused is not None:
                return refused
            message = self._new_message(ix.channel_id, data, flags & EPHEMERAL)
        elif kind == DEFERRED_CHANNEL_MESSAGE:
            message = self._new_message(ix.channel_id, {}, (flags & EPHEMERAL) | LOADING)
        elif kind in (DEFERRED_UPDATE, UPDATE_MESSAGE) and ix.type == MESSAGE_COMPONENT:
            if kind == UPDATE_MESSAGE:
                refused = self._check_message(ix, data, creating=False)
                if refused is not None:
                    return refused
                self._apply_edit(self._message_index[ix.message_id or 0], data)
        else:
            ix.rejected.append((400, {"code": 50035}))
            return self._error(400, 50035, "Invalid interaction response type")
        ix.acked_at = time.monotonic()
        ix.response_type = kind
        if message is not None:
            ix.ephemeral = bool(message["flags"] & EPHEMERAL)
            ix.original = message
            self._message_index[int(message["id"])] = message
            if not ix.ephemeral and kind == CHANNEL_MESSAGE:
                await self._store_message(message)
        await self._notify()
        response: dict[str, Any] = {
            "interaction": {"id": str(ix.id), "type": ix.type, "response_message_loading": kind == 5},
        }
        if message is not None:
            response["interaction"]["response_message_id"] = message["id"]
            response["interaction"]["response_message_ephemeral"] = ix.ephemeral
            response["resource"] = {"type": kind, "message": message}
        else:
            response["resource"] = {"type": kind}
        if request.query.get("with_response") in ("1", "true", "True"):
            return _json(response)
        return web.Response(status=204)

    def _webhook_interaction(self, request: web.Request) -> Interaction | web.Response:
        if request.match_info["app"] != str(self.application_id):
            return self._error(404, 10015, "Unknown Webhook")
        ix = self._by_token.get(request.match_info["token"])
        if ix is None or ix.acked_at is None:
            return self._error(404, 10015, "Unknown Webhook")
        if time.monotonic() - ix.created > self.token_lifetime:
            ix.rejected.append((401, {"code": 50027}))
            return self._error(401, 50027, "Invalid Webhook Token")
        return ix

    async def _followup(self, request: web.Request) -> web.Response:
        ix = self._webhook_interaction(request)
        if isinstance(ix, web.Response):
            return ix
        body = request[BODY] or {}
        refused = self._check_message(ix, body, creating=True)
        if refused is not None:
            return refused
        if ix.original is not None and ix.original["flags"] & LOADING:
            # Discord: the first follow-up after a deferral replaces the "thinking" message.
            message = self._new_message(ix.channel_id, body, ix.original["flags"] & EPHEMERAL)
            message["id"] = ix.original["id"]
            ix.original = message
        else:
            message = self._new_message(ix.channel_id, body, int(body.get("flags") or 0) & EPHEMERAL)
            ix.followups.append(message)
        self._message_index[int(message["id"])] = message
        if not message["flags"] & EPHEMERAL:
            await self._store_message(message)
        await self._notify()
        if request.query.get("wait") in ("1", "true", "True"):
            return _json(message)
        return web.Response(status=204)

    async def _webhook_message(self, request: web.Request) -> web.Response:
        ix = self._webhook_interaction(request)
        if isinstance(ix, web.Response):
            return ix
        ref = request.match_info["message"]
        if ref == "@original":
            message = ix.original
        else:
            message = next((m for m in [ix.original, *ix.followups] if m and m["id"] == ref), None)
        if message is None:
            return self._error(404, 10008, "Unknown Message")
        if request.method == "GET":
            return _json(message)
        if request.method == "DELETE":
            if message is ix.original:
                ix.original = None
            else:
                ix.followups.remove(message)
            await self._notify()
            return web.Response(status=204)
        body = request[BODY] or {}
        refused = self._check_message(ix, body, creating=False)
        if refused is not None:
            return refused
        self._apply_edit(message, body)
        await self._notify()
        return _json(message)

    @staticmethod
    def _apply_edit(message: dict[str, Any], body: dict[str, Any]) -> None:
        for key in ("content", "embeds", "components", "allowed_mentions"):
            if key in body:
                message[key] = body[key] if body[key] is not None else ([] if key != "content" else "")
        message["flags"] &= ~LOADING
        message["edited_timestamp"] = p.iso_now()

    def _channel_or_error(self, request: web.Request) -> dict[str, Any] | web.Response:
        channel = self.channels.get(int(request.match_info["channel"]))
        return channel if channel is not None else self._error(404, 10003, "Unknown Channel")

    async def _get_channel(self, request: web.Request) -> web.Response:
        channel = self._channel_or_error(request)
        return channel if isinstance(channel, web.Response) else _json(channel)

    async def _get_messages(self, request: web.Request) -> web.Response:
        channel = self._channel_or_error(request)
        if isinstance(channel, web.Response):
            return channel
        history = self.messages.get(int(channel["id"]), [])
        before, after = request.query.get("before"), request.query.get("after")
        limit = min(int(request.query.get("limit", 50)), 100)
        chosen = [
            m
            for m in history
            if (before is None or int(m["id"]) < int(before)) and (after is None or int(m["id"]) > int(after))
        ]
        newest_first = list(reversed(chosen))
        if after is not None and before is None:
            return _json(list(reversed(chosen[:limit])))
        return _json(newest_first[:limit])

    async def _get_message(self, request: web.Request) -> web.Response:
        message = self._message_index.get(int(request.match_info["message"]))
        if message is None or message["channel_id"] != request.match_info["channel"]:
            return self._error(404, 10008, "Unknown Message")
        return _json(message)

    async def _create_message(self, request: web.Request) -> web.Response:
        channel = self._channel_or_error(request)
        if isinstance(channel, web.Response):
            return channel
        if channel["type"] == p.GUILD_FORUM:
            return self._error(400, 50008, "Cannot send messages in a non-text channel")
        body = request[BODY] or {}
        refused = self._check_message(None, body, creating=True)
        if refused is not None:
            return refused
        message = self._new_message(int(channel["id"]), body)
        await self._store_message(message)
        return _json(message)

    async def _edit_message(self, request: web.Request) -> web.Response:
        message = self._message_index.get(int(request.match_info["message"]))
        if message is None or message["author"]["id"] != str(self.bot.id):
            return self._error(
                404 if message is None else 403, 10008 if message is None else 50005, "Cannot edit"
            )
        body = request[BODY] or {}
        refused = self._check_message(None, body, creating=False)
        if refused is not None:
            return refused
        self._apply_edit(message, body)
        await self._notify()
        return _json(message)

    async def _create_thread(self, request: web.Request) -> web.Response:
        channel = self._channel_or_error(request)
        if isinstance(channel, web.Response):
            return channel
        if channel["type"] != p.GUILD_TEXT:
            return self._error(400, 50024, "Cannot execute action on this channel type")
        message = self._message_index.get(int(request.match_info["message"]))
        if message is None or message["channel_id"] != channel["id"]:
            return self._error(404, 10008, "Unknown Message")
        if int(message["id"]) in self.channels:
            return self._error(400, 160004, "A thread has already been created for this message")
        body = request[BODY] or {}
        name = body.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 100:
            return _json(
                {
                    "code": 50035,
                    "message": "Invalid Form Body",
                    "errors": {"name": {"_errors": [{"code": "BASE_TYPE_BAD_LENGTH", "message": "1-100"}]}},
                },
                status=400,
            )
        thread_id = int(message["id"])  # Discord gives a thread started from a message that message's id
        thread = p.thread_channel(
            thread_id, channel, self.bot.id, name, int(body.get("auto_archive_duration", 1440))
        )
        self.channels[thread_id] = thread
        self.messages[thread_id] = []
        message["thread"] = thread
        await self._dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        # As Discord does, the thread opens with a system message pointing at the one it started
        # from: same author, no content of its own.
        author = self.members.get(int(message["author"]["id"]), self.bot)
        starter = p.message(
            self.ids.next(),
            thread_id,
            author,
            {},
            guild_id=int(thread["guild_id"]),
            message_type=p.THREAD_STARTER_MESSAGE,
        )
        starter["message_reference"] = {
            "type": 0,
            "message_id": message["id"],
            "channel_id": message["channel_id"],
            "guild_id": thread["guild_id"],
        }
        starter["referenced_message"] = message
        await self._store_message(starter)
        return _json(thread, status=201)

    async def _typing(self, request: web.Request) -> web.Response:
        return web.Response(status=204)

    async def _open_dm(self, request: web.Request) -> web.Response:
        recipient = self.members.get(int((request[BODY] or {}).get("recipient_id", 0)))
        if recipient is None:
            return self._error(400, 50007, "Cannot send messages to this user")
        return _json(self.channels[self.dm_channel(recipient)])
