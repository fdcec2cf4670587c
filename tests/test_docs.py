"""Every setting and every CLI command has a line of documentation."""

from __future__ import annotations

from pathlib import Path

import typer
from pydantic import BaseModel

from dealwatch.cli import app
from dealwatch.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def setting_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    keys: list[str] = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys += setting_keys(annotation, f"{prefix}{name}.")
        else:
            keys.append(prefix + name)
    return keys


def command_paths(group: typer.Typer, prefix: str = "") -> list[str]:
    paths = [
        prefix + (c.name or c.callback.__name__).replace("_", "-")
        for c in group.registered_commands
        if c.callback
    ]
    for sub in group.registered_groups:
        assert sub.typer_instance is not None
        paths += command_paths(sub.typer_instance, f"{prefix}{sub.name} ")
    return paths


def test_every_setting_is_documented() -> None:
    doc = (ROOT / "docs" / "configuration.md").read_text()
    missing = [key for key in setting_keys(Settings) if f"| `{key}` |" not in doc]
    assert missing == [], f"settings without a line in docs/configuration.md: {missing}"


def test_every_cli_command_is_documented() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [path for path in command_paths(app) if f"dealwatch {path}" not in readme]
    assert missing == [], f"commands without a line in README.md: {missing}"
