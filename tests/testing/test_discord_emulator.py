"""The emulator enforces Discord's rules, so the e2e tests can trust what it accepts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from testing.discord_emulator import DiscordEmulator, pings
from testing.discord_emulator.limits import validate_commands, validate_message
from testing.discord_emulator.payloads import MANAGE_GUILD

pytestmark = pytest.mark.integration

COMMAND = {"name": "ask", "description": "Ask a question", "type": 1, "options": []}


@pytest_asyncio.fixture
async def emu() -> AsyncIterator[DiscordEmulator]:
    emulator = DiscordEmulator(interaction_deadline=0.3, token_lifetime=60)
    await emulator.start()
    yield emulator
    await emulator.stop()


async def call(
    emu: DiscordEmulator, method: str, path: str, body: Any = None, auth: bool = True
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bot {emu.token}"} if auth else {}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, emu.api_base + path, json=body, headers=headers) as response,
    ):
        data = await response.json(content_type=None) if response.status != 204 else None
        assert response.status == 204 or response.headers["Content-Type"] == "application/json"
        return response.status, data


async def synced_ask(emu: DiscordEmulator) -> None:
    option = {"name": "question", "description": "What to ask", "type": 3, "required": True}
    status, _ = await call(
        emu, "PUT", f"/applications/{emu.application_id}/commands", [{**COMMAND, "options": [option]}]
    )
    assert status == 200


@pytest.mark.unit
@pytest.mark.parametrize(
    ("command", "field"),
    [
        ({**COMMAND, "name": "Ask"}, "name"),
        ({**COMMAND, "name": "a" * 33}, "name"),
        ({**COMMAND, "description": ""}, "description"),
        ({**COMMAND, "description": "d" * 101}, "description"),
        (
            {**COMMAND, "options": [{"name": f"o{i}", "description": "d", "type": 3} for i in range(26)]},
            "options",
        ),
        (
            {
                **COMMAND,
                "options": [
                    {"name": "a", "description": "d", "type": 3},
                    {"name": "b", "description": "d", "type": 3, "required": True},
                ],
            },
            "required",
        ),
        ({**COMMAND, "options": [{"name": "a", "description": "", "type": 3}]}, "description"),
        ({**COMMAND, "options": [{"name": "a", "description": "d", "type": 99}]}, "type"),
    ],
)
def test_command_payloads_are_validated_like_discord(command: dict, field: str) -> None:
    problem = validate_commands([command])
    assert problem is not None
    status, error = problem
    assert status == 400 and error["code"] == 50035
    assert f'"{field}"' in str(error).replace("'", '"')
    assert validate_commands([COMMAND]) is None
    assert validate_commands([COMMAND, COMMAND]) is not None  # duplicate names


@pytest.mark.unit
def test_message_limits_are_enforced_with_discords_error_json() -> None:
    assert validate_message({"content": "x" * 2000}, creating=True) is None
    status, error = validate_message({"content": "x" * 2001}, creating=True)  # type: ignore[misc]
    assert status == 400 and error["errors"]["content"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
    _, error = validate_message({"embeds": [{"description": "d" * 4097}]}, creating=True)  # type: ignore[misc]
    assert "description" in error["errors"]["embeds"]["0"]
    fields = [{"name": "n", "value": "v" * 1024}] * 6
    _, error = validate_message({"embeds": [{"fields": fields}]}, creating=True)  # type: ignore[misc]
    assert error["errors"]["embeds"]["_errors"][0]["code"] == "MAX_EMBED_SIZE_EXCEEDED"
    _, error = validate_message({"embeds": [{"fields": [{"name": "n", "value": "v"}] * 26}]}, creating=True)  # type: ignore[misc]
    assert "fields" in error["errors"]["embeds"]["0"]
    assert validate_message({}, creating=True) == (
        400,
        {"code": 50006, "message": "Cannot send an empty message"},
    )


@pytest.mark.unit
def test_pings_follow_allowed_mentions() -> None:
    content = "@everyone <@123456789012345678> <@&223456789012345678>"
    assert pings({"content": content}) == {"everyone", "user:123456789012345678", "role:223456789012345678"}
    assert pings({"content": content, "allowed_mentions": {"parse": []}}) == set()
    assert pings({"content": content, "allowed_mentions": {"parse": ["users"]}}) == {
        "user:123456789012345678"
    }


async def test_rest_needs_the_bot_token(emu: DiscordEmulator) -> None:
    assert (await call(emu, "GET", "/users/@me", auth=False))[0] == 401
    status, me = await call(emu, "GET", "/users/@me")
    assert status == 200 and me["bot"] is True
    status, gateway = await call(emu, "GET", "/gateway/bot")
    assert gateway["url"] == emu.gateway_url


async def test_interaction_deadline_single_ack_and_token_lifetime(emu: DiscordEmulator) -> None:
    await synced_ask(emu)
    user = emu.user("u")
    ix = await emu.invoke("ask", {"question": "q"}, user=user)
    callback = f"/interactions/{ix.id}/{ix.token}/callback"
    status, _ = await call(emu, "POST", callback, {"type": 5}, auth=False)
    assert status == 204 and ix.response_type == 5
    status, error = await call(emu, "POST", callback, {"type": 5}, auth=False)
    assert (status, error["code"]) == (400, 40060)

    webhook = f"/webhooks/{emu.application_id}/{ix.token}"
    status, error = await call(emu, "POST", webhook + "?wait=true", {"content": "x" * 2001}, auth=False)
    assert status == 400 and "content" in error["errors"]
    status, message = await call(emu, "POST", webhook + "?wait=true", {"content": "done"}, auth=False)
    assert status == 200 and ix.original is not None and ix.original["content"] == "done" and ix.answered
    status, second = await call(
        emu, "POST", webhook + "?wait=true", {"content": "more", "flags": 64}, auth=False
    )
    assert status == 200 and second["id"] != message["id"] and second["flags"] == 64
    emu.expire(ix, 61)
    status, error = await call(emu, "PATCH", webhook + "/messages/@original", {"content": "late"}, auth=False)
    assert (status, error["code"]) == (401, 50027)

    late = await emu.invoke("ask", {"question": "q"}, user=user)
    emu.expire(late, 0.5)
    status, error = await call(
        emu, "POST", f"/interactions/{late.id}/{late.token}/callback", {"type": 5}, auth=False
    )
    assert (status, error["code"]) == (404, 10062) and late.acked_at is None


async def test_unknown_commands_and_buttons_cannot_be_invoked(emu: DiscordEmulator) -> None:
    with pytest.raises(LookupError):
        await emu.invoke("ask", {"question": "q"}, user=emu.user("u"))
    await synced_ask(emu)
    with pytest.raises(ValueError):
        await emu.invoke("ask", {}, user=emu.user("u"))
    message = await emu.post_message("hello", author=emu.user("u"))
    with pytest.raises(LookupError):
        await emu.click(message, "nothing", user=emu.user("u"))


async def test_threads_are_created_once_from_a_message(emu: DiscordEmulator) -> None:
    message = await emu.post_message("start", author=emu.user("u"))
    path = f"/channels/{emu.channel_id}/messages/{message['id']}/threads"
    status, thread = await call(emu, "POST", path, {"name": "topic", "auto_archive_duration": 1440})
    assert status == 201 and thread["id"] == message["id"] and thread["parent_id"] == str(emu.channel_id)
    status, error = await call(emu, "POST", path, {"name": "topic"})
    assert (status, error["code"]) == (400, 160004)
    status, _ = await call(emu, "POST", f"/channels/{thread['id']}/messages", {"content": "in thread"})
    status, history = await call(emu, "GET", f"/channels/{thread['id']}/messages?limit=10")
    # newest first: the post, then Discord's system message opening the thread, pointing at the starter
    assert status == 200 and [(m["type"], m["content"]) for m in history] == [(0, "in thread"), (21, "")]
    assert history[1]["message_reference"]["message_id"] == message["id"]
    assert history[1]["author"]["id"] == message["author"]["id"]


async def _sync(emu: DiscordEmulator, commands: list[dict[str, Any]], guild_id: int) -> None:
    path = f"/applications/{emu.application_id}/guilds/{guild_id}/commands"
    status, _ = await call(emu, "PUT", path, commands)
    assert status == 200


MANAGED = {
    **COMMAND,
    "name": "feeds",
    "default_member_permissions": str(MANAGE_GUILD),
    "contexts": [0],
    "options": [
        {
            "name": "add",
            "description": "Follow",
            "type": 1,
            "options": [
                {"name": "url", "description": "Address", "type": 3, "required": True},
                {"name": "channel", "description": "Where", "type": 7, "channel_types": [0, 11]},
            ],
        }
    ],
}


async def test_commands_are_offered_as_discord_offers_them(emu: DiscordEmulator) -> None:
    other, other_general = await emu.add_guild("Other")
    forum = await emu.add_channel(other, "help", forum=True)
    await _sync(emu, [MANAGED], other)
    member, manager = emu.user("member"), emu.user("manager")
    emu.grant(manager, other, MANAGE_GUILD)
    with pytest.raises(LookupError):  # synced to the other guild only
        await emu.invoke("feeds add", {"url": "https://x.example/f"}, user=manager)
    with pytest.raises(PermissionError):  # not offered without Manage Server...
        await emu.invoke("feeds add", {"url": "https://x.example/f"}, user=member, channel_id=other_general)
    with pytest.raises(ValueError):  # a forum is not among the channel types the option takes
        await emu.invoke(
            "feeds add",
            {"url": "https://x.example/f", "channel": str(forum)},
            user=manager,
            channel_id=other_general,
        )
    ix = await emu.invoke(
        "feeds add",
        {"url": "https://x.example/f", "channel": str(other_general)},
        user=manager,
        channel_id=other_general,
    )
    assert ix.data["options"] == [
        {
            "name": "add",
            "type": 1,
            "options": [
                {"name": "url", "type": 3, "value": "https://x.example/f"},
                {"name": "channel", "type": 7, "value": str(other_general)},
            ],
        }
    ]
    assert ix.data["resolved"]["channels"][str(other_general)]["name"] == "general"
    assert ix.guild_id == other
    emu.open_command(other, "feeds")  # ...unless the server's settings open it to everyone
    opened = await emu.invoke(
        "feeds add", {"url": "https://x.example/f"}, user=member, channel_id=other_general
    )
    assert opened.guild_id == other
    with pytest.raises(LookupError):  # a command synced to guilds does not exist in a direct message
        await emu.invoke(
            "feeds add", {"url": "https://x.example/f"}, user=member, channel_id=emu.dm_channel(member)
        )


async def test_forum_posts_are_threads_opened_by_their_author(emu: DiscordEmulator) -> None:
    forum = await emu.add_channel(emu.guild_id, "questions", forum=True)
    author = emu.user("asker")
    with pytest.raises(ValueError):
        await emu.post_message("nobody posts in the forum itself", author=author, channel_id=forum)
    thread_id, first = await emu.post_forum_thread(forum, "Why?", "Tell me why.", author=author)
    thread = emu.channels[thread_id]
    assert thread["parent_id"] == str(forum) and thread["owner_id"] == str(author.id)
    assert first["id"] == str(thread_id) and first["channel_id"] == str(thread_id)
    status, error = await call(emu, "POST", f"/channels/{forum}/messages", {"content": "x"})
    assert (status, error["code"]) == (400, 50008)
    status, error = await call(
        emu, "POST", f"/channels/{thread_id}/messages/{thread_id}/threads", {"name": "n"}
    )
    assert (status, error["code"]) == (400, 50024)  # no thread from a message in a thread
    status, _ = await call(emu, "POST", f"/channels/{thread_id}/messages", {"content": "an answer"})
    assert status == 200 and [m["content"] for m in emu.bot_messages(thread_id)] == ["an answer"]
    reply = await emu.post_message("and?", author=emu.user("other"), channel_id=thread_id, reply_to=first)
    assert reply["type"] == 19 and reply["referenced_message"]["id"] == first["id"]
