"""Fixtures for the reliability tests: the e2e world plus a fault-injecting proxy API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.e2e.conftest import bot_runner, emulator, sandbox  # noqa: F401 - fixtures
from tests.support.canary import canary_guard  # noqa: F401 - autouse fixture
from tests.support.faulty_api import FaultyApi, faulty_api

from .figures import FIGURES


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if "tests/reliability/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.reliability)


def pytest_sessionfinish(session) -> None:
    FIGURES.write_if_asked()


@pytest.fixture
def figures():
    return FIGURES


@pytest_asyncio.fixture
async def api(sandbox) -> AsyncIterator[FaultyApi]:  # noqa: F811
    """The sandbox behind a fault-injecting proxy that counts every call."""
    async with faulty_api(sandbox.url) as proxy:
        yield proxy
