"""exterior-bot: Discord bot and CLI around the Exterior Creation API."""

__version__ = "0.1.0"
