"""Settings read once from the environment (and a `.env` file), validated, frozen."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from dotenv import dotenv_values

DEFAULT_BASE_URL = "https://iacrea.com"
# Fixed credentials of the embedded sandbox: nothing secret about them.
SANDBOX_API_KEY = "sandbox-key"
SANDBOX_USER_ID = "00000000-0000-4000-8000-000000000000"


MIN_SECRET_KEY_LENGTH = 32  # bytes: an HMAC and HKDF key no weaker than the hash


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable. Plain English on
    purpose: the operator reads it at start, no Discord user ever does (no catalogue code)."""


@dataclass(frozen=True)
class Settings:
    discord_token: str | None = field(default=None, repr=False)
    discord_guild_id: int | None = None
    discord_api_base_url: str | None = None
    discord_gateway_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    user_id: str | None = None
    base_url: str = DEFAULT_BASE_URL
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    db_path: Path = Path("exterior-bot.sqlite3")
    # PostgreSQL for several processes; it may carry a password, so it stays out of repr.
    database_url: str | None = field(default=None, repr=False)
    # How long a process's claim on a generation outlives the process (PostgreSQL only).
    lease_seconds: float = 30.0
    # How often every process looks for results nobody posted (a crash, a failed upload).
    sweep_seconds: float = 60.0
    # Discord shards: all of them in one process (None) or the ids this process runs.
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None
    public_url: str | None = None
    webhook_host: str = "0.0.0.0"
    webhook_port: int = 8080
    log_level: str = "INFO"
    # Hosts (besides the API's and Discord's) results may be downloaded from.
    allowed_hosts: tuple[str, ...] = ()
    # Signs callback paths (and studio links); unset: a random key kept in the database.
    secret_key: str | None = field(default=None, repr=False)
    # Tracker: first check, growth, cap and the overall deadline.
    poll_first_delay: float = 5.0
    poll_max_interval: float = 60.0
    deadline_seconds: float = 1800.0
    # Embedded sandbox clock (only used when no API key is set).
    sandbox_starting_seconds: float = 0.5
    sandbox_processing_seconds: float = 2.5
    sandbox_failure_ratio: float = 0.0

    @property
    def database(self) -> str | Path:
        """What storage opens: the PostgreSQL URL when set, else the SQLite file."""
        return self.database_url or self.db_path

    @property
    def sandbox(self) -> bool:
        """No API key: everything runs against the embedded sandbox."""
        return not self.api_key

    def __repr__(self) -> str:  # secrets stay out of logs and tracebacks
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.repr)
        return f"Settings({shown}, api_key={'set' if self.api_key else 'unset'})"


