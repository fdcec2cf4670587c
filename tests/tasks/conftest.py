"""A small sandbox web on loopback, on the day named by the test module's DAY."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from dealwatch.sandbox import SandboxServer, SandboxWorld


@pytest.fixture(scope="module")
def world() -> SandboxWorld:
    return SandboxWorld.generate(n_stores=5, seed=11, start=date(2025, 11, 1), days=45)


@pytest.fixture(scope="module")
def sandbox(world: SandboxWorld, request: pytest.FixtureRequest) -> Iterator[SandboxServer]:
    with SandboxServer(world, port=0) as server:
        server.set_date(request.module.DAY)
        yield server
