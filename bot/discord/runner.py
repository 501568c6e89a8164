"""`geobot serve`: build the services once, then run the bot until it is stopped."""

from __future__ import annotations

import asyncio
import logging
import signal

import discord
import yarl
from discord.gateway import DiscordWebSocket

from bot.discord.client import GeoBot
from bot.discord.errors import StartupError
from bot.discord.ports import Services
from bot.settings import DiscordSettings, Secrets, Settings

logger = logging.getLogger(__name__)


def use_endpoints(settings: DiscordSettings) -> None:
    """Point discord.py at `[discord] api_base` / `gateway_url` (an emulator in tests).

    discord.py keeps both as class attributes (`Route.BASE`, `DiscordWebSocket.DEFAULT_GATEWAY`);
    a plain `Client` connects to DEFAULT_GATEWAY and resumes at READY's `resume_gateway_url`.
    """
    if settings.api_base:
        logger.warning("talking to the Discord API at %s (test setting)", settings.api_base)
        discord.http.Route.BASE = settings.api_base.rstrip("/")
    if settings.gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


async def serve(settings: Settings, services: Services, token: str) -> None:
    """Run the bot until it is closed; start-up failures become a StartupError."""
    use_endpoints(settings.discord)
    bot = GeoBot(settings, services)
    # systemd and docker stop with SIGTERM: close the gateway session cleanly as Ctrl-C does.
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, lambda: asyncio.ensure_future(bot.close()))
    try:
        async with bot:
            await bot.start(token)
    except discord.LoginFailure:
        raise StartupError(
            "Discord refused DISCORD_TOKEN: copy the bot token again from the developer portal"
        ) from None
    except discord.PrivilegedIntentsRequired:
        raise StartupError(
            "Discord refused the Message Content intent: enable it for the bot in the developer portal, "
            "or set [discord] mention_chat = false"
        ) from None


def run_bot(settings: Settings, secrets: Secrets) -> None:
    """The `geobot serve` entry point (the token is known to be set)."""
    from bot.discord.services import build_services

    assert secrets.discord_token is not None
    services = build_services(settings, secrets)
    try:
        asyncio.run(serve(settings, services, secrets.discord_token.get_secret_value()))
    except KeyboardInterrupt:
        logger.info("stopped")
