"""One process, assembled: the settings read from the environment, the composition root that
wires one core (session, database, API client or sandbox, tracker, service) for the CLI and the
Discord bot alike, the HTTP server they share (callbacks, hosted files, studio) and the Discord
client that loads the cogs.
"""
