"""Sandbox marketplaces: a catalogue of products with hidden true market values, the listings four
marketplace-like sites show (Craigslist, Facebook, OfferUp and eBay), and eBay's sold/completed results,
all drawn from one seed.

Each product has a hidden resale value (what it sells for used on eBay) and shipping cost; a listing's
hidden `true_value` is that value moved to the listing's condition. Listings are fair, overpriced,
underpriced (some of them truly profitable after fees), scams (a tenth of the value, scam wording) or
without a price; some items are cross-posted on a second marketplace with a reworded title, a slightly
different price and the same photos. Sold results scatter around the same values with condition, noise,
unsold ("Ended") auctions and outliers (bundles, accessories, fat-finger prices), so a valuation read
from them can be scored against the truth.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

MARKETPLACES = ("craigslist", "facebook", "offerup", "ebay")
# A grade's resale price relative to "used" (the product's value).
CONDITION_FACTORS = {"new": 1.30, "like new": 1.15, "used": 1.0, "for parts": 0.35}
# How often each kind of listing shows up: local sellers misprice more than eBay's.
# Only Craigslist lets a listing go without a price.
_KIND_WEIGHTS = {
    "craigslist": {"fair": 0.53, "underpriced": 0.20, "overpriced": 0.14, "scam": 0.08, "no price": 0.05},
    "facebook": {"fair": 0.56, "underpriced": 0.21, "overpriced": 0.15, "scam": 0.08},
    "offerup": {"fair": 0.56, "underpriced": 0.21, "overpriced": 0.15, "scam": 0.08},
    "ebay": {"fair": 0.65, "underpriced": 0.10, "overpriced": 0.20, "scam": 0.05},
}
# Asking price as a share of the true value, per kind.
_PRICE_SHARE = {
    "fair": (0.85, 1.20),
    "underpriced": (0.40, 0.68),
    "overpriced": (1.30, 1.80),
    "scam": (0.06, 0.15),
}
_LISTING_GRADES = {"new": 0.12, "like new": 0.28, "used": 0.52, "for parts": 0.08}
_SOLD_GRADES = {"new": 0.18, "like new": 0.27, "used": 0.45, "for parts": 0.10}
SIZE_SHIPPING = {
    "small": Decimal("9"),
    "medium": Decimal("16"),
    "large": Decimal("28"),
    "xlarge": Decimal("60"),
}
CROSSPOST_SHARE = 0.12
SOLD_DAYS = 120  # sold results reach this far back (valuations use the last 90 days)

# Each marketplace's own code for the catalogue's categories (Craigslist section, Facebook category slug,
# OfferUp explore slug, eBay category id).
CATEGORY_CODES: dict[str, dict[str, str]] = {
    "electronics": {"craigslist": "ele", "facebook": "electronics", "offerup": "electronics", "ebay": "293"},
    "tools": {"craigslist": "tls", "facebook": "tools", "offerup": "tools", "ebay": "631"},
    "music": {
        "craigslist": "msg",
        "facebook": "instruments",
        "offerup": "musical-instruments",
        "ebay": "619",
    },
    "home": {"craigslist": "app", "facebook": "appliances", "offerup": "appliances", "ebay": "20710"},
    "sports": {"craigslist": "spo", "facebook": "sports", "offerup": "sports-outdoors", "ebay": "888"},
}
# Codes meaning "everything for sale".
_ALL_CODES = {"sss", "all", "0"}

# brand | what follows the brand (model number included) | model number | short noun | category |
# used value range (USD) | package size
_LINES = """
Sony|WH-1000XM4 Wireless Noise Cancelling Headphones|WH-1000XM4|headphones|electronics|150-220|small
Sony|WH-1000XM5 Wireless Noise Cancelling Headphones|WH-1000XM5|headphones|electronics|200-290|small
Bose|QuietComfort 45 QC45 Bluetooth Headphones|QC45|headphones|electronics|130-190|small
Apple|AirPods Pro 2nd Generation A2698|A2698|earbuds|electronics|120-170|small
Apple|iPhone 13 128GB A2482 Unlocked|A2482|phone|electronics|280-380|small
Apple|iPhone 14 Pro 256GB A2650 Unlocked|A2650|phone|electronics|520-680|small
Samsung|Galaxy S22 Ultra SM-S908U 256GB|SM-S908U|phone|electronics|330-450|small
Nintendo|Switch OLED Console HEG-001|HEG-001|console|electronics|230-290|medium
Sony|PlayStation 5 Disc Console CFI-1215A|CFI-1215A|console|electronics|380-460|large
Microsoft|Xbox Series X 1TB Console RRT-00001|RRT-00001|console|electronics|330-420|large
DJI|Mini 3 Pro Drone MT3PD with RC|MT3PD|drone|electronics|520-700|medium
DJI|Mavic Air 2 Drone MA2UE1N Fly More|MA2UE1N|drone|electronics|380-520|medium
GoPro|HERO11 Black Action Camera CHDHX-111|CHDHX-111|camera|electronics|220-300|small
Canon|EOS R6 Mirrorless Camera Body|R6|camera|electronics|1300-1650|medium
Sony|Alpha a7 III ILCE-7M3 Mirrorless Camera Body|ILCE-7M3|camera|electronics|950-1200|medium
Apple|iPad Air 5th Gen A2588 64GB WiFi|A2588|tablet|electronics|380-480|small
Apple|MacBook Air M1 13 inch A2337 8GB 256GB|A2337|laptop|electronics|520-680|medium
Apple|Watch Series 8 45mm GPS A2775|A2775|watch|electronics|210-290|small
Garmin|Fenix 7 GPS Watch 010-02540-00|010-02540-00|watch|electronics|380-480|small
Meta|Quest 2 128GB VR Headset KW49CM|KW49CM|vr headset|electronics|180-240|medium
Milwaukee|M18 FUEL 2804-20 Hammer Drill|2804-20|drill|tools|130-180|medium
DeWalt|DCD791D2 20V MAX Brushless Drill Kit|DCD791D2|drill|tools|120-170|medium
Makita|XFD131 18V LXT Drill Driver Kit|XFD131|drill|tools|110-150|medium
DeWalt|DWE7491RS 10 inch Jobsite Table Saw|DWE7491RS|table saw|tools|420-560|xlarge
Milwaukee|M18 FUEL 2767-20 Impact Wrench|2767-20|impact wrench|tools|170-230|medium
Festool|TS 55 REQ Track Saw 575387|575387|track saw|tools|480-620|large
Bosch|GCM12SD 12 inch Axial Glide Miter Saw|GCM12SD|miter saw|tools|420-540|xlarge
Fender|Player Stratocaster Electric Guitar 0144502|0144502|guitar|music|520-680|large
Yamaha|P-125 88 Key Digital Piano|P-125|digital piano|music|420-540|xlarge
Roland|TD-07KV V-Drums Electronic Drum Kit|TD-07KV|drum kit|music|620-780|xlarge
Boss|RC-505 Loop Station|RC-505|looper|music|250-330|medium
Shure|SM7B Vocal Dynamic Microphone|SM7B|microphone|music|280-350|small
Focusrite|Scarlett 2i2 3rd Gen Audio Interface|2I2|audio interface|music|100-140|small
KitchenAid|Artisan KSM150PS 5 Qt Stand Mixer|KSM150PS|stand mixer|home|200-280|large
Dyson|V11 Animal SV14 Cordless Vacuum|SV14|vacuum|home|260-340|large
Vitamix|5200 Professional Blender VM0103|VM0103|blender|home|220-300|medium
Breville|Barista Express BES870XL Espresso Machine|BES870XL|espresso machine|home|380-480|large
iRobot|Roomba j7+ 7550 Robot Vacuum|J7|robot vacuum|home|300-400|large
Garmin|Edge 530 GPS Bike Computer 010-02060-00|010-02060-00|bike computer|sports|170-220|small
Yeti|Tundra 45 Hard Cooler|Tundra 45|cooler|sports|200-260|large
Callaway|Rogue ST Max Driver 10.5|Rogue ST|golf driver|sports|220-290|medium
Bowflex|SelectTech 552 Adjustable Dumbbells|552|dumbbells|sports|280-360|xlarge
"""

_PLACES = (
    ("Cambridge", 3), ("Somerville", 4), ("Quincy", 9), ("Brookline", 4), ("Newton", 8), ("Medford", 6),
    ("Malden", 6), ("Waltham", 11), ("Dorchester", 4), ("Allston", 3), ("Revere", 7), ("Watertown", 7),
    ("Arlington", 8), ("Lynn", 12), ("Braintree", 12), ("Framingham", 21), ("Worcester", 41),
    ("Lowell", 27), ("Salem", 17), ("Providence", 49),
)  # fmt: skip
_FIRST = ("Mike", "Sarah", "Jose", "Emily", "Chris", "Ana", "David", "Kim", "Luis", "Rachel", "Tom", "Priya")
_LAST = ("S.", "M.", "R.", "T.", "K.", "B.", "L.", "W.", "H.", "G.", "P.", "D.")
_CONDITION_WORDS = {
    "new": ("brand new sealed", "new in box", "NIB"),
    "like new": ("like new", "mint", "barely used"),
    "used": ("good condition", "works great", "used"),
    "for parts": ("for parts not working", "broken - for parts", "as-is for parts"),
}
_FILLER = ("OBO", "must go", "moving sale", "pickup only", "cash only", "great deal")
_SCAM_CUES = (
    "BRAND NEW SEALED - shipping only",
    "URGENT sale, ships today",
    "need gone today!! shipping only",
    "100% genuine, fast shipping, pay first",
)
_SCAM_TEXT = (
    "I am deployed overseas right now so I can only ship. Payment by Zelle or gift card first, "
    "then I ship the same day with tracking. No local pickup, no calls, text only."
)
# How each site words the grades.
CONDITION_TEXT = {
    "ebay": {
        "new": "Brand New",
        "like new": "Open Box",
        "used": "Pre-Owned",
        "for parts": "For parts or not working",
    },
    "offerup": {
        "new": "New",
        "like new": "Used - Like new",
        "used": "Used - Good",
        "for parts": "Used - For parts",
    },
    "craigslist": {"new": "new", "like new": "like new", "used": "good", "for parts": "salvage"},
    "facebook": {
        "new": "New",
        "like new": "Used - Like New",
        "used": "Used - Good",
        "for parts": "Used - Fair",
    },
}
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset("a an and the for of to in on with w new used like lot".split())  # noqa: SIM905


@dataclass(frozen=True, slots=True)
class MarketProduct:
    """One catalogue product: its name, model number, category, and hidden value and shipping cost."""

    product_id: int
    brand: str
    name: str  # canonical title, brand first
    model: str
    noun: str
    category: str
    value: Decimal  # hidden: what it resells for, used, on eBay (USD)
    shipping: Decimal  # hidden: the label cost of shipping it
    size: str

    @property
    def rest(self) -> str:
        """The name without the brand."""
        return self.name.removeprefix(self.brand).strip()


@dataclass(frozen=True, slots=True)
class MarketListing:
    """One listing on one sandbox marketplace, with its hidden truth (`kind`, `true_value`, `item_key`)."""

    marketplace: str
    external_id: str
    product: MarketProduct
    title: str
    price: Decimal | None  # None: the listing shows no price
    condition: str  # grade: new, like new, used, for parts
    kind: str  # fair | underpriced | overpriced | scam | no price
    true_value: Decimal  # hidden: what the item resells for in its condition
    image_ids: tuple[str, ...]
    place: str
    distance_mi: Decimal
    seller: str
    posted_at: datetime
    description: str
    item_key: str  # the physical item: a cross-post shares it with its twin
    condition_shown: bool  # whether the site shows a condition field for it

    @property
    def condition_text(self) -> str | None:
        """The condition as this marketplace words it, when it shows one."""
        return CONDITION_TEXT[self.marketplace][self.condition] if self.condition_shown else None


@dataclass(frozen=True, slots=True)
class SoldComp:
    """One eBay sold (or ended unsold) result; `outlier` names the odd ones (bundle, accessory, typo)."""

    item_id: str
    product: MarketProduct
    title: str
    price: Decimal
    shipping: Decimal  # 0: free delivery
    condition: str
    ended_at: datetime
    sold: bool
    image_id: str
    outlier: str | None = None


def _products(rng: random.Random) -> list[MarketProduct]:
    products = []
    for number, line in enumerate(_LINES.strip().splitlines(), start=1):
        brand, rest, model, noun, category, span, size = line.split("|")
        low, high = (float(v) for v in span.split("-"))
        value = Decimal(round(low * (high / low) ** rng.random()))
        shipping = (SIZE_SHIPPING[size] * Decimal(str(round(rng.uniform(0.85, 1.2), 2)))).quantize(
            Decimal("1")
        )
        products.append(
            MarketProduct(number, brand, f"{brand} {rest}", model, noun, category, value, shipping, size)
        )
    return products


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _asking(amount: float, marketplace: str) -> Decimal:
    """A price as a seller writes it: round dollars locally, .99 or whole on eBay."""
    if marketplace == "ebay":
        return Decimal(max(int(amount), 1)) + Decimal(".99" if amount >= 20 else ".00")
    step = 5 if amount < 300 else 10
    return Decimal(max(step, round(amount / step) * step))


def seller_title(rng: random.Random, product: MarketProduct, condition: str, *, mention: bool) -> str:
    """A title a private seller might write for `product` (model number sometimes respelled or left out)."""
    model = rng.choice((product.model, product.model.replace("-", ""), product.model.lower()))
    shape = rng.random()
    if shape < 0.45:
        title = product.name.replace(product.model, model)
    elif shape < 0.85:
        title = f"{product.brand} {model} {product.noun}"
    else:  # no model number: the hardest to value
        words = [w for w in product.rest.split() if w != product.model]
        title = f"{product.brand} {' '.join(words[:3])}"
    if rng.random() < 0.2:
        title = title.lower()
    if mention:
        title += f" - {rng.choice(_CONDITION_WORDS[condition])}"
    if rng.random() < 0.3:
        title += f" {rng.choice(_FILLER)}"
    return title


def _description(product: MarketProduct, condition: str, kind: str) -> str:
    if kind == "scam":
        return f"{product.name}, brand new in the box. {_SCAM_TEXT}"
    state = {
        "new": "Never opened, still sealed.",
        "like new": "Used a handful of times, no scratches, comes with the box.",
        "used": "Normal signs of use, fully working.",
        "for parts": "Does not power on, selling as-is for parts or repair.",
    }[condition]
    return f"Selling my {product.name}. {state} Pickup or meet nearby."


def _listing_id(rng: random.Random, marketplace: str, taken: set[str]) -> str:
    while True:
        if marketplace == "craigslist":
            found = str(7_800_000_000 + rng.randrange(100_000_000))
        elif marketplace == "facebook":
            found = str(rng.randrange(10**14, 10**16))
        elif marketplace == "offerup":
            raw = f"{rng.getrandbits(128):032x}"
            found = f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"
        else:
            found = str(rng.randrange(110_000_000_000, 399_999_999_999))
        if found not in taken:
            taken.add(found)
            return found


def tokens(text: str) -> set[str]:
    """Lower-case words of `text` without filler; hyphenated model numbers also written as one word."""
    lowered = text.lower()
    found = set(_WORD.findall(lowered)) | {w.replace("-", "") for w in re.findall(r"[a-z0-9-]+", lowered)}
    return {w for w in found if w and w not in _STOP}


class SandboxMarket:
    """A deterministic set of marketplace listings and eBay sold results; built by `generate`."""

    def __init__(
        self,
        seed: int,
        today: date,
        products: list[MarketProduct],
        listings: list[MarketListing],
        sold: list[SoldComp],
    ) -> None:
        self.seed, self.today = seed, today
        self.products = products
        self.listings = listings
        self.sold = sold
        self._by_id = {(item.marketplace, item.external_id): item for item in listings}
        self._sold_by_id = {comp.item_id: comp for comp in sold}
        self._product_tokens = {
            p.product_id: tokens(f"{p.name} {p.model} {p.noun}") | {p.category} for p in products
        }
        self._model_tokens = {
            p.product_id: {p.model.lower().replace("-", "")} if " " not in p.model else tokens(p.model)
            for p in products
        }
        self._listing_tokens = {
            (item.marketplace, item.external_id): tokens(item.title)
            | self._product_tokens[item.product.product_id]
            for item in listings
        }

    @classmethod
    def generate(cls, seed: int = 7, today: date = date(2025, 12, 31), listings: int = 60) -> SandboxMarket:
        """`listings` listings per marketplace (plus cross-posts), their products and sold results."""
        if listings < 1:
            raise ValueError(f"need at least one listing per marketplace, got {listings}")
        products = _products(random.Random(f"{seed}:market:products"))
        noon = datetime.combine(today, time(12), tzinfo=UTC)
        taken: set[str] = set()
        made: list[MarketListing] = []
        for marketplace in MARKETPLACES:
            rng = random.Random(f"{seed}:market:{marketplace}")
            kinds = _KIND_WEIGHTS[marketplace]
            for number in range(listings):
                made.append(_listing(rng, marketplace, products, _pick(rng, kinds), noon, taken, number))
        made.extend(_crossposts(random.Random(f"{seed}:market:crossposts"), made, taken, noon))
        made.sort(key=lambda item: item.posted_at, reverse=True)
        sold = _sold_results(random.Random(f"{seed}:market:sold"), products, noon, taken)
        return cls(seed, today, products, made, sold)

    def on(self, marketplace: str) -> list[MarketListing]:
        """Every listing on `marketplace`, newest first."""
        return [item for item in self.listings if item.marketplace == marketplace]

    def listing(self, marketplace: str, external_id: str) -> MarketListing | None:
        """One listing by its marketplace id, or None."""
        return self._by_id.get((marketplace, external_id))

    def sold_item(self, item_id: str) -> SoldComp | None:
        """One sold/ended eBay result by item id, or None."""
        return self._sold_by_id.get(item_id)

    def crossposts(self) -> list[tuple[MarketListing, MarketListing]]:
        """Pairs of listings of one physical item on two marketplaces."""
        groups: dict[str, list[MarketListing]] = {}
        for item in self.listings:
            groups.setdefault(item.item_key, []).append(item)
        return [(group[0], group[1]) for group in groups.values() if len(group) == 2]

    def search(
        self,
        marketplace: str,
        query: str = "",
        category: str | None = None,
        min_price: Decimal | None = None,
        max_price: Decimal | None = None,
    ) -> list[MarketListing]:
        """A marketplace's search: every query word in the listing, in the category, inside the price band."""
        wanted = tokens(query)
        found = []
        for item in self.on(marketplace):
            in_category = CATEGORY_CODES[item.product.category][marketplace] == category
            if category and category not in _ALL_CODES and not in_category:
                continue
            if wanted and not wanted <= self._listing_tokens[(marketplace, item.external_id)]:
                continue
            if item.price is not None and (
                (min_price is not None and item.price < min_price)
                or (max_price is not None and item.price > max_price)
            ):
                continue
            found.append(item)
        return found

    def sold_search(self, query: str, limit: int = 240) -> list[SoldComp]:
        """eBay's sold/completed search: results for the products best matching `query`, newest first.

        Like eBay, a long query that names no product word for word still finds the closest ones: a
        product counts when its model number is in the query, or when most of its words are.
        """
        wanted = tokens(query)
        if not wanted:
            return []
        scores: dict[int, float] = {}
        for product in self.products:
            mine = self._product_tokens[product.product_id]
            share = len(wanted & mine) / len(mine)
            scores[product.product_id] = (
                1.0 + share if self._model_tokens[product.product_id] <= wanted else share
            )
        best = max(scores.values())
        if best < 0.3:
            return []
        chosen = {pid for pid, score in scores.items() if score >= max(0.3, best * 0.7)}
        found = [comp for comp in self.sold if comp.product.product_id in chosen]
        found.sort(key=lambda comp: comp.ended_at, reverse=True)
        return found[:limit]


