"""The emulator enforces Discord's rules, so the e2e tests can trust what it accepts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from testing.discord_emulator import DiscordEmulator, pings
from testing.discord_emulator.limits import validate_commands, validate_message

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
