"""`exterior-bot playground`: the whole bot in a browser, with no Discord account, token or key.

One process runs the built-in sandbox API, the Discord emulator (``bot.runtime.emulator``), the
real bot connected to it (``bot.runtime.app.run_bot``: the same core and cogs as `exterior-bot
run`) and a web page that is a Discord client of the emulator: it shows what the bot really sent
through the Discord protocol and sends what a user does as interactions. It never builds a
message itself (``world.py`` the server and its members, ``memory.py`` the world kept beside the
playground's database, ``feed.py`` the live websocket, ``actions.py`` what a user does,
``page.py`` the page, ``run.py`` the whole).
"""
