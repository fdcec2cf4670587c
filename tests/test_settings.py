from pathlib import Path

import pytest

from dealwatch.core.errors import ConfigError
from dealwatch.settings import Settings, load_settings


def test_precedence_cli_over_env_over_file_over_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "dealwatch.toml"
    config.write_text("[fetch]\ntimeout = 5\nper_host_delay = 2.5\nmax_retries = 1\n")
    monkeypatch.setenv("DEALWATCH_FETCH__TIMEOUT", "7")
    monkeypatch.setenv("DEALWATCH_FETCH__MAX_RETRIES", "4")
    settings = load_settings(config, {"fetch": {"max_retries": 0}})
    assert settings.fetch.max_retries == 0  # CLI
    assert settings.fetch.timeout == 7  # environment
    assert settings.fetch.per_host_delay == 2.5  # file
    assert settings.fetch.concurrency == Settings().fetch.concurrency  # default


def test_bad_file_names_file_and_field(tmp_path: Path) -> None:
    config = tmp_path / "dealwatch.toml"
    config.write_text("[fetch]\ntimeout = -1\n")
    with pytest.raises(ConfigError) as info:
        load_settings(config)
    assert str(config) in str(info.value) and "fetch.timeout" in str(info.value)

    config.write_text("[fetch\ntimeout = 1\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(config)

    config.write_text("[fetch]\ntimout = 1\n")
    with pytest.raises(ConfigError, match=r"fetch\.timout"):
        load_settings(config)


def test_missing_explicit_file_and_bad_database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "absent.toml")
    with pytest.raises(ConfigError, match="database_url"):
        load_settings(None, {"database_url": "mysql://x"})


def test_defaults_live_under_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.resolve() / 'dealwatch.db'}"
    assert settings.resolved_blob_url.startswith("file://")
