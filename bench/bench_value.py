"""Benchmark: comps valuation speed and accuracy, on synthetic sold items and on real eBay sales.

Prints one JSON object per line: {"bench", "value", "unit", "baseline", "ratio"}.
  * valuations/second on one core against a 50,000-comp pool; the baseline is the goal's share of a
    core (500,000 listings/hour on 2 cores, parse + normalise + value + score: 69.4/s/core);
  * `dealwatch eval value` on a synthetic file (BENCH_VALUE_ROWS rows, default 15,000): MdAPE with the
    naive category+brand median on the same split as baseline (ratio = how many times better), and
    the other harness metrics as extra keys;
  * the same harness on the real sold listings of the two saved eBay sold/completed search pages
    (about 90 rows; skipped when ../shared/data is absent).

The synthetic market lives here, not in the valuer: a catalogue of a few hundred products (brands,
model numbers, storage and size variants, accessories naming the products they fit) with hidden
true prices, condition multipliers and monthly price trends; sellers write noisy titles (typos,
abbreviations, filler, shouting, missing brand) and some sales are outliers (box only, bundles).
The valuer reads only the CSV: name, brand, category, condition, price, shipping, description, sold_at.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import os
import random
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dealwatch.core.money import Money
from dealwatch.flip.marketplaces import Ebay
from dealwatch.flip.matching import Comp, CompIndex, ItemQuery
from dealwatch.flip.valuation import value

ROWS = int(os.environ.get("BENCH_VALUE_ROWS", "15000"))
POOL = 50_000
GOAL_PER_CORE = 500_000 / 3600 / 2
END = datetime(2026, 6, 30, tzinfo=UTC)
SPAN_DAYS = 240
EBAY = Path(__file__).resolve().parents[2] / "shared" / "data" / "marketplace_pages" / "ebay"
EBAY_PAGES = {
    "search_sold_s-card_2006-vw-new-beetle_2026-05-06.html.gz": ("eBay Motors/Parts/Car Parts", "Volkswagen"),
    "search_completed_s-card_seller-store_2026-07-22.html.gz": ("Music/Vinyl Records", None),
}
HEADER = ("name", "brand", "category", "condition", "price", "shipping", "description", "sold_at")


@dataclass(frozen=True, slots=True)
class Product:
    """One product of the synthetic catalogue; its price and trend are the hidden truth."""

    brand: str
    category: str
    name: str
    model: str | None
    used_price: float
    monthly_trend: float


# (brand, category, monthly trend, [(name, model number or "", used price)], variants (label, factor))
_PHONES = "Electronics/Cell Phones & Accessories/Cell Phones & Smartphones"
_ACCESSORIES = "Electronics/Cell Phones & Accessories/Cases, Covers & Skins"
_AUDIO = "Electronics/TV, Audio & Surveillance/Headphones"
_GPUS = "Electronics/Computers & Tablets/Components & Parts"
_LAPTOPS = "Electronics/Computers & Tablets/Laptops & Netbooks"
_CONSOLES = "Electronics/Video Games & Consoles/Consoles"
_GAMES = "Electronics/Video Games & Consoles/Games"
_CAMERAS = "Electronics/Cameras & Photography/Digital Cameras"
_WATCHES = "Women/Jewelry/Watches"
_SHOES = "Men/Shoes/Athletic"
_CLOTHES = "Women/Athletic Apparel/Jackets"
_TOOLS = "Home/Tools/Power Tools"
_KITCHEN = "Home/Kitchen & Dining/Small Appliances"
_TOYS = "Kids/Toys/Building Toys"
STORAGE = (("64GB", 0.85), ("128GB", 1.0), ("256GB", 1.12), ("512GB", 1.3))
SIZES = tuple((f"Size {s}", f) for s, f in (("8", 0.95), ("9", 1.0), ("10", 1.0), ("11", 1.02), ("12", 0.97)))
NONE = (("", 1.0),)
FAMILIES: tuple[tuple[str, str, float, list[tuple[str, str, float]], tuple[tuple[str, float], ...]], ...] = (
    (
        "Apple",
        _PHONES,
        -0.025,
        [
            ("iPhone 12", "A2172", 240),
            ("iPhone 12 Pro", "A2341", 330),
            ("iPhone 12 Pro Max", "A2342", 400),
            ("iPhone 13", "A2482", 380),
            ("iPhone 13 mini", "A2481", 320),
            ("iPhone 13 Pro", "A2483", 500),
            ("iPhone 13 Pro Max", "A2484", 600),
            ("iPhone 14", "A2649", 470),
            ("iPhone 14 Pro", "A2650", 680),
            ("iPhone 14 Pro Max", "A2651", 780),
            ("iPhone 15 Pro", "A2848", 820),
            ("iPhone SE 2nd Gen", "A2275", 120),
        ],
        STORAGE[:3],
    ),
    (
        "Samsung",
        _PHONES,
        -0.03,
        [
            ("Galaxy S21 5G", "SM-G991U", 200),
            ("Galaxy S21 Ultra 5G", "SM-G998U", 330),
            ("Galaxy S22", "SM-S901U", 280),
            ("Galaxy S22 Ultra", "SM-S908U", 460),
            ("Galaxy S23 Ultra", "SM-S918U", 700),
            ("Galaxy Z Flip4", "SM-F721U", 330),
            ("Galaxy A54 5G", "SM-A546U", 180),
        ],
        STORAGE[1:3],
    ),
    (
        "Google",
        _PHONES,
        -0.03,
        [
            ("Pixel 6", "GB7N6", 170),
            ("Pixel 6 Pro", "G8VOU", 240),
            ("Pixel 7", "GVU6C", 250),
            ("Pixel 7 Pro", "GE2AE", 340),
            ("Pixel 8", "GKWS6", 400),
        ],
        STORAGE[1:3],
    ),
    (
        "Sony",
        _AUDIO,
        -0.015,
        [
            ("WH-1000XM3 Wireless Noise Cancelling Headphones", "WH-1000XM3", 110),
            ("WH-1000XM4 Wireless Noise Cancelling Headphones", "WH-1000XM4", 170),
            ("WH-1000XM5 Wireless Noise Cancelling Headphones", "WH-1000XM5", 240),
            ("WF-1000XM4 Noise Cancelling Earbuds", "WF-1000XM4", 110),
            ("WF-1000XM5 Noise Cancelling Earbuds", "WF-1000XM5", 170),
            ("MDR-7506 Professional Studio Headphones", "MDR-7506", 70),
        ],
        NONE,
    ),
    (
        "Bose",
        _AUDIO,
        -0.015,
        [
            ("QuietComfort 35 II Wireless Headphones", "QC35 II", 120),
            ("QuietComfort 45 Headphones", "QC45", 160),
            ("Noise Cancelling Headphones 700", "NCH700", 190),
            ("QuietComfort Earbuds II", "", 150),
            ("SoundLink Flex Bluetooth Speaker", "", 90),
        ],
        NONE,
    ),
    (
        "Apple",
        _AUDIO,
        -0.02,
        [
            ("AirPods Pro 2nd Generation", "A2698", 140),
            ("AirPods 3rd Generation", "A2565", 100),
            ("AirPods Max", "A2096", 330),
            ("AirPods 2nd Generation", "A2032", 60),
        ],
        NONE,
    ),
    (
        "Beats",
        _AUDIO,
        -0.015,
        [
            ("Studio3 Wireless Over-Ear Headphones", "A1914", 120),
            ("Solo3 Wireless Headphones", "A1796", 70),
            ("Powerbeats Pro Earbuds", "A2047", 90),
            ("Fit Pro Earbuds", "A2576", 110),
        ],
        NONE,
    ),
    (
        "OtterBox",
        _ACCESSORIES,
        0.0,
        [
            ("Defender Series Case for iPhone 13 Pro", "", 25),
            ("Defender Series Case for iPhone 14 Pro Max", "", 28),
            ("Commuter Case for Galaxy S22 Ultra", "", 18),
        ],
        NONE,
    ),
    (
        "Geekria",
        _ACCESSORIES,
        0.0,
        [
            ("Replacement Ear Pads for Sony WH-1000XM4 Headphones", "", 16),
            ("Replacement Ear Pads for Bose QuietComfort 35 II", "", 14),
            ("Hard Carrying Case for Sony WH-1000XM5", "", 20),
        ],
        NONE,
    ),
    (
        "Apple",
        _ACCESSORIES,
        -0.01,
        [
            ("MagSafe Charger", "A2140", 25),
            ("MagSafe Silicone Case for iPhone 14 Pro", "", 22),
            ("20W USB-C Power Adapter", "A2305", 12),
        ],
        NONE,
    ),
    *(
        (
            brand,
            _GPUS,
            -0.03,
            [
                (f"GeForce RTX 3060 {line} 12GB", "", 270 * factor),
                (f"GeForce RTX 3070 {line} 8GB", "", 360 * factor),
                (f"GeForce RTX 3080 {line} 10GB", "", 500 * factor),
                (f"GeForce RTX 3090 {line} 24GB", "", 820 * factor),
                (f"GeForce RTX 4070 {line} 12GB", "", 520 * factor),
                (f"GeForce RTX 4080 {line} 16GB", "", 950 * factor),
                (f"GeForce RTX 4090 {line} 24GB", "", 1700 * factor),
            ],
            NONE,
        )
        for brand, line, factor in (
            ("EVGA", "FTW3 Ultra", 1.05),
            ("ASUS", "ROG Strix OC", 1.1),
            ("MSI", "Gaming X Trio", 1.0),
            ("Gigabyte", "Eagle", 0.93),
        )
    ),
    (
        "AMD",
        _GPUS,
        -0.03,
        [
            ("Radeon RX 6700 XT 12GB", "", 290),
            ("Radeon RX 6800 XT 16GB", "", 440),
            ("Radeon RX 7900 XTX 24GB", "", 850),
        ],
        NONE,
    ),
    (
        "Apple",
        _LAPTOPS,
        -0.02,
        [
            ("MacBook Air 13 M1 8GB 256GB", "A2337", 520),
            ("MacBook Air 13 M1 16GB 512GB", "A2337", 650),
            ("MacBook Air 13 M2 8GB 256GB", "A2681", 760),
            ("MacBook Pro 14 M1 Pro 16GB 512GB", "A2442", 1150),
            ("MacBook Pro 13 M1 8GB 256GB", "A2338", 600),
            ("iPad Air 4th Gen 64GB WiFi", "A2316", 300),
            ("iPad Pro 11 3rd Gen 128GB WiFi", "A2377", 560),
            ("iPad 9th Gen 64GB WiFi", "A2602", 200),
        ],
        NONE,
    ),
    (
        "Dell",
        _LAPTOPS,
        -0.025,
        [("XPS 13 9310 i7 16GB 512GB", "", 620), ("Latitude 7420 i5 16GB 256GB", "", 330)],
        NONE,
    ),
    (
        "Lenovo",
        _LAPTOPS,
        -0.025,
        [("ThinkPad X1 Carbon Gen 9 i7 16GB", "", 700), ("ThinkPad T14 Gen 2 i5 16GB", "", 380)],
        NONE,
    ),
    (
        "Sony",
        _CONSOLES,
        -0.01,
        [
            ("PlayStation 5 Disc Edition Console", "CFI-1215A", 380),
            ("PlayStation 5 Digital Edition Console", "CFI-1215B", 320),
            ("PlayStation 4 Pro 1TB Console", "CUH-7215B", 200),
            ("PlayStation 4 Slim 500GB Console", "CUH-2215A", 150),
            ("DualSense Wireless Controller", "CFI-ZCT1W", 45),
        ],
        NONE,
    ),
    (
        "Nintendo",
        _CONSOLES,
        -0.01,
        [
            ("Switch OLED Model Console", "HEG-001", 250),
            ("Switch Console with Neon Joy-Con", "HAC-001", 180),
            ("Switch Lite Handheld Console", "HDH-001", 120),
            ("Switch Pro Controller", "HAC-013", 45),
        ],
        NONE,
    ),
    (
        "Microsoft",
        _CONSOLES,
        -0.01,
        [
            ("Xbox Series X 1TB Console", "", 370),
            ("Xbox Series S 512GB Console", "", 220),
            ("Xbox One X 1TB Console", "", 170),
            ("Xbox Wireless Controller", "", 40),
        ],
        NONE,
    ),
    (
        "Nintendo",
        _GAMES,
        -0.015,
        [
            ("Zelda Tears of the Kingdom Switch", "", 45),
            ("Mario Kart 8 Deluxe Switch", "", 35),
            ("Animal Crossing New Horizons Switch", "", 33),
            ("Pokemon Scarlet Switch", "", 38),
            ("Super Smash Bros Ultimate Switch", "", 40),
            ("Metroid Dread Switch", "", 30),
        ],
        NONE,
    ),
    (
        "Sony",
        _GAMES,
        -0.02,
        [
            ("God of War Ragnarok PS5", "", 25),
            ("Spider-Man 2 PS5", "", 40),
            ("Horizon Forbidden West PS4", "", 18),
            ("Gran Turismo 7 PS5", "", 30),
        ],
        NONE,
    ),
    (
        "Casio",
        _WATCHES,
        0.0,
        [
            ("G-Shock Digital Watch", "DW-5600E", 45),
            ("G-Shock CasiOak Watch", "GA-2100-1A", 70),
            ("G-Shock Solar Atomic Watch", "GW-M5610", 90),
            ("G-Shock Classic Watch", "DW-6900", 50),
            ("Vintage Digital Watch", "F-91W", 15),
            ("Pro Trek Solar Watch", "PRW-3500", 140),
        ],
        NONE,
    ),
    (
        "Seiko",
        _WATCHES,
        0.005,
        [
            ("Automatic Divers Watch", "SKX007", 280),
            ("5 Sports Automatic Watch", "SRPD55", 220),
            ("Automatic Military Watch", "SNK809", 90),
            ("Prospex Turtle Watch", "SRP777", 300),
        ],
        NONE,
    ),
    (
        "Apple",
        _WATCHES,
        -0.02,
        [
            ("Watch Series 7 GPS 41mm", "A2473", 180),
            ("Watch Series 7 GPS 45mm", "A2474", 200),
            ("Watch Series 8 GPS 45mm", "A2771", 240),
            ("Watch SE GPS 40mm", "A2351", 130),
            ("Watch Ultra 49mm", "A2684", 500),
        ],
        NONE,
    ),
    (
        "Garmin",
        _WATCHES,
        -0.015,
        [
            ("Forerunner 245 Music GPS Watch", "", 130),
            ("Fenix 6 Pro Solar", "", 320),
            ("Venu 2 GPS", "", 170),
        ],
        NONE,
    ),
    (
        "Nike",
        _SHOES,
        0.005,
        [
            ("Air Jordan 1 Retro High OG Chicago", "DZ5485-612", 250),
            ("Air Force 1 07 White", "CW2288-111", 70),
            ("Air Max 90 White", "CN8490-100", 80),
            ("Dunk Low Retro Panda", "DD1391-100", 110),
            ("Air Jordan 4 Retro Military Black", "DH6927-111", 280),
            ("Pegasus 39 Running Shoes", "DH4071-001", 60),
        ],
        SIZES,
    ),
    (
        "Adidas",
        _SHOES,
        0.0,
        [
            ("Yeezy Boost 350 V2 Zebra", "CP9654", 250),
            ("Ultraboost 22 Running Shoes", "GX5459", 80),
            ("Samba OG White Black", "B75806", 75),
            ("Forum Low White", "FY7757", 55),
        ],
        SIZES,
    ),
    (
        "New Balance",
        _SHOES,
        0.0,
        [("550 White Green", "BB550WT1", 85), ("990v5 Grey Made in USA", "M990GL5", 115)],
        SIZES,
    ),
    (
        "Lululemon",
        _CLOTHES,
        0.0,
        [
            ("Align High-Rise Pant 25", "", 55),
            ("Define Jacket Nulu", "", 70),
            ("Scuba Oversized Half-Zip Hoodie", "", 70),
            ("Wunder Train Tight 28", "", 45),
        ],
        (("Size 4", 1.0), ("Size 6", 1.0), ("Size 8", 1.0), ("Size 10", 0.97)),
    ),
    (
        "Patagonia",
        _CLOTHES,
        0.0,
        [
            ("Better Sweater Fleece Jacket", "", 60),
            ("Nano Puff Jacket", "", 90),
            ("Retro-X Fleece Jacket", "", 100),
            ("Down Sweater Jacket", "", 120),
        ],
        (("Size S", 1.0), ("Size M", 1.0), ("Size L", 1.02)),
    ),
    (
        "The North Face",
        _CLOTHES,
        0.0,
        [
            ("1996 Retro Nuptse 700 Jacket", "", 150),
            ("Denali Fleece Jacket", "", 60),
            ("ThermoBall Eco Jacket", "", 75),
        ],
        (("Size S", 1.0), ("Size M", 1.0), ("Size L", 1.02)),
    ),
    (
        "Arc'teryx",
        _CLOTHES,
        0.0,
        [("Atom LT Hoody", "", 150), ("Beta AR Jacket Gore-Tex", "", 290), ("Cerium LT Down Hoody", "", 210)],
        (("Size S", 1.0), ("Size M", 1.0), ("Size L", 1.02)),
    ),
    (
        "DeWalt",
        _TOOLS,
        -0.005,
        [
            ("20V MAX Cordless Drill Driver Kit", "DCD771C2", 90),
            ("20V MAX XR Impact Driver Tool Only", "DCF887B", 95),
            ("20V MAX Circular Saw Tool Only", "DCS570B", 110),
            ("20V MAX 5.0Ah Battery", "DCB205", 70),
            ("20V MAX Reciprocating Saw Tool Only", "DCS367B", 100),
        ],
        NONE,
    ),
    (
        "Milwaukee",
        _TOOLS,
        -0.005,
        [
            ("M18 FUEL 1/2 Hammer Drill Tool Only 2804-20", "", 130),
            ("M18 FUEL 1/2 High Torque Impact Wrench 2767-20", "", 200),
            ("M18 REDLITHIUM XC5.0 Battery 48-11-1850", "", 80),
        ],
        NONE,
    ),
    (
        "Makita",
        _TOOLS,
        -0.005,
        [
            ("18V LXT Brushless Drill Driver Kit", "XFD131", 110),
            ("18V LXT Brushless Impact Driver Kit", "XDT131", 100),
        ],
        NONE,
    ),
    (
        "KitchenAid",
        _KITCHEN,
        -0.005,
        [
            ("Artisan 5 Qt Tilt-Head Stand Mixer", "KSM150PS", 230),
            ("Classic 4.5 Qt Stand Mixer", "K45SS", 150),
            ("Professional 600 6 Qt Bowl-Lift Mixer", "KP26M1X", 280),
        ],
        NONE,
    ),
    (
        "Vitamix",
        _KITCHEN,
        -0.005,
        [
            ("5200 Blender Professional", "5200", 230),
            ("E310 Explorian Blender", "E310", 200),
            ("A3500 Ascent Blender", "A3500", 420),
        ],
        NONE,
    ),
    (
        "Instant Pot",
        _KITCHEN,
        -0.01,
        [("Duo 7-in-1 Pressure Cooker 6 Qt", "", 50), ("Duo Plus 9-in-1 8 Qt", "", 70)],
        NONE,
    ),
    (
        "Breville",
        _KITCHEN,
        -0.005,
        [
            ("Barista Express Espresso Machine", "BES870XL", 400),
            ("Bambino Plus Espresso Machine", "BES500BSS", 250),
        ],
        NONE,
    ),
    (
        "Canon",
        _CAMERAS,
        -0.015,
        [
            ("EOS R6 Mirrorless Camera Body", "", 1300),
            ("EOS Rebel T7 DSLR with 18-55mm Lens", "", 300),
            ("EF 50mm f/1.8 STM Lens", "", 90),
            ("RF 24-105mm f/4L IS USM Lens", "", 800),
        ],
        NONE,
    ),
    (
        "Sony",
        _CAMERAS,
        -0.015,
        [
            ("Alpha a7 III Mirrorless Camera Body", "ILCE-7M3", 1150),
            ("Alpha a6400 Mirrorless Camera Body", "ILCE-6400", 650),
            ("FE 50mm f/1.8 Lens", "SEL50F18F", 170),
        ],
        NONE,
    ),
    (
        "GoPro",
        _CAMERAS,
        -0.02,
        [("HERO10 Black Action Camera", "CHDHX-101", 200), ("HERO11 Black Action Camera", "CHDHX-111", 250)],
        NONE,
    ),
    (
        "LEGO",
        _TOYS,
        0.01,
        [
            ("Star Wars Millennium Falcon 75257", "", 130),
            ("Star Wars UCS Millennium Falcon 75192", "", 720),
            ("Technic Lamborghini Sian 42115", "", 360),
            ("Creator Galaxy Explorer 10497", "", 90),
            ("Ideas Tree House 21318", "", 210),
            ("Harry Potter Hogwarts Castle 71043", "", 400),
        ],
        NONE,
    ),
)

COLOURS = ("Black", "White", "Silver", "Blue", "Graphite", "Red", "Gold", "Midnight", "Space Gray")
FILLER = (
    "Free Shipping",
    "FAST SHIP",
    "L@@K",
    "Tested Working",
    "OEM",
    "Authentic",
    "w/ Box",
    "Bundle",
    "Great Deal",
    "Fast Shipping!!",
    "No Reserve",
    "Read Description",
    "100% Genuine",
)
ABBREVIATIONS = {
    "Wireless": ("Wirelss", "WL", "Wireles"),
    "Headphones": ("Headphone", "Hdphones", "Headphones Over Ear"),
    "Noise": ("Noise",),
    "Cancelling": ("Canceling", "Cancel", "ANC"),
    "Generation": ("Gen",),
    "Console": ("System", "Consol"),
    "Controller": ("Contoller", "Pad"),
    "Jacket": ("Jkt",),
    "Professional": ("Pro",),
    "Bluetooth": ("BT",),
    "Cordless": ("Cordles",),
    "Mirrorless": ("Mirorless",),
    "Automatic": ("Auto",),
    "Running": ("Run",),
}
# What each grade is called, and the hidden price multiplier relative to used.
CONDITIONS = (
    ("new", 0.2, 1.32, ("New", "Brand New", "New with box", "New in box", "1")),
    ("like new", 0.2, 1.15, ("Like New", "Open Box", "New (Other)", "Excellent", "2")),
    ("used", 0.5, 1.0, ("Used", "Pre-Owned", "Good", "Very Good", "Fair", "3", "4")),
    ("for parts", 0.1, 0.35, ("For parts or not working", "For Parts", "Broken", "5")),
)
CONDITION_TITLE_WORDS = {
    "new": ("NEW SEALED", "Brand New", "NIB", "New"),
    "like new": ("Like New", "Mint", "Open Box", "Excellent Condition"),
    "used": ("Used", "Pre-Owned", "Good Condition", ""),
    "for parts": ("For Parts", "Not Working", "AS IS", "Broken"),
}


def catalogue() -> list[Product]:
    """Every product of the synthetic market (name variants included)."""
    products = []
    for brand, category, trend, items, variants in FAMILIES:
        for name, model, price in items:
            for label, factor in variants:
                full = f"{name} {label}".strip()
                products.append(
                    Product(brand, category, full, model or None, round(price * factor, 2), trend)
                )
    return products


def synthetic_rows(n: int, seed: int = 7) -> list[dict[str, str]]:
    """`n` sold-item rows of the synthetic market, as the CSV shows them (no truth in them)."""
    rng = random.Random(seed)
    products = catalogue()
    rng.shuffle(products)
    # Zipf-like popularity: a few products sell often, many rarely (thin samples).
    popularity = [1 / (rank + 1) ** 0.8 for rank in range(len(products))]
    rows = []
    for product in rng.choices(products, popularity, k=n):
        age_days = rng.uniform(0, SPAN_DAYS)
        sold_at = END - timedelta(days=age_days)
        grade, multiplier, condition = _condition(rng, product)
        months = (SPAN_DAYS - age_days) / 30
        price = product.used_price * multiplier * (1 + product.monthly_trend) ** months
        price *= math.exp(rng.gauss(0, 0.15))
        roll = rng.random()
        if roll < 0.02:
            price *= rng.uniform(0.12, 0.4)  # box only, undisclosed fault, mistake
        elif roll < 0.04:
            price *= rng.uniform(2.0, 3.5)  # bundle, lot, shill bid
        rows.append(
            {
                "name": _title(rng, product, grade),
                "brand": _brand_cell(rng, product),
                "category": product.category if rng.random() > 0.05 else product.category.rsplit("/", 1)[0],
                "condition": condition,
                "price": _price_cell(rng, price),
                "shipping": "0"
                if rng.random() < 0.45
                else f"{rng.choice((5.99, 8.5, 12.0, 15.95, 24.0)):.2f}",
                "description": _description(rng, product),
                "sold_at": sold_at.date().isoformat(),
            }
        )
    return rows


def _condition(rng: random.Random, product: Product) -> tuple[str, float, str]:
    weights = [share for _, share, _, _ in CONDITIONS]
    grade, _, multiplier, names = rng.choices(CONDITIONS, weights)[0]
    if product.category == _CLOTHES and grade == "for parts":
        grade, _, multiplier, names = CONDITIONS[2]
    numeric = rng.random() < 0.15
    name = rng.choice([x for x in names if x.isdigit() == numeric] or names)
    return grade, multiplier, name


def _title(rng: random.Random, product: Product, grade: str) -> str:
    words = product.name.split()
    words = [rng.choice(ABBREVIATIONS[w]) if w in ABBREVIATIONS and rng.random() < 0.25 else w for w in words]
    if rng.random() < 0.3 and len(words) > 3:
        # Sellers drop trailing descriptors ("Wireless Noise Cancelling Headphones" -> "Wireless").
        words = words[: rng.randint(3, len(words))]
    parts = [" ".join(words)]
    if product.model and rng.random() < 0.45:
        parts.insert(rng.randint(0, 1), _model_cell(rng, product.model))
    if rng.random() < 0.85:
        parts.insert(0, product.brand if rng.random() < 0.8 else product.brand.upper())
    if rng.random() < 0.35:
        parts.append(rng.choice(COLOURS))
    if rng.random() < 0.4:
        word = rng.choice(CONDITION_TITLE_WORDS[grade])
        parts.insert(rng.choice((0, len(parts))), word)
    for _ in range(rng.choice((0, 0, 1, 2))):
        parts.append(rng.choice(FILLER))
    title = " ".join(p for p in parts if p)
    if rng.random() < 0.2:
        title = _typo(rng, title)
    roll = rng.random()
    if roll < 0.12:
        title = title.upper()
    elif roll < 0.22:
        title = title.lower()
    return title[:80]


def _model_cell(rng: random.Random, model: str) -> str:
    roll = rng.random()
    if roll < 0.25:
        return model.replace("-", "")
    if roll < 0.35:
        return model.lower()
    return model


def _typo(rng: random.Random, title: str) -> str:
    words = title.split()
    candidates = [i for i, w in enumerate(words) if len(w) > 4 and w.isalpha()]
    if not candidates:
        return title
    i = rng.choice(candidates)
    word, at = words[i], rng.randrange(1, len(words[i]) - 1)
    kind = rng.random()
    if kind < 0.4:
        word = word[:at] + word[at + 1 :]
    elif kind < 0.7:
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    else:
        word = word[:at] + word[at] + word[at:]
    words[i] = word
    return " ".join(words)


def _brand_cell(rng: random.Random, product: Product) -> str:
    roll = rng.random()
    if roll < 0.25:
        return ""
    return product.brand.upper() if roll < 0.3 else product.brand


def _price_cell(rng: random.Random, price: float) -> str:
    price = max(price, 1.0)
    if rng.random() < 0.5:
        return f"{math.floor(price) + 0.99:.2f}" if price > 5 else f"{price:.2f}"
    return f"{round(price)}"


def _description(rng: random.Random, product: Product) -> str:
    if rng.random() < 0.5:
        return ""
    text = f"Selling my {product.brand} {product.name}."
    if product.model and rng.random() < 0.6:
        text += f" Model {product.model}."
    return text + rng.choice((" Ships fast.", " Smoke free home.", " No returns.", ""))


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    """Write sold-item rows in the `dealwatch eval value` CSV format."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, HEADER)
        writer.writeheader()
        writer.writerows({k: row.get(k, "") for k in HEADER} for row in rows)
    return path


