from datetime import date

import pytest

from dealwatch.sandbox import SandboxWorld


@pytest.fixture(scope="session")
def world() -> SandboxWorld:
    return SandboxWorld.generate(n_stores=30, seed=7, start=date(2025, 1, 1), days=365)


@pytest.fixture(scope="session")
def big_world() -> SandboxWorld:
    return SandboxWorld.generate(n_stores=120, seed=11, start=date(2025, 1, 1), days=365)
