"""Every download of a URL someone else gave us: allowed hosts only, public addresses only,
capped in bytes and in time.

Result URLs come from the API's answers and attachment URLs from Discord's; either could point
at this machine's neighbours (cloud metadata, an admin page on loopback). So a host must be
allowed (the API's, Discord's CDN, or EXTERIOR_ALLOWED_HOSTS), is checked before connecting,
must resolve to public addresses only (checked by the resolver that the connection itself uses,
so a name cannot change its answer in between), and may not redirect to another host.
The hosts we were configured with (the API's base URL, DISCORD_API_BASE_URL) may be on loopback:
that is how the sandbox and the test emulator run.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Iterable
from dataclasses import dataclass

import aiohttp
import yarl
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from bot.images.capped import TooLarge, read_capped
from bot.images.decode import MAX_BYTES, ImageError, too_many_bytes
from bot.images.errors import (
    DownloadFailed,
    DownloadRefused,
    DownloadStatus,
    DownloadTimedOut,
    RedirectRefused,
    TooManyRedirects,
)

log = logging.getLogger(__name__)
DISCORD_CDN_HOSTS = ("cdn.discordapp.com", "media.discordapp.net")
TIME_CAP = 60.0  # seconds for a whole download, connection to last byte
MAX_REDIRECTS = 3


class NonPublicAddress(OSError):
    """A host resolved to a private, loopback, link-local or otherwise non-public address."""


def host_of(url: str) -> str:
    return (yarl.URL(url).host or "").lower().rstrip(".")


NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 form carries (mapped, 6to4, Teredo, NAT64, IPv4-compatible):
    a router may deliver to it, so it must pass the same check."""
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if any(ip in net for net in (*NAT64, IPV4_COMPATIBLE)):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        inner = embedded_ipv4(ip)
        if inner is not None and not (inner.is_global and not inner.is_multicast):
            return False
    return ip.is_global and not ip.is_multicast


@dataclass(frozen=True)
class HostPolicy:
    allowed: frozenset[str]
    trusted: frozenset[str]  # configured by us: may resolve to loopback or private addresses

    @classmethod
    def of(
        cls,
        api_base_url: str,
        *,
        discord_api_base_url: str | None = None,
        extra: Iterable[str] = (),
    ) -> HostPolicy:
        trusted = {host_of(api_base_url)}
        if discord_api_base_url:  # an emulator stands for Discord, CDN included
            trusted.add(host_of(discord_api_base_url))
        cdn = () if discord_api_base_url else DISCORD_CDN_HOSTS
        allowed = trusted | set(cdn) | {h.strip().lower().rstrip(".") for h in extra if h.strip()}
        return cls(frozenset(allowed), frozenset(trusted))

    def check(self, url: str, what: str) -> str:
        """The URL's host if the bot may fetch it; else DownloadRefused, before any connection."""
        try:
            parsed = yarl.URL(url)
            host = host_of(url)
        except ValueError:
            parsed, host = None, ""
        if parsed is None or parsed.scheme not in ("http", "https") or host not in self.allowed:
            log.warning("refused to download the %s from %s (host not allowed)", what, host or url)
            raise DownloadRefused(what=what)
        if host not in self.trusted and _is_ip(host) and not is_public(host):
            log.warning("refused to download the %s from non-public address %s", what, host)
            raise DownloadRefused(what=what)
        return host


class PublicOnlyResolver(AbstractResolver):
    """Resolves like aiohttp does, but refuses names with non-public addresses (untrusted)."""

    def __init__(self, trusted: Iterable[str]) -> None:
        self._inner = DefaultResolver()
        self._trusted = frozenset(trusted)

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        answers = await self._inner.resolve(host, port, family)
        if host.lower().rstrip(".") not in self._trusted:
            for answer in answers:
                if not is_public(answer["host"]):
                    raise NonPublicAddress(f"{host} resolves to a non-public address")
        return answers

    async def close(self) -> None:
        await self._inner.close()


class Downloader:
    """Owns its own session: its connections may only reach what `policy` allows."""

    def __init__(self, policy: HostPolicy, *, time_cap: float = TIME_CAP) -> None:
        self.policy = policy
        self.time_cap = time_cap
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Downloader:
        connector = aiohttp.TCPConnector(resolver=PublicOnlyResolver(self.policy.trusted))
        # trust_env=False: no proxy from the environment may stand between us and the check
        self._session = aiohttp.ClientSession(connector=connector, trust_env=False)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def fetch(self, url: str, what: str, *, max_bytes: int = MAX_BYTES) -> bytes:
        if self._session is None:
            raise RuntimeError("Downloader used outside its `async with`")
        return await fetch_capped(
            self._session,
            url,
            what,
            max_bytes=max_bytes,
            time_cap=self.time_cap,
            policy=self.policy,
        )


async def fetch_capped(
    session: aiohttp.ClientSession,
    url: str,
    what: str,
    *,
    max_bytes: int = MAX_BYTES,
    time_cap: float = TIME_CAP,
    policy: HostPolicy | None = None,
) -> bytes:
    """GET `url` streaming at most `max_bytes` within `time_cap` seconds, following redirects
    on the same host only. `policy=None` is for URLs the operator typed (CLI inputs)."""
    try:
        async with asyncio.timeout(time_cap):
            return await _follow(session, url, what, max_bytes, policy)
    except ImageError:
        raise  # already one sentence for the user
    except TooLarge:
        raise too_many_bytes(what, max_bytes) from None
    except TimeoutError:
        raise DownloadTimedOut(what=what) from None
    except aiohttp.ClientConnectorError as exc:
        if isinstance(exc.os_error, NonPublicAddress):
            log.warning("refused to download the %s: %s", what, exc.os_error)
            raise DownloadRefused(what=what) from None
        raise DownloadFailed(what=what, reason=type(exc).__name__) from None
    except (aiohttp.ClientError, ValueError) as exc:
        raise DownloadFailed(what=what, reason=type(exc).__name__) from None


async def _follow(
    session: aiohttp.ClientSession,
    url: str,
    what: str,
    max_bytes: int,
    policy: HostPolicy | None,
) -> bytes:
    first_host = policy.check(url, what) if policy else host_of(url)
    for _ in range(MAX_REDIRECTS + 1):
        async with session.get(url, allow_redirects=False) as resp:
            if resp.status in (301, 302, 303, 307, 308) and "Location" in resp.headers:
                url = str(resp.url.join(yarl.URL(resp.headers["Location"])))
                if host_of(url) != first_host:
                    log.warning("refused a redirect of the %s to another host", what)
                    raise RedirectRefused(what=what)
                if policy:
                    policy.check(url, what)
                continue
            if resp.status != 200:
                raise DownloadStatus(what=what, status=resp.status)
            return await read_capped(resp, max_bytes)
    raise TooManyRedirects(what=what)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