def ebay_sold_rows(directory: Path = EBAY) -> list[dict[str, str]]:
    """The sold listings of the saved eBay sold/completed search pages (ended unsold ones left out)."""
    rows = []
    for name, (category, brand) in EBAY_PAGES.items():
        with gzip.open(directory / name, "rt", encoding="utf-8") as handle:
            page = Ebay().parse_search(handle.read(), "https://www.ebay.com/sch/i.html", END)
        for listing in page.listings:
            if not listing.sold or listing.price is None or listing.sold_at is None:
                continue
            rows.append(
                {
                    "name": listing.title,
                    "brand": brand or "",
                    "category": category,
                    "condition": listing.condition or "",
                    "price": str(listing.price.amount),
                    "shipping": str(listing.shipping.amount) if listing.shipping else "",
                    "sold_at": listing.sold_at.date().isoformat(),
                }
            )
    return rows


def emit(bench: str, value_: float, unit: str, baseline: float, **extra: object) -> None:
    ratio = round(value_ / baseline, 2) if baseline else None
    print(
        json.dumps(
            {"bench": bench, "value": value_, "unit": unit, "baseline": baseline, "ratio": ratio, **extra}
        )
    )


def valuation_rate() -> None:
    """Valuations per second (one core) against a 50,000-comp pool."""
    rows = synthetic_rows(POOL + 2000, seed=11)
    comps = [
        Comp(
            title=r["name"],
            price=_money(r["price"]),
            brand=r["brand"] or None,
            category=r["category"],
            condition=r["condition"],
            sold_at=datetime.fromisoformat(r["sold_at"]).replace(tzinfo=UTC),
            description=r["description"] or None,
        )
        for r in rows[:POOL]
    ]
    started = time.process_time()
    index = CompIndex(comps)
    value(ItemQuery("warm up"), index, now=END)
    build = time.process_time() - started
    queries = [ItemQuery(r["name"], r["brand"] or None, r["category"], r["condition"]) for r in rows[POOL:]]
    started = time.process_time()
    valued = sum(value(q, index, now=END).valued for q in queries)
    rate = round(len(queries) / (time.process_time() - started), 1)
    emit(
        "value_50k_pool",
        rate,
        "valuations/s/core",
        round(GOAL_PER_CORE, 1),
        pool=len(index),
        queries=len(queries),
        valued=valued,
        index_build_s=round(build, 2),
    )


def _money(text: str) -> Money:
    return Money.of(text, "USD")


def harness(name: str, rows: list[dict[str, str]]) -> None:
    """`dealwatch eval value` on `rows`: MdAPE against the category+brand median baseline."""
    from dealwatch.eval.value import evaluate_value

    with tempfile.TemporaryDirectory() as tmp:
        result = evaluate_value(write_csv(Path(tmp) / f"{name}.csv", rows))
    mdape, baseline = result["mdape"], result["baseline_mdape"]
    ratio = round(baseline / mdape, 2) if mdape else None
    print(
        json.dumps(
            {
                "bench": f"value_mdape_{name}",
                "value": mdape,
                "unit": "MdAPE (lower is better)",
                "baseline": baseline,
                "ratio": ratio,
                **result,
            }
        )
    )


def main() -> None:
    valuation_rate()
    harness("synthetic", synthetic_rows(ROWS))
    if all((EBAY / page).is_file() for page in EBAY_PAGES):
        harness("ebay_sold", ebay_sold_rows())


if __name__ == "__main__":
    main()
