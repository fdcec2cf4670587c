import pytest

from dealwatch.core.errors import ConfigError, NotConfigured
from dealwatch.core.registry import Registry


def test_registry_builds_in_order_and_drops_unconfigured() -> None:
    registry: Registry[str] = Registry("widgets")

    @registry.register("plain")
    def _plain(prefix: str) -> str:
        return prefix + "plain"

    @registry.register("needs_key")
    def _needs_key(prefix: str) -> str:
        raise NotConfigured("no API key")

    built = registry.build_many(["needs_key", "plain"], ">")
    assert built == [("plain", ">plain")]
    with pytest.raises(ConfigError, match="unknown widgets 'nope'"):
        registry.build("nope")
