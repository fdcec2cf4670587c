"""Sandbox store identities and product catalogs: names, categories, products and daily price tags."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

CATEGORIES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[int, int]]] = {
    # category: (adjectives, product nouns, price range in whole currency units)
    "fashion": (
        ("Relaxed", "Cropped", "Oversized", "Slim", "Linen", "Merino", "Organic Cotton", "Quilted", "Pleated"),
        ("Tee", "Chino", "Midi Dress", "Hoodie", "Denim Jacket", "Cardigan", "Trench Coat", "Shirt", "Jumpsuit"),
        (19, 240),
    ),
    "electronics": (
        ("Wireless", "Noise-Cancelling", "Smart", "Portable", "4K", "Mechanical", "Ultra-Slim", "Fast-Charge"),
        ("Earbuds", "Headphones", "Speaker", "Monitor", "Keyboard", "Power Bank", "Webcam", "Smartwatch", "Router"),
        (15, 899),
    ),
    "home": (
        ("Stoneware", "Velvet", "Oak", "Handwoven", "Ceramic", "Linen", "Rattan", "Cast Iron", "Recycled Glass"),
        ("Dinner Set", "Cushion", "Side Table", "Rug", "Table Lamp", "Duvet Cover", "Planter", "Skillet", "Vase"),
        (12, 650),
    ),
    "beauty": (
        ("Hydrating", "Vitamin C", "Overnight", "Gentle", "Matte", "Brightening", "Fragrance-Free", "Repairing"),
        ("Serum", "Cleanser", "Moisturiser", "Lip Tint", "Face Mask", "Eye Cream", "Body Oil", "SPF 50 Fluid"),
        (8, 95),
    ),
    "sports": (
        ("Trail", "Lightweight", "Waterproof", "Carbon", "Seamless", "Insulated", "Breathable", "Pro"),
        ("Running Shoes", "Yoga Mat", "Cycling Jersey", "Backpack", "Leggings", "Water Bottle", "Tent", "Helmet"),
        (12, 420),
    ),
    "toys": (
        ("Wooden", "Magnetic", "Glow-in-the-Dark", "Deluxe", "Junior", "Classic", "Remote-Control", "Stackable"),
        ("Building Set", "Puzzle", "Train Set", "Plush Bear", "Craft Kit", "Board Game", "Race Car", "Doll House"),
        (9, 180),
    ),
    "books": (
        ("Illustrated", "Collector's", "Hardback", "Pocket", "Signed", "Annotated", "Large Print", "Boxed"),
        ("Cookbook", "Atlas", "Novel", "Journal", "Field Guide", "Poetry Collection", "Biography", "Notebook"),
        (7, 65),
    ),
    "pets": (
        ("Orthopedic", "Grain-Free", "Reflective", "Chew-Proof", "Self-Warming", "Interactive", "Calming"),
        ("Dog Bed", "Cat Tree", "Harness", "Kibble", "Feeder", "Leash", "Litter Box", "Treat Puzzle"),
        (6, 210),
    ),
}

NAME_PARTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "en": (
        ("Northwind", "Maple", "Harbor", "Copper", "Juniper", "Bluebird", "Ironwood", "Meadow", "Atlas", "Fable",
         "Cobalt", "Willow", "Summit", "Hollow", "Lantern", "Orchard", "Pebble", "Saffron", "Tidal", "Arrow",
         "Birch", "Canyon", "Driftwood", "Ember", "Foxglove", "Granite", "Heron", "Indigo", "Kestrel", "Larkspur"),
        ("Outfitters", "Supply Co.", "Goods", "& Co.", "Market", "House", "Collective", "Store", "Depot", "Works",
         "Trading", "Emporium", "Studio", "Provisions", "Lab"),
    ),
    "de": (
        ("Nordlicht", "Waldhaus", "Bergfink", "Lindenhof", "Sonnenweg", "Eichenblatt", "Flussufer", "Grünspecht",
         "Kupferkessel", "Heimatstück", "Sternfeld", "Rotbuche"),
        ("Kaufhaus", "Laden", "Werkstatt", "Markt", "Versand", "Manufaktur", "Haus"),
    ),
    "fr": (
        ("Maison", "Atelier", "Comptoir", "Galerie", "Boutique", "Belle"),
        ("Lumière", "Rivage", "Sauvage", "Cerise", "Azur", "Olivier", "Provence", "Mistral", "Bruyère", "Lavande"),
    ),
    "es": (
        ("Casa", "Tienda", "Mercado", "Taller", "Almacén", "Bazar"),
        ("del Sol", "Marina", "Alba", "Olivo", "Brisa", "Luna", "Sierra", "Azahar", "Canela", "Cielo"),
    ),
}


@dataclass(frozen=True, slots=True)
class Product:
    """One catalog product: its id, display name and regular price."""

    product_id: int
    name: str
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
        name = f"{rng.choice(adjectives)} {rng.choice(nouns)}"
        if name in seen:
            name = f"{name} {rng.choice(('II', 'Plus', 'Mini', 'XL', 'Set of 2', 'Edition'))}"
            if name in seen:
                continue
        seen.add(name)
        whole = int(low * (high / low) ** rng.random())
        cents = rng.choice(("0.99", "0.95", "0.00", "0.50"))
        products.append(Product(ids[len(products)], name, whole + Decimal(cents)))
    return products


def markdown(price: Decimal, pct: int) -> Decimal:
    """`price` less `pct` percent, rounded down to .99-style cents."""
    reduced = price * (100 - pct) / 100
    return max(Decimal("0.99"), reduced.quantize(Decimal("1")) - Decimal("0.01"))
