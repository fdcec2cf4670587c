from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from dealwatch.core.clock import FrozenClock
from dealwatch.core.errors import ConfigError, InvalidInput, NotFound
from dealwatch.promo.stores import (
    add_store,
    get_store,
    import_stores,
    list_stores,
    parse_spec,
    read_stores_toml,
)


def test_add_store_slugs_the_name_and_refuses_duplicates(
    sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    with sessions.begin() as session:
        store = add_store(
            session, parse_spec({"url": "https://www.johnlewis.com/", "name": "John Lewis"}), clock
        )
        assert store.id == "john_lewis"
    with pytest.raises(InvalidInput, match="already exists"), sessions.begin() as session:
        add_store(session, parse_spec({"url": "https://x.example/", "name": "John Lewis"}), clock)
    with sessions() as session:
        assert get_store(session, "john_lewis").url == "https://www.johnlewis.com/"
        with pytest.raises(NotFound):
            get_store(session, "nope")


@pytest.mark.parametrize(
    "url", ["ftp://shop.example/", "file:///etc/passwd", "javascript:alert(1)", "shop.example"]
)
def test_non_http_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidInput, match="http"):
        parse_spec({"url": url, "name": "Shop"})


def test_import_creates_then_updates(
    sessions: sessionmaker[Session], clock: FrozenClock, tmp_path: Path
) -> None:
    path = tmp_path / "stores.toml"
    path.write_text(
        '[[stores]]\nname = "Acme"\nurl = "https://acme.example/"\n'
        'selectors = { banner = ".promo-banner" }\n\n'
        '[[stores]]\nid = "bob"\nname = "Bob\'s Shop"\nurl = "http://bob.example/"\ncountry = "GB"\n'
    )
    with sessions.begin() as session:
        assert import_stores(session, read_stores_toml(path), clock) == (2, 0)
    path.write_text('[[stores]]\nname = "Acme"\nurl = "https://acme.example/new"\nenabled = false\n')
    with sessions.begin() as session:
        assert import_stores(session, read_stores_toml(path), clock) == (0, 1)
    with sessions() as session:
        stores = {s.id: s for s in list_stores(session)}
        assert set(stores) == {"acme", "bob"}
        assert stores["acme"].url.endswith("/new") and not stores["acme"].enabled
        assert stores["bob"].country == "GB"
        assert [s.id for s in list_stores(session, enabled_only=True)] == ["bob"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('[[stores]]\nname = "A"\nurl = "gopher://a"\n', "stores[0]: url"),
        ('[[stores]]\nname = "A"\n', "stores[0]: url"),
        ('[[stores]]\nname = "A"\nurl = "https://a.example"\ncolour = "red"\n', "stores[0]: colour"),
        (
            '[[stores]]\nname = "A"\nurl = "https://a.example"\n[[stores]]\nname = "A"\nurl = "https://b.example"\n',
            "repeats",
        ),
        ("[[stores]\nname = 1", "not valid TOML"),
        ('title = "no stores"\n', "[[stores]]"),
    ],
)
def test_bad_stores_file_names_the_problem_and_changes_nothing(
    sessions: sessionmaker[Session], clock: FrozenClock, tmp_path: Path, content: str, expected: str
) -> None:
    with sessions.begin() as session:
        add_store(session, parse_spec({"url": "https://keep.example/", "name": "Keep"}), clock)
    path = tmp_path / "stores.toml"
    path.write_text(content)
    with pytest.raises(ConfigError) as info:
        read_stores_toml(path)
    assert str(path) in str(info.value) and expected in str(info.value)
    with sessions() as session:
        assert [s.id for s in list_stores(session)] == ["keep"]