def _listing(
    rng: random.Random,
    marketplace: str,
    products: list[MarketProduct],
    kind: str,
    noon: datetime,
    taken: set[str],
    number: int,
) -> MarketListing:
    product = rng.choice(products)
    condition = "new" if kind == "scam" else _pick(rng, _LISTING_GRADES)
    true_value = (product.value * Decimal(str(CONDITION_FACTORS[condition]))).quantize(Decimal("0.01"))
    shows_condition = marketplace in ("ebay", "offerup") or rng.random() < 0.3
    if kind == "scam":
        title = f"{product.name} {rng.choice(_SCAM_CUES)}"
    else:
        title = seller_title(rng, product, condition, mention=rng.random() < 0.6)
    price = None
    if kind != "no price":
        low, high = _PRICE_SHARE[kind]
        price = _asking(float(true_value) * rng.uniform(low, high), marketplace)
    if kind == "scam":  # a stock photo several scammers reuse, or none
        images: tuple[str, ...] = (f"stock{product.product_id:04d}",) if rng.random() < 0.5 else ()
    else:
        images = tuple(f"{rng.getrandbits(64):016x}" for _ in range(rng.randint(1, 4)))
    place, miles = rng.choice(_PLACES)
    external_id = _listing_id(rng, marketplace, taken)
    return MarketListing(
        marketplace=marketplace,
        external_id=external_id,
        product=product,
        title=title,
        price=price,
        condition=condition,
        kind=kind,
        true_value=true_value,
        image_ids=images,
        place=place,
        distance_mi=Decimal(str(round(miles * rng.uniform(0.8, 1.2), 1))),
        seller=f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
        posted_at=noon - timedelta(minutes=rng.randint(10, 6 * 24 * 60)),
        description=_description(product, condition, kind),
        item_key=f"{marketplace}:{external_id}",
        condition_shown=shows_condition,
    )


