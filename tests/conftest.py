"""Shared fixtures: a running sandbox, an aiohttp session, an API client and a file server on
loopback, and a PostgreSQL server for the cases that run against both storage backends."""

from __future__ import annotations

import os

import aiohttp
import pytest
import pytest_asyncio

from bot.api.client import ExteriorClient
from bot.api.sandbox.server import running_sandbox
from bot.api.sandbox.state import SandboxConfig
from tests.support.files import file_server
from tests.support.postgres import can_start_cluster, throwaway_cluster

# -- pytest-xdist (`-n 4 --dist loadgroup` in pyproject): the suite runs in 4 workers --------
# The two tests that run several bots at once against deadlines (a fleet killed and restarted,
# a burst of 400 commands and clicks) share one worker, one after the other, so they never
# compete with each other for the 2 cores.
HEAVY = (
    "tests/e2e/test_fleet_postgres.py",
    "tests/reliability/test_load.py",
)


# Modules that stay whole in one worker each: their tests build on each other in file order
# (one playground process, one browser), or share a costly module fixture (the suggestion on
# every real photo) that would otherwise be computed again in every worker.
WHOLE = (
    "tests/e2e/test_playground.py",
    "tests/unit/test_suggestion_real.py",
    "tests/unit/test_masks.py",
)


# first: xdist's own hook turns xdist_group markers into its groups, so a marker added after
# it is silently ignored
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid.startswith(HEAVY):
            item.add_marker(pytest.mark.xdist_group("heavy"))
        elif item.nodeid.startswith(WHOLE):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


@pytest.fixture(autouse=True)
def _one_acknowledgement_per_interaction(request):
    """Suite-wide: a bot that answers one interaction twice (Discord: 400 40060) fails the test
    in which it happened, unless the test is about exactly that."""
    from bot.runtime.emulator.emulator import DiscordEmulator

    seen = len(DiscordEmulator.double_acknowledgements)
    yield
    doubled = DiscordEmulator.double_acknowledgements[seen:]
    if doubled and not request.node.get_closest_marker("double_ack_expected"):
        pytest.fail(f"interactions acknowledged twice: {doubled}")


async def _no_sleep(_seconds: float) -> None:
    return None


@pytest_asyncio.fixture
async def session():
    async with aiohttp.ClientSession() as s:
        yield s


@pytest_asyncio.fixture
async def sandbox_config():
    return SandboxConfig(starting_seconds=0.05, processing_seconds=0.2, seed=7)


@pytest_asyncio.fixture
async def sandbox(sandbox_config):
    async with running_sandbox(sandbox_config) as sb:
        yield sb


@pytest_asyncio.fixture
async def client(session, sandbox):
    return ExteriorClient(
        session,
        base_url=sandbox.url,
        api_key=sandbox.state.config.api_key,
        user_id=sandbox.state.config.user_id,
        read_timeout=10,
        sleep=_no_sleep,
    )


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server URL: EXTERIOR_TEST_DATABASE_URL, else a cluster started for this run."""
    url = os.environ.get("EXTERIOR_TEST_DATABASE_URL")
    if url:
        yield url
        return
    if not can_start_cluster():
        pytest.skip("no PostgreSQL: set EXTERIOR_TEST_DATABASE_URL or install postgresql")
    with throwaway_cluster() as started:
        yield started


@pytest_asyncio.fixture
async def files():
    """A loopback static server for test images (counts fetches)."""
    async with file_server() as server:
        yield server
