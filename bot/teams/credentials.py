"""A server's own API credentials: checked with the API, sealed with Fernet, opened per call.

The key is sealed under EXTERIOR_SECRET_KEY (no key set: nothing is saved, the admin is told);
only its masked hint is ever shown. A generation records the set it was started with, and it
is followed (tracker `get`) with that set even after the server replaces its key.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable

from cryptography.fernet import InvalidToken

from bot.api import errors
from bot.api.client import ExteriorClient
from bot.domain import UserError
from bot.teams.secrets import sealing
from storage import CredentialRepository, StoredCredentials

log = logging.getLogger(__name__)
MakeClient = Callable[[str, str], ExteriorClient]  # (api_key, user_id) -> client


class CredentialsError(UserError):
    """This server's key cannot be read (any more); its subclasses: why one was not saved."""

    code = "credentials.unreadable"


class NoSecretKeyError(CredentialsError):
    code = "credentials.no_secret_key"


class RefusedCredentialsError(CredentialsError):
    code = "credentials.refused"


class UncheckedCredentialsError(CredentialsError):
    code = "credentials.unchecked"


def mask(api_key: str) -> str:
    return "••••" + api_key[-4:] if len(api_key) >= 12 else "••••"


class Credentials:
    def __init__(
        self,
        secret_key: str | None,
        repo: CredentialRepository,
        make_client: MakeClient,
        default: ExteriorClient,
    ) -> None:
        self._fernet = sealing(secret_key)
        self._repo = repo
        self._make_client = make_client
        self.default = default
        self._clients: dict[int, ExteriorClient] = {}

    @property
    def can_seal(self) -> bool:
        """Whether EXTERIOR_SECRET_KEY is set (without it no server key is ever stored)."""
        return self._fernet is not None

    async def client_for(self, set_id: int | None) -> ExteriorClient:
        """The client of a credential set (None: the global credentials)."""
        if set_id is None:
            return self.default
        if set_id not in self._clients:
            stored = await self._repo.get(set_id)
            if stored is None or self._fernet is None:
                raise CredentialsError()
            try:
                opened = json.loads(self._fernet.decrypt(stored.sealed.encode()))
            except InvalidToken as exc:  # EXTERIOR_SECRET_KEY changed since it was saved
                raise CredentialsError() from exc
            self._clients[set_id] = self._make_client(opened["api_key"], opened["user_id"])
        return self._clients[set_id]

    async def save(self, guild_id: int, api_key: str, user_id: str) -> StoredCredentials:
        """Check with the API (one `get` of an unknown id: 404 = accepted), then seal and
        store. Raises a CredentialsError (a sentence for the admin)."""
        if self._fernet is None:
            raise NoSecretKeyError()
        api_key, user_id = api_key.strip(), user_id.strip()
        await check(self._make_client(api_key, user_id))
        sealed = self._fernet.encrypt(json.dumps({"api_key": api_key, "user_id": user_id}).encode())
        stored = await self._repo.add(guild_id, sealed.decode(), mask(api_key))
        log.info("server %s saved its own API credentials as set %s", guild_id, stored.id)
        return stored

    async def hint(self, set_id: int | None) -> str | None:
        stored = await self._repo.get(set_id) if set_id is not None else None
        return stored.key_hint if stored else None


async def check(client: ExteriorClient, timeout: float = 20.0) -> None:
    try:
        async with asyncio.timeout(timeout):
            await client.get(str(uuid.uuid4()))
    except (errors.NotFoundError, errors.InvalidRequestError):
        return
    except errors.AuthenticationError as exc:
        raise RefusedCredentialsError() from exc
    except (errors.ApiError, TimeoutError) as exc:
        log.warning("could not check a server's credentials: %r", exc)
        raise UncheckedCredentialsError() from exc
    # a 200 for an id nobody has is not what the API does; do not trust it
    raise UncheckedCredentialsError()
