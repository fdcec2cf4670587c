"""Comp matching: model numbers, normalised titles, brands, conditions and the CompIndex's ranking."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from dealwatch.core.errors import InvalidInput
from dealwatch.core.money import Money
from dealwatch.flip.listing import ListingDraft
from dealwatch.flip.matching import (
    FOR_PARTS,
    LIKE_NEW,
    MODEL_FLOOR,
    NEW,
    USED,
    Brands,
    Comp,
    CompIndex,
    ItemQuery,
    condition_grade,
    model_numbers,
    normalise_title,
)

PHONES = "Electronics/Cell Phones/Smartphones"
AUDIO = "Electronics/Audio/Headphones"


def comp(title: str, price: str = "100", **kwargs: object) -> Comp:
    return Comp(title=title, price=Money(Decimal(price)), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Casio G-Shock DW-2000 watch", ("DW2000",)),
        ("Apple MacBook Air 13 A2337 M1 8GB 256GB", ("A2337",)),
        ("NVIDIA GeForce RTX 5090 Founders Edition", ("RTX5090",)),
        ("Sony WH-1000XM4 Wireless Noise Cancelling", ("WH1000XM4",)),
        ("Samsung Galaxy S21 Ultra SM-G998B 128GB", ("S21", "SMG998B")),
        ("Milwaukee M18 REDLITHIUM Battery 48-11-1850", ("M18", "48111850")),
        # Quantities, resolutions, dimensions, years and year ranges are not model numbers.
        ("4K TV 1080p 128GB 2.5L 8x10 2XL 2006 2003-2010 98-10", ()),
        # An all-caps title says nothing by its case: "MAX 270" is not a series code here.
        ("NIKE AIR MAX 270 SIZE 10", ()),
        # What follows "for" is the item this one fits.
        ("Replacement Ear Pads for Sony WH-1000XM4", ()),
        ("Sony WH-1000XM4 for parts", ("WH1000XM4",)),
    ],
)
def test_model_numbers(text: str, expected: tuple[str, ...]) -> None:
    assert model_numbers(text) == expected


def test_normalised_titles_spell_model_numbers_one_way_and_drop_filler() -> None:
    assert normalise_title("Sony WH-1000XM4 Headphones!! L@@K Free Shipping") == "sony wh1000xm4 headphones"
    assert normalise_title("SONY wh1000xm4 headphones") == "sony wh1000xm4 headphones"
    assert normalise_title("NVIDIA GeForce RTX 5090 (new)") == "nvidia geforce rtx5090"


@pytest.mark.parametrize(
    ("condition", "title", "grade"),
    [
        ("Brand New", "", NEW),
        ("New (Other)", "", LIKE_NEW),
        ("Open box", "", LIKE_NEW),
        ("Pre-Owned", "", USED),
        ("For parts or not working", "", FOR_PARTS),
        ("3", "", USED),
        (None, "BNIB sealed Switch OLED", NEW),
        (None, "Switch OLED broken screen", FOR_PARTS),
        (None, "Switch OLED", None),
    ],
)
def test_condition_grade(condition: str | None, title: str, grade: str | None) -> None:
    assert condition_grade(condition, title) == grade


def test_brands_finds_the_longest_name_in_a_title() -> None:
    brands = Brands(["The North Face", "North", "Apple", "Victoria's Secret"])
    assert brands.find("Womens THE NORTH FACE Nuptse 700") == "the north face"
    assert brands.find("victoria's secret pink hoodie") == "victoria s secret"
    assert brands.find("Samsung Galaxy") is None


def test_a_shared_model_number_outranks_a_similar_title_with_another_model() -> None:
    index = CompIndex(
        [
            comp("Sony WH-1000XM3 Wireless Noise Cancelling Headphones Black", brand="Sony"),
            comp("Sony WH1000XM4 over ear headphones", brand="Sony"),
            comp("Sony MDR-7506 Studio Headphones", brand="Sony"),
        ]
    )
    matches = index.candidates(ItemQuery("Sony WH-1000XM4 Wireless Noise Cancelling Headphones Black"), k=3)
    best = matches[0]
    assert best.comp.title == "Sony WH1000XM4 over ear headphones"
    assert best.model_match and best.similarity >= MODEL_FLOOR
    other = next(m for m in matches if "XM3" in m.comp.title)
    assert not other.model_match and other.similarity < 0.5


def test_different_figures_brand_and_department_pull_similarity_down() -> None:
    index = CompIndex(
        [
            comp("Apple iPhone 13 128GB Blue Unlocked", brand="Apple", category=PHONES),
            comp("Apple iPhone 12 128GB Blue Unlocked", brand="Apple", category=PHONES),
            comp("Apple iPhone 13 256GB Blue Unlocked", brand="Apple", category=PHONES),
            comp("Generic iPhone 13 128GB Blue Unlocked", brand="Generic", category=PHONES),
            comp("Apple iPhone 13 128GB Blue Unlocked", brand="Apple", category="Toys/Pretend Play"),
        ]
    )
    matches = index.candidates(ItemQuery("iPhone 13 128GB unlocked", "Apple", PHONES), k=5)
    assert next(m.comp.brand for m in matches) == "Apple" and matches[0].comp.category == PHONES
    assert "iPhone 13 128GB" in matches[0].comp.title
    assert matches[0].similarity > max(m.similarity for m in matches[1:])
    by_title = {(m.comp.title, m.comp.category): m.similarity for m in matches}
    toy = by_title[("Apple iPhone 13 128GB Blue Unlocked", "Toys/Pretend Play")]
    assert toy < by_title[("Apple iPhone 13 256GB Blue Unlocked", PHONES)]


def test_a_platform_code_alone_is_no_model_match() -> None:
    index = CompIndex([comp("Milwaukee M18 REDLITHIUM XC5.0 Battery 48-11-1850", brand="Milwaukee")])
    (match,) = index.candidates(ItemQuery("Milwaukee M18 FUEL Hammer Drill 2804-20", "Milwaukee"), k=1)
    assert not match.model_match and match.similarity < 0.5


def test_candidates_are_best_first_and_capped_at_k_over_a_large_pool() -> None:
    comps = [comp(f"Casio G-Shock GA-{2000 + i} watch black", brand="Casio") for i in range(300)]
    comps.append(comp("Casio G-Shock GA-2100 CasiOak watch", brand="Casio"))
    index = CompIndex(comps)
    matches = index.candidates(ItemQuery("Casio GA-2100 CasiOak"), k=10)
    assert len(matches) == 10
    assert [m.similarity for m in matches] == sorted((m.similarity for m in matches), reverse=True)
    assert {m.comp.title for m in matches[:2]} == {
        "Casio G-Shock GA-2100 CasiOak watch",
        "Casio G-Shock GA-2100 watch black",
    }
    assert index.candidates(ItemQuery("Casio GA-2100 CasiOak"), k=10, min_similarity=0.99) == ()


def test_unpriced_comps_are_counted_not_indexed() -> None:
    index = CompIndex([comp("Switch OLED", "0"), comp("Switch OLED", "250")])
    assert (len(index), index.skipped) == (1, 1)


def test_comp_from_a_sold_listing_and_refusals() -> None:
    sold_at = datetime(2026, 3, 7, tzinfo=UTC)
    listing = ListingDraft(
        "ebay",
        "1",
        "Switch OLED",
        "https://www.ebay.com/itm/1",
        Money(Decimal(250)),
        sold=True,
        sold_at=sold_at,
    )
    made = Comp.from_listing(listing, brand="Nintendo")
    assert (made.price, made.sold_at, made.source, made.brand) == (
        Money(Decimal(250)),
        sold_at,
        "ebay",
        "Nintendo",
    )
    active = ListingDraft(
        "ebay", "2", "Switch OLED", "https://www.ebay.com/itm/2", Money(Decimal(250)), condition="Used"
    )
    assert ItemQuery.from_listing(active, category="Consoles") == ItemQuery(
        "Switch OLED", None, "Consoles", "Used", currency="USD"
    )
    with pytest.raises(InvalidInput, match="not a priced sale"):
        Comp.from_listing(active)
    with pytest.raises(InvalidInput, match="naive"):
        comp("Switch OLED", sold_at=datetime(2026, 3, 7))  # noqa: DTZ001 - the point of the test
