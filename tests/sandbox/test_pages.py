import html
import json
import re
from datetime import date, timedelta

from selectolax.lexbor import LexborHTMLParser

from dealwatch.sandbox import SandboxWorld
from dealwatch.sandbox.pages import TEMPLATES
from dealwatch.sandbox.world import SandboxStore


def banner_area_text(store: SandboxStore, page: str) -> str:
    """What the store's banner area says, the way a detector configured with its selector would read it."""
    if store.template == "script_notice":
        match = re.search(r"window.__SITE_NOTICE__ = (.*?);</script>", page)
        assert match is not None
        notice = json.loads(match.group(1))
        return notice["text"] if notice else ""
    node = LexborHTMLParser(page).css_first(TEMPLATES[store.template].selector)
    if node is None:
        return ""
    return node.attributes.get("alt") or "" if node.tag == "img" else node.text()


def node_text(tree: LexborHTMLParser, css: str) -> str:
    node = tree.css_first(css)
    assert node is not None, css
    return node.text()


def sample_days(world: SandboxWorld, store: SandboxStore) -> list[date]:
    days = {world.start + timedelta(days=i) for i in range(0, world.days, 17)}
    for event in world.calendar(store.slug):
        days |= {event.start, event.end, event.start - timedelta(days=1), event.end + timedelta(days=1)}
    return sorted(d for d in days if world.start <= d <= world.end)


def test_truth_matches_the_rendered_page(big_world: SandboxWorld) -> None:
    on_sale = off_sale = 0
    for store in big_world.stores:
        texts = {t for e in big_world.calendar(store.slug) for t in (e.text, e.final_day_text) if t}
        for day in sample_days(big_world, store):
            page = big_world.render(store.slug, day)
            truth = big_world.truth(store.slug, day)
            if truth.has_promotion:
                on_sale += 1
                assert truth.promotion_text is not None
                assert truth.promotion_text in banner_area_text(store, page), (store.slug, day)
            else:
                off_sale += 1
                visible = html.unescape(page)
                assert not [t for t in texts if t in visible], (store.slug, day)
    assert on_sale > 500 and off_sale > 500


def test_teasers_and_ended_notes_show_in_the_banner_area(big_world: SandboxWorld) -> None:
    shown = 0
    for store in big_world.stores[:40]:
        for offset in range(big_world.days):
            day = big_world.start + timedelta(days=offset)
            notice = big_world.notice(store.slug, day)
            if notice:
                shown += 1
                assert notice.text in banner_area_text(store, big_world.render(store.slug, day))
    assert shown > 10


def test_distractors_are_on_every_page_whatever_the_day(big_world: SandboxWorld) -> None:
    for store in big_world.stores[:40]:
        for day in sample_days(big_world, store)[::5]:
            tree = LexborHTMLParser(big_world.render(store.slug, day))
            assert tree.css_first('nav a[href="/sale"]') is not None
            assert tree.css_first("#cookie-consent") is not None
            assert "10" in node_text(tree, ".newsletter")
            assert len(tree.css(".usp-list li")) == 4
            assert tree.css_first(".loyalty") is not None
            assert tree.css("s, del, [class*=compare], [class*=old], [class*=rrp], [class*=line-through]")


def test_pages_are_realistic_documents_that_change_daily(world: SandboxWorld) -> None:
    for store in world.stores:
        first, second = world.render(store.slug, date(2025, 3, 3)), world.render(store.slug, date(2025, 3, 4))
        assert first != second
        assert first == world.render(store.slug, date(2025, 3, 3))
        for page in (first, second):
            assert 10_000 <= len(page.encode()) <= 60_000
            tree = LexborHTMLParser(page)
            assert tree.css_first("footer") is not None
            assert node_text(tree, "head title").startswith(store.name)


def test_json_ld_offers_are_product_level_only(world: SandboxWorld) -> None:
    with_offers = 0
    for store in world.stores:
        tree = LexborHTMLParser(world.render(store.slug, date(2025, 11, 28)))
        for script in tree.css('script[type="application/ld+json"]'):
            data = json.loads(script.text())
            assert data["@type"] in ("Organization", "ItemList")
            if data["@type"] == "ItemList":
                with_offers += 1
                assert all(item["item"]["@type"] == "Product" for item in data["itemListElement"])
    assert with_offers > 0


def test_every_template_is_used_and_selectors_are_configured_for_about_half(big_world: SandboxWorld) -> None:
    assert {s.template for s in big_world.stores} == set(TEMPLATES)
    assert len(TEMPLATES) >= 6
    configured = [s for s in big_world.stores if s.selectors]
    assert 0.3 < len(configured) / len(big_world.stores) < 0.7
    assert all(s.selectors == {"banner": TEMPLATES[s.template].selector} for s in configured)


def test_image_banner_sale_text_is_only_in_the_alt_attribute(big_world: SandboxWorld) -> None:
    store = next(s for s in big_world.stores if s.template == "image_banner")
    event = big_world.calendar(store.slug)[0]
    tree = LexborHTMLParser(big_world.render(store.slug, event.start))
    assert event.text_on(event.start) not in (tree.body.text() if tree.body else "")
    banner = tree.css_first(".block-banners img")
    assert banner is not None and banner.attributes["alt"] == event.text_on(event.start)


def test_text_is_escaped(big_world: SandboxWorld) -> None:
    store = next(s for s in big_world.stores if "&" in s.name and s.language == "en")
    page = big_world.render(store.slug, date(2025, 6, 1))
    assert f"<title>{html.escape(store.name)} – " in page
    assert "Military &amp; first responders" in page


def test_other_pages(world: SandboxWorld) -> None:
    store = world.stores[0]
    day = date(2025, 5, 1)
    sale_page = world.render_path(store.slug, day, "/sale")
    assert sale_page is not None and 'href="/sale"' in sale_page
    product_id = world.product_ids(store.slug)[0]
    product_page = world.render_path(store.slug, day, f"/products/{product_id}")
    assert product_page is not None and str(product_id) in product_page
    assert world.render_path(store.slug, day, "/products/1") is None
    assert world.render_path(store.slug, day, "/checkout") is None
    assert world.render_path(store.slug, day, "/") == world.render(store.slug, day)
