"""One cog module per command group; each has an async `setup(bot)` loaded by the client."""
