"""The structured tier: schema.org SaleEvent decides; product offers alone never do."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from dealwatch.promo.detect.base import Detection, Page
from dealwatch.promo.detect.structured import StructuredDetector

DAY = date(2024, 11, 25)


def page_with(*blocks: Any, body: str = "<p>Welcome</p>", day: date | None = DAY) -> Page:
    scripts = "".join(
        f'<script type="application/ld+json">{b if isinstance(b, str) else json.dumps(b)}</script>'
        for b in blocks
    )
    return Page("https://shop.example/", f"<html><head>{scripts}</head><body>{body}</body></html>", day=day)


def detect(page: Page) -> Detection:
    return StructuredDetector().detect(page)


SALE_EVENT = {
    "@context": "https://schema.org",
    "@type": "SaleEvent",
    "name": "Black Friday Sale: up to 40% off",
    "startDate": "2024-11-22",
    "endDate": "2024-11-30",
}


def test_sale_event_covering_the_day_is_a_site_level_positive() -> None:
    detection = detect(page_with(SALE_EVENT))
    assert detection.has_promotion is True
    assert detection.tier == "structured"
    assert detection.confidence >= 0.9
    assert detection.promotion_text == SALE_EVENT["name"]
    assert detection.promotion_type == "seasonal_sale"
    assert detection.discount_pct == 40


def test_sale_event_inside_a_graph_with_datetimes() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "Organization", "name": "Shop"},
            {
                "@type": ["SaleEvent"],
                "name": "Anniversary Sale",
                "startDate": "2024-11-25T00:00:00-05:00",
                "endDate": "2024-11-26T23:59:00-05:00",
            },
        ],
    }
    assert detect(page_with(graph)).has_promotion is True


def test_event_named_like_a_sale_counts_and_lists_are_walked() -> None:
    event = {
        "@type": "Event",
        "name": "Warehouse clearance sale",
        "startDate": "2024-11-24",
        "endDate": "2024-11-26",
    }
    assert detect(page_with([{"@type": "WebSite", "name": "Shop"}, event])).has_promotion is True


def test_an_ordinary_event_is_not_a_sale() -> None:
    event = {"@type": "Event", "name": "Book signing with the author", "startDate": "2024-11-25"}
    assert detect(page_with(event)).has_promotion is None


def test_sale_event_outside_its_dates_leaves_the_page_undecided() -> None:
    detection = detect(page_with(SALE_EVENT, day=date(2024, 12, 5)))
    assert detection.has_promotion is None
    assert any("outside" in item for item in detection.evidence)


def test_without_a_day_the_event_is_plausible_but_below_a_deciding_confidence() -> None:
    detection = detect(page_with(SALE_EVENT, day=None))
    assert detection.has_promotion is True
    assert detection.confidence < 0.9


def test_product_offers_alone_are_never_positive() -> None:
    products = {
        "@context": "https://schema.org",
        "@type": "ItemList",
        "itemListElement": [
            {
                "@type": "Product",
                "name": f"Item {i}",
                "offers": {
                    "@type": "Offer",
                    "price": "19.99",
                    "priceCurrency": "USD",
                    "priceSpecification": {
                        "@type": "UnitPriceSpecification",
                        "priceType": "https://schema.org/StrikethroughPrice",
                        "price": "39.99",
                    },
                },
            }
            for i in range(12)
        ],
    }
    detection = detect(page_with(products))
    assert detection.has_promotion is None
    assert any("product" in item for item in detection.evidence)


def test_malformed_json_ld_is_survived_and_noted() -> None:
    detection = detect(page_with('{"@type": "SaleEvent", "name": "Sale",', SALE_EVENT))
    assert detection.has_promotion is True
    assert any("malformed" in item for item in detection.evidence)
    assert detect(page_with("<!-- not json at all -->")).has_promotion is None


def test_microdata_sale_event() -> None:
    body = (
        '<div itemscope itemtype="https://schema.org/SaleEvent"><span itemprop="name">Summer Sale</span>'
        '<meta itemprop="startDate" content="2024-11-20"><meta itemprop="endDate" content="2024-11-30"></div>'
    )
    detection = detect(page_with(body=body))
    assert detection.has_promotion is True
    assert detection.promotion_text == "Summer Sale"


def test_page_without_structured_data_is_undecided() -> None:
    assert detect(page_with()).decided is False
