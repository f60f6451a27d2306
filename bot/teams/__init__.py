"""Who may spend, with which key and how much: a server's policy and limits, its own sealed
API key, the signing key for our own links, and the team's spend reports.

The rules live here; the binding limit check is counted inside the intent's transaction
(`storage.caps`), so two racing members can never both take the last unit.
"""

from bot.teams.credentials import Credentials, CredentialsError
from bot.teams.policy import LimitReachedError, Policy
from bot.teams.usecases import TeamService

__all__ = ["Credentials", "CredentialsError", "LimitReachedError", "Policy", "TeamService"]