def _secret_key(env: Mapping[str, str]) -> str | None:
    """One key, or several newest first separated by commas (bot.teams.secrets: rotation)."""
    value = _opt(env, "EXTERIOR_SECRET_KEY")
    for key in (value or "").split(","):
        if key.strip() and len(key.strip().encode()) < MIN_SECRET_KEY_LENGTH:
            raise ConfigError(
                f"EXTERIOR_SECRET_KEY: each key must be at least {MIN_SECRET_KEY_LENGTH} "
                "characters (make one with: "
                "python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
    return value


def _opt(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "")
    value = value.strip() if value else ""
    return value or None


def _number(env: Mapping[str, str], name: str, default, kind=float, minimum=0):
    raw = _opt(env, name)
    if raw is None:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a {kind.__name__}, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {raw!r}")
    return value


def _url(env: Mapping[str, str], name: str, default: str | None = None) -> str | None:
    value = _opt(env, name) or default
    if value is not None and not value.startswith(("http://", "https://")):
        raise ConfigError(f"{name} must start with http:// or https://, got {value!r}")
    return value.rstrip("/") if value else None


def _database_url(env: Mapping[str, str]) -> str | None:
    value = _opt(env, "EXTERIOR_DATABASE_URL")
    if value is not None and not value.startswith(("postgresql://", "postgres://")):
        raise ConfigError("EXTERIOR_DATABASE_URL must start with postgresql://")
    return value


def _shards(env: Mapping[str, str]) -> tuple[int | None, tuple[int, ...] | None]:
    count = _number(env, "DISCORD_SHARD_COUNT", None, int, minimum=1)
    raw = _opt(env, "DISCORD_SHARD_IDS")
    if raw is None:
        return count, None
    if count is None:
        raise ConfigError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT (all processes' total)")
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    if not parts or not all(p.isdigit() for p in parts):
        raise ConfigError(f"DISCORD_SHARD_IDS must be comma-separated numbers, got {raw!r}")
    ids = tuple(sorted({int(p) for p in parts}))
    if ids[-1] >= count:
        raise ConfigError(f"DISCORD_SHARD_IDS must be below DISCORD_SHARD_COUNT ({count})")
    return count, ids


def _hosts(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    hosts = tuple(h.strip().lower() for h in (_opt(env, name) or "").split(",") if h.strip())
    for host in hosts:
        if any(c in host for c in "/:@ ") or host.startswith("."):
            raise ConfigError(f"{name} takes host names separated by commas, got {host!r}")
    return hosts


def load_settings(
    env: Mapping[str, str] | None = None, dotenv: str | Path | None = ".env"
) -> Settings:
    """Build settings from `env` (default: os.environ over the `.env` file)."""
    if env is None:
        merged: dict[str, str] = {}
        if dotenv and Path(dotenv).is_file():
            merged.update({k: v for k, v in dotenv_values(dotenv).items() if v is not None})
        merged.update(os.environ)
        env = merged
    api_key = _opt(env, "IACREA_API_KEY")
    user_id = _opt(env, "IACREA_USER_ID")
    if api_key and not user_id:
        raise ConfigError("IACREA_USER_ID is required when IACREA_API_KEY is set")
    guild = _opt(env, "DISCORD_GUILD_ID")
    if guild is not None and not guild.isdigit():
        raise ConfigError(f"DISCORD_GUILD_ID must be a numeric server id, got {guild!r}")
    level = (_opt(env, "EXTERIOR_LOG_LEVEL") or "INFO").upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ConfigError(
            f"EXTERIOR_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {level!r}"
        )
    ratio = _number(env, "EXTERIOR_SANDBOX_FAILURE_RATIO", 0.0)
    if ratio > 1:
        raise ConfigError("EXTERIOR_SANDBOX_FAILURE_RATIO must be between 0 and 1")
    shard_count, shard_ids = _shards(env)
    return Settings(
        shard_count=shard_count,
        shard_ids=shard_ids,
        database_url=_database_url(env),
        lease_seconds=_number(env, "EXTERIOR_LEASE_SECONDS", 30.0, minimum=1),
        sweep_seconds=_number(env, "EXTERIOR_SWEEP_SECONDS", 60.0, minimum=1),
        discord_token=_opt(env, "DISCORD_TOKEN"),
        discord_guild_id=int(guild) if guild else None,
        discord_api_base_url=_url(env, "DISCORD_API_BASE_URL"),
        discord_gateway_url=_opt(env, "DISCORD_GATEWAY_URL"),
        api_key=api_key,
        user_id=user_id,
        base_url=_url(env, "IACREA_BASE_URL", DEFAULT_BASE_URL) or DEFAULT_BASE_URL,
        connect_timeout=_number(env, "IACREA_CONNECT_TIMEOUT", 10.0, minimum=0.1),
        read_timeout=_number(env, "IACREA_READ_TIMEOUT", 60.0, minimum=0.1),
        db_path=Path(_opt(env, "EXTERIOR_DB_PATH") or "exterior-bot.sqlite3"),
        public_url=_url(env, "EXTERIOR_PUBLIC_URL"),
        webhook_host=_opt(env, "EXTERIOR_WEBHOOK_HOST") or "0.0.0.0",
        webhook_port=_number(env, "EXTERIOR_WEBHOOK_PORT", 8080, int),
        log_level=level,
        secret_key=_secret_key(env),
        allowed_hosts=_hosts(env, "EXTERIOR_ALLOWED_HOSTS"),
        poll_first_delay=_number(env, "EXTERIOR_POLL_FIRST_DELAY", 5.0),
        poll_max_interval=_number(env, "EXTERIOR_POLL_MAX_INTERVAL", 60.0, minimum=0.1),
        deadline_seconds=_number(env, "EXTERIOR_DEADLINE_SECONDS", 1800.0, minimum=1),
        sandbox_starting_seconds=_number(env, "EXTERIOR_SANDBOX_STARTING_SECONDS", 0.5),
        sandbox_processing_seconds=_number(env, "EXTERIOR_SANDBOX_PROCESSING_SECONDS", 2.5),
        sandbox_failure_ratio=ratio,
    )