def _crossposts(
    rng: random.Random, listings: list[MarketListing], taken: set[str], noon: datetime
) -> list[MarketListing]:
    """Twins of some listings on a second marketplace: same item, photos and seller; new title and price."""
    candidates = [item for item in listings if item.kind not in ("scam", "no price")]
    twins = []
    for item in rng.sample(candidates, round(CROSSPOST_SHARE * len(candidates))):
        marketplace = rng.choice([m for m in MARKETPLACES if m != item.marketplace])
        title = item.title
        while title == item.title:
            title = seller_title(rng, item.product, item.condition, mention=rng.random() < 0.6)
        assert item.price is not None
        price = _asking(float(item.price) * rng.uniform(0.94, 1.06), marketplace)
        twins.append(
            replace(
                item,
                marketplace=marketplace,
                external_id=_listing_id(rng, marketplace, taken),
                title=title,
                price=price,
                posted_at=min(
                    item.posted_at + timedelta(minutes=rng.randint(5, 600)), noon - timedelta(minutes=5)
                ),
                condition_shown=marketplace in ("ebay", "offerup") or rng.random() < 0.3,
            )
        )
    return twins


def _sold_results(
    rng: random.Random, products: list[MarketProduct], noon: datetime, taken: set[str]
) -> list[SoldComp]:
    results: list[SoldComp] = []

    def add(
        product: MarketProduct, title: str, price: float, condition: str, sold: bool, outlier: str | None
    ) -> None:
        free = rng.random() < 0.3
        shipping = Decimal(0) if free else (product.shipping * Decimal(str(round(rng.uniform(0.8, 1.3), 2))))
        results.append(
            SoldComp(
                item_id=_listing_id(rng, "ebay", taken),
                product=product,
                title=title,
                price=_asking(price, "ebay") if price >= 1 else Decimal("0.99"),
                shipping=shipping.quantize(Decimal("0.01")),
                condition=condition,
                ended_at=noon - timedelta(days=rng.randint(1, SOLD_DAYS), hours=rng.randint(0, 11)),
                sold=sold,
                image_id=f"{rng.getrandbits(64):016x}",
                outlier=outlier,
            )
        )

    for product in products:
        value = float(product.value)
        for _ in range(rng.randint(10, 26)):
            condition = _pick(rng, _SOLD_GRADES)
            words = CONDITION_TEXT["ebay"][condition] if rng.random() < 0.3 else ""
            title = f"{product.name} {words}".strip() if rng.random() < 0.6 else _ebay_title(rng, product)
            price = value * CONDITION_FACTORS[condition] * math.exp(rng.gauss(0, 0.11))
            add(product, title, price, condition, True, None)
        for _ in range(rng.randint(0, 4)):  # auctions that ended without a sale, asking too much
            add(product, _ebay_title(rng, product), value * rng.uniform(1.2, 1.6), "used", False, None)
        if rng.random() < 0.5:
            add(product, f"Lot of 2 {product.name}", value * rng.uniform(1.8, 2.1), "used", True, "bundle")
        if rng.random() < 0.5:
            accessory = rng.choice(("Hard Case", "Replacement Charger", "Box Only", "Manual"))
            title = f"{accessory} for {product.brand} {product.model}"
            add(product, title, rng.uniform(12, 35), "used", True, "accessory")
        if rng.random() < 0.3:
            add(product, product.name, value * rng.uniform(2.4, 3.0), "used", True, "typo")
    return results


def _ebay_title(rng: random.Random, product: MarketProduct) -> str:
    extras = rng.choice(("", " Tested", " Excellent", " w/ Box", " Free Shipping", " Fast Ship"))
    return (
        f"{product.brand} {product.model} {product.rest.replace(product.model, '').strip()}{extras}".replace(
            "  ", " "
        )
    )
