"""Sandbox store identities and product catalogs: names, categories, products and daily price tags."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal


def _words(text: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in text.split(","))


CATEGORIES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[int, int]]] = {
    # category: (adjectives, product nouns, price range in whole currency units)
    "fashion": (
        _words("Relaxed, Cropped, Oversized, Slim, Linen, Merino, Organic Cotton, Quilted, Pleated"),
        _words("Tee, Chino, Midi Dress, Hoodie, Denim Jacket, Cardigan, Trench Coat, Shirt, Jumpsuit"),
        (19, 240),
    ),
    "electronics": (
        _words("Wireless, Noise-Cancelling, Smart, Portable, 4K, Mechanical, Ultra-Slim, Fast-Charge"),
        _words("Earbuds, Headphones, Speaker, Monitor, Keyboard, Power Bank, Webcam, Smartwatch, Router"),
        (15, 899),
    ),
    "home": (
        _words("Stoneware, Velvet, Oak, Handwoven, Ceramic, Linen, Rattan, Cast Iron, Recycled Glass"),
        _words("Dinner Set, Cushion, Side Table, Rug, Table Lamp, Duvet Cover, Planter, Skillet, Vase"),
        (12, 650),
    ),
    "beauty": (
        _words("Hydrating, Vitamin C, Overnight, Gentle, Matte, Brightening, Fragrance-Free, Repairing"),
        _words("Serum, Cleanser, Moisturiser, Lip Tint, Face Mask, Eye Cream, Body Oil, SPF 50 Fluid"),
        (8, 95),
    ),
    "sports": (
        _words("Trail, Lightweight, Waterproof, Carbon, Seamless, Insulated, Breathable, Pro"),
        _words("Running Shoes, Yoga Mat, Cycling Jersey, Backpack, Leggings, Water Bottle, Tent, Helmet"),
        (12, 420),
    ),
    "toys": (
        _words("Wooden, Magnetic, Glow-in-the-Dark, Deluxe, Junior, Classic, Remote-Control, Stackable"),
        _words("Building Set, Puzzle, Train Set, Plush Bear, Craft Kit, Board Game, Race Car, Doll House"),
        (9, 180),
    ),
    "books": (
        _words("Illustrated, Collector's, Hardback, Pocket, Signed, Annotated, Large Print, Boxed"),
        _words("Cookbook, Atlas, Novel, Journal, Field Guide, Poetry Collection, Biography, Notebook"),
        (7, 65),
    ),
    "pets": (
        _words("Orthopedic, Grain-Free, Reflective, Chew-Proof, Self-Warming, Interactive, Calming"),
        _words("Dog Bed, Cat Tree, Harness, Kibble, Feeder, Leash, Litter Box, Treat Puzzle"),
        (6, 210),
    ),
}

NAME_PARTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "en": (
        _words(
            "Northwind, Maple, Harbor, Copper, Juniper, Bluebird, Ironwood, Meadow, Atlas, Fable, "
            "Cobalt, Willow, Summit, Hollow, Lantern, Orchard, Pebble, Saffron, Tidal, Arrow, Birch, "
            "Canyon, Driftwood, Ember, Foxglove, Granite, Heron, Indigo, Kestrel, Larkspur"
        ),
        _words(
            "Outfitters, Supply Co., Goods, & Co., Market, House, Collective, Store, Depot, Works, Trading, "
            "Emporium, Studio, Provisions, Lab"
        ),
    ),
    "de": (
        _words(
            "Nordlicht, Waldhaus, Bergfink, Lindenhof, Sonnenweg, Eichenblatt, Flussufer, Grünspecht, "
            "Kupferkessel, Heimatstück, Sternfeld, Rotbuche"
        ),
        _words("Kaufhaus, Laden, Werkstatt, Markt, Versand, Manufaktur, Haus"),
    ),
    "fr": (
        _words("Maison, Atelier, Comptoir, Galerie, Boutique, Belle"),
        _words("Lumière, Rivage, Sauvage, Cerise, Azur, Olivier, Provence, Mistral, Bruyère, Lavande"),
    ),
    "es": (
        _words("Casa, Tienda, Mercado, Taller, Almacén, Bazar"),
        _words("del Sol, Marina, Alba, Olivo, Brisa, Luna, Sierra, Azahar, Canela, Cielo"),
    ),
}


@dataclass(frozen=True, slots=True)
class Product:
    """One catalog product: id, display name, kind (the noun, used for category links) and regular price."""

    product_id: int
    name: str
    kind: str
    price: Decimal


def store_name(rng: random.Random, language: str) -> str:
    """A plausible shop name in `language`."""
    first, second = NAME_PARTS[language]
    return f"{rng.choice(first)} {rng.choice(second)}"


def build_catalog(rng: random.Random, category: str, size: int) -> list[Product]:
    """A store's fixed product catalog, with .99-style prices."""
    adjectives, nouns, (low, high) = CATEGORIES[category]
    ids = rng.sample(range(10_000, 100_000), size)
    products: list[Product] = []
    seen: set[str] = set()
    while len(products) < size:
        kind = rng.choice(nouns)
        name = f"{rng.choice(adjectives)} {kind}"
        if name in seen:
            name = f"{name} {rng.choice(('II', 'Plus', 'Mini', 'XL', 'Set of 2', 'Edition'))}"
            if name in seen:
                continue
        seen.add(name)
        whole = int(low * (high / low) ** rng.random())
        cents = rng.choice(("0.99", "0.95", "0.00", "0.50"))
        products.append(Product(ids[len(products)], name, kind, whole + Decimal(cents)))
    return products


def markdown(price: Decimal, pct: int) -> Decimal:
    """`price` less `pct` percent, rounded down to .99-style cents."""
    reduced = price * (100 - pct) / 100
    return max(Decimal("0.99"), reduced.quantize(Decimal("1")) - Decimal("0.01"))
