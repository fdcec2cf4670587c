"""Registry of pluggable components (fetch tiers, detection tiers, ...).

Built-ins register through the same registry that third-party packages reach through
entry points (group ``dealwatch.<kind>``). A factory raising NotConfigured drops its
component out with one log line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib.metadata import entry_points
from typing import Any, Generic, TypeVar

import structlog

from dealwatch.core.errors import ConfigError, NotConfigured

T = TypeVar("T")
Factory = Callable[..., T]

log = structlog.get_logger(__name__)


class Registry(Generic[T]):
    """Named factories of one kind of component."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._factories: dict[str, Factory[T]] = {}
        self._loaded_entry_points = False

    def register(self, name: str) -> Callable[[Factory[T]], Factory[T]]:
        """Decorator: register `factory(*args) -> T` under `name`."""

        def decorate(factory: Factory[T]) -> Factory[T]:
            self._factories[name] = factory
            return factory

        return decorate

    def _load_entry_points(self) -> None:
        if self._loaded_entry_points:
            return
        self._loaded_entry_points = True
        for ep in entry_points(group=f"dealwatch.{self.kind}"):
            self._factories.setdefault(ep.name, ep.load())

    def names(self) -> list[str]:
        """Every registered name."""
        self._load_entry_points()
        return sorted(self._factories)

    def build(self, name: str, *args: Any) -> T:
        """Build one component from `factory(*args)`; raises ConfigError for an unknown name."""
        self._load_entry_points()
        try:
            factory = self._factories[name]
        except KeyError:
            known = ", ".join(self.names()) or "none"
            raise ConfigError(f"unknown {self.kind} {name!r}; known: {known}") from None
        return factory(*args)

    def build_many(self, names: Iterable[str], *args: Any) -> list[tuple[str, T]]:
        """Build the components in order; those raising NotConfigured drop out with a log line."""
        built: list[tuple[str, T]] = []
        for name in names:
            try:
                built.append((name, self.build(name, *args)))
            except NotConfigured as exc:
                log.info("tier dropped", kind=self.kind, tier=name, reason=str(exc))
        return built
