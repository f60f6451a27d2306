"""The Discord side: slash commands, cards and their buttons, previews, admin, languages.

Cogs hold no SQL and no image or API rules: they call the core through `bot.core` (the
composition root) and render what it returns in the user's language."""
