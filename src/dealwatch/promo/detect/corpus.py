"""The labelled detection corpus: hand-written banner phrases rendered into varied store home pages.

Owns the phrase files (`phrases/<lang>.jsonl`, one labelled banner text a line), their validation,
the train/test split and the page renderer. The split is by phrase (a hash of its text) and by page
skeleton (some are test-only), so the test split measures unseen wording and unseen markup. Each
split is a directory in the format `dealwatch eval detect DIR` reads (see eval/detect.py), whose
labels also carry "promotion_text" (the phrase placed, verbatim), "lang", "layout" (the skeleton),
"placement" (where the banner sits), "second_lang" (a distractor's language) and "phrases" (every
phrase on the page, to check that no phrase crosses splits).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from rich.progress import track
from selectolax.lexbor import LexborHTMLParser

from dealwatch.core.errors import InvalidInput
from dealwatch.eval.detect import LABELS_FILE
from dealwatch.promo.detect.base import PROMOTION_TYPES

PHRASES_DIR = Path(__file__).with_name("phrases")
LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "ja")
NEGATIVE_REASONS = (
    "product",
    "policy",
    "signup",
    "menu",
    "teaser",
    "ended",
    "unrelated",
    "injection",
    "financing",
    "loyalty",
    "shipping_threshold",
)
PLACEMENTS = ("announcement_bar", "ticker", "hero", "modal", "image_alt", "header_strip", "top_div")
_PHRASE_KEYS = {"text", "label", "type", "why"}
_PAGE_FILE = re.compile(r"\d{5}\.html")
_TOKEN_CHARACTERS = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
_LANGUAGE_WEIGHTS = tuple(0.28 if lang == "en" else 0.08 for lang in LANGUAGES)
_POSITIVE_SHARE = 0.5
_SECOND_LANGUAGE_SHARE = 0.15
_NEUTRAL_BANNER_SHARE = 0.1  # negative pages whose banner slot holds only standing chrome copy
_TEST_ONLY_SKELETON_SHARE = 0.4
# Negatives that would contradict a live sale on the same page, so only negative pages carry them.
_NEGATIVE_PAGE_ONLY = ("teaser", "ended", "injection")
# Negatives that are never a banner by themselves: they live in product cards and the menu.
_NOT_A_BANNER = ("product", "menu")
_EXTRA_SLOTS = {
    "product": ("card",),
    "policy": ("usp", "footer"),
    "shipping_threshold": ("usp", "footer"),
    "financing": ("usp", "footer"),
    "loyalty": ("usp", "footer"),
    "signup": ("newsletter",),
    "unrelated": ("blog", "card"),
    "teaser": ("blog", "below_hero", "footer"),
    "ended": ("blog", "below_hero", "footer"),
    "injection": ("blog", "below_hero", "footer"),
}
# Product badges in the page chrome: no phrase file has these, so chrome never repeats a phrase.
_BADGE_PERCENTS = (15, 35, 40, 50, 60, 70)
_STORES = (
    "Northwind",
    "Lumen & Co",
    "Fjell",
    "Casa Oliva",
    "Kiko Lane",
    "Brightwell",
    "Maison Ardent",
    "Rivet Supply",
    "Otto Grün",
    "Solvik",
    "Hanami",
    "Vela",
    "Ostra",
    "Marlowe",
    "Tessera",
    "Juniper & Ash",
    "Kobalt",
    "Saltmarsh",
    "Aurelia",
    "Paloma Studio",
)


@dataclass(frozen=True, slots=True)
class Phrase:
    """One hand-written banner text and its label (see LABELS.md)."""

    text: str
    label: bool
    promotion_type: str | None
    why: str | None  # for negatives: why it is not a site-wide promotion
    lang: str


@dataclass(frozen=True, slots=True)
class _Skeleton:
    name: str
    scheme: str  # how class names are spelt
    structure: str  # "semantic" (header/nav/main/footer), "divs" (div soup) or "tables" (table layout)
    test_only: bool = False


SKELETONS = (
    _Skeleton("theme", "semantic", "semantic"),
    _Skeleton("bem", "bem", "semantic"),
    _Skeleton("tailwind", "tailwind", "semantic"),
    _Skeleton("app_shell", "cssinjs", "divs"),
    _Skeleton("bootstrap", "bootstrap", "semantic"),
    _Skeleton("css_modules", "modules", "divs", test_only=True),
    _Skeleton("legacy_tables", "legacy", "tables", test_only=True),
)
TEST_ONLY_LAYOUTS = tuple(s.name for s in SKELETONS if s.test_only)


@dataclass(slots=True)
class Tally:
    """Pages, and how many of them announce a site-wide promotion."""

    pages: int = 0
    positives: int = 0
    negatives: int = 0

    def add(self, positive: bool) -> None:
        """Count one page."""
        self.pages += 1
        self.positives += positive
        self.negatives += not positive


@dataclass(frozen=True, slots=True)
class SplitSummary:
    """What one split (train or test) holds."""

    total: Tally
    languages: dict[str, Tally]
    layouts: dict[str, int]
    phrases: int  # phrases the hash puts in this split
    phrases_used: int  # of which placed on at least one page


@dataclass(frozen=True, slots=True)
class CorpusSummary:
    """What build_corpus wrote."""

    out_dir: Path
    train: SplitSummary
    test: SplitSummary


# ---------------------------------------------------------------------------------------------- phrases


def load_phrases(directory: Path = PHRASES_DIR) -> list[Phrase]:
    """Every phrase of DIR/<lang>.jsonl; a bad line raises InvalidInput naming the file and line."""
    paths = sorted(directory.glob("*.jsonl"))
    if not paths:
        raise InvalidInput(f"{directory}: no phrase files (<lang>.jsonl)")
    phrases: list[Phrase] = []
    for path in paths:
        if path.stem not in LANGUAGES:
            raise InvalidInput(f"{path}: unknown language {path.stem!r} (known: {', '.join(LANGUAGES)})")
        seen: dict[str, int] = {}
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            phrase = _phrase(line, path.stem, f"{path}:{number}")
            if phrase.text in seen:
                raise InvalidInput(f"{path}:{number}: duplicate of line {seen[phrase.text]}: {phrase.text!r}")
            seen[phrase.text] = number
            phrases.append(phrase)
    return phrases


def _phrase(line: str, lang: str, where: str) -> Phrase:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{where}: not valid JSON: {exc.msg}") from exc
    if not isinstance(record, dict) or set(record) != _PHRASE_KEYS:
        raise InvalidInput(f"{where}: expected an object with exactly the keys {sorted(_PHRASE_KEYS)}")
    text, label, kind, why = record["text"], record["label"], record["type"], record["why"]
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput(f"{where}: 'text' must be a non-empty string")
    if text != _normalise(text):
        raise InvalidInput(f"{where}: 'text' must be on one line, without doubled or edge whitespace")
    if not isinstance(label, bool):
        raise InvalidInput(f"{where}: 'label' must be true or false")
    if label and (kind not in PROMOTION_TYPES or why is not None):
        raise InvalidInput(
            f"{where}: a positive needs 'type' in {', '.join(PROMOTION_TYPES)} and 'why': null"
        )
    if not label and (kind is not None or why not in NEGATIVE_REASONS):
        raise InvalidInput(
            f"{where}: a negative needs 'type': null and 'why' in {', '.join(NEGATIVE_REASONS)}"
        )
    if not _reads_back(text):
        raise InvalidInput(f"{where}: 'text' does not read back verbatim once escaped into HTML")
    return Phrase(text, label, kind, why, lang)


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _reads_back(text: str) -> bool:
    """True when `text`, escaped into HTML, reads back verbatim as element text and as alt text."""
    tree = LexborHTMLParser(f'<p>{escape(text)}</p><img alt="{escape(text)}">')
    body, img = tree.body, tree.css_first("img")
    if body is None or img is None:
        return False
    return _normalise(body.text(separator=" ")) == text and img.attributes.get("alt") == text


def phrase_split(text: str, test_share: float) -> str:
    """'test' or 'train', from a stable hash of the phrase text: a phrase never lands in both splits."""
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return "test" if int.from_bytes(digest, "big") / 2**64 < test_share else "train"


class _Deck:
    """Deals phrases in shuffled rounds, so every phrase is used before any is repeated."""

    def __init__(self, phrases: list[Phrase], rng: random.Random) -> None:
        self._phrases = phrases
        self._rng = rng
        self._hand: list[Phrase] = []

    def __bool__(self) -> bool:
        return bool(self._phrases)

    def deal(self) -> Phrase:
        if not self._hand:
            self._hand = list(self._phrases)
            self._rng.shuffle(self._hand)
        return self._hand.pop()


@dataclass(slots=True)
class _Decks:
    """One split's phrases, per language, by what a page may do with them."""

    positive: dict[str, _Deck]
    banner_negative: dict[str, _Deck]  # negatives that can stand where a banner stands
    menu: dict[str, _Deck]
    extra_any: dict[str, _Deck]  # distractors for negative pages
    extra_safe: dict[str, _Deck]  # distractors that do not contradict a live sale

    @classmethod
    def of(cls, phrases: list[Phrase], rng: random.Random) -> _Decks:
        def decks(keep: Callable[[Phrase], bool]) -> dict[str, _Deck]:
            return {
                lang: _Deck([p for p in phrases if p.lang == lang and keep(p)], rng) for lang in LANGUAGES
            }

        return cls(
            positive=decks(lambda p: p.label),
            banner_negative=decks(lambda p: not p.label and p.why not in _NOT_A_BANNER),
            menu=decks(lambda p: p.why == "menu"),
            extra_any=decks(lambda p: not p.label and p.why != "menu"),
            extra_safe=decks(lambda p: not p.label and p.why not in ("menu", *_NEGATIVE_PAGE_ONLY)),
        )


# ---------------------------------------------------------------------------------------------- chrome


@dataclass(frozen=True, slots=True)
class _Chrome:
    """A storefront's standing copy in one language: none of it announces a site-wide sale."""

    nav: tuple[str, ...]
    sections: tuple[str, str]
    products: tuple[str, ...]
    add_to_cart: str
    ticker: tuple[str, ...]  # neutral rotating messages
    heroes: tuple[tuple[str, str], ...]
    cta: str
    cookie: tuple[str, str]
    newsletter: tuple[str, str, str, str]  # heading, text, button, placeholder
    footer: tuple[str, ...]
    blog: tuple[str, tuple[tuple[str, str], ...]]
    search: str
    close: str
    money: tuple[str, str, int, str, str]  # prefix, suffix, decimals, decimal mark, thousands mark
    price_range: tuple[int, int]
    percent_space: bool  # "-30 %" rather than "-30%"
    tld: str


_CHROME: dict[str, _Chrome] = {
    "en": _Chrome(
        nav=("New in", "Women", "Men", "Home & living", "Gifts"),
        sections=("Bestsellers", "Just landed"),
        products=(
            "Linen shirt",
            "Wool crew jumper",
            "Canvas tote",
            "Leather belt",
            "Ceramic mug set",
            "Relaxed chinos",
            "Cotton pyjama set",
            "Suede loafers",
            "Rain jacket",
            "Cashmere beanie",
        ),
        add_to_cart="Add to bag",
        ticker=(
            "Free returns",
            "Carbon-neutral delivery",
            "Rated 4.8/5 by 20,000+ customers",
            "Click & collect in 2 hours",
            "Gift cards available",
        ),
        heroes=(
            ("New season, new essentials", "Shop the autumn collection"),
            ("Made to last", "Discover pieces crafted in small batches"),
            ("The weekend edit", "Easy layers for slow mornings"),
        ),
        cta="Shop now",
        cookie=("We use cookies to improve your experience and for analytics.", "Accept all"),
        newsletter=(
            "Stay in the loop",
            "News, new arrivals and stories from our studio.",
            "Subscribe",
            "Email address",
        ),
        footer=("Customer service", "Delivery & returns", "Secure payment", "Careers", "Privacy policy"),
        blog=(
            "From the journal",
            (
                ("How to care for linen", "Five simple habits that keep it soft for years."),
                ("Meet the makers", "A visit to the workshop behind our leather goods."),
                ("A capsule wardrobe for travel", "Ten pieces, endless outfits."),
            ),
        ),
        search="Search",
        close="Close",
        money=("$", "", 2, ".", ","),
        price_range=(12, 180),
        percent_space=False,
        tld="com",
    ),
    "de": _Chrome(
        nav=("Neuheiten", "Damen", "Herren", "Wohnen", "Geschenke"),
        sections=("Bestseller", "Neu eingetroffen"),
        products=(
            "Leinenhemd",
            "Strickpullover aus Wolle",
            "Canvas-Tasche",
            "Ledergürtel",
            "Keramikbecher 2er-Set",
            "Chino mit lockerer Passform",
            "Baumwollpyjama",
            "Wildleder-Loafer",
            "Regenjacke",
            "Kaschmirmütze",
        ),
        add_to_cart="In den Warenkorb",
        ticker=(
            "Kostenlose Rücksendung",
            "Klimaneutraler Versand",
            "4,8/5 bei über 20.000 Bewertungen",
            "Click & Collect in 2 Stunden",
            "Geschenkgutscheine erhältlich",
        ),
        heroes=(
            ("Neue Saison, neue Basics", "Entdecke die Herbstkollektion"),
            ("Gemacht, um zu bleiben", "Stücke aus kleinen Manufakturen"),
            ("Die Wochenend-Edition", "Lässige Lagen für langsame Morgen"),
        ),
        cta="Jetzt entdecken",
        cookie=("Wir verwenden Cookies, um dein Erlebnis zu verbessern.", "Alle akzeptieren"),
        newsletter=(
            "Bleib auf dem Laufenden",
            "Neuheiten und Geschichten aus unserem Atelier.",
            "Abonnieren",
            "E-Mail-Adresse",
        ),
        footer=("Kundenservice", "Versand & Rückgabe", "Sichere Zahlung", "Karriere", "Datenschutz"),
        blog=(
            "Aus dem Magazin",
            (
                ("So pflegst du Leinen", "Fünf einfache Tipps, damit es jahrelang weich bleibt."),
                ("Zu Besuch in der Werkstatt", "Wo unsere Lederwaren entstehen."),
                ("Die Capsule Wardrobe für Reisen", "Zehn Teile, unzählige Outfits."),
            ),
        ),
        search="Suche",
        close="Schließen",
        money=("", " €", 2, ",", "."),
        price_range=(12, 180),
        percent_space=True,
        tld="de",
    ),
    "fr": _Chrome(
        nav=("Nouveautés", "Femme", "Homme", "Maison", "Idées cadeaux"),
        sections=("Meilleures ventes", "Tout juste arrivés"),
        products=(
            "Chemise en lin",
            "Pull col rond en laine",
            "Sac cabas en toile",
            "Ceinture en cuir",
            "Set de tasses en céramique",
            "Chino coupe droite",
            "Pyjama en coton",
            "Mocassins en daim",
            "Veste de pluie",
            "Bonnet en cachemire",
        ),
        add_to_cart="Ajouter au panier",
        ticker=(
            "Retours simplifiés",
            "Livraison neutre en carbone",
            "Noté 4,8/5 par plus de 20 000 clients",
            "Retrait en magasin en 2 h",
            "Cartes cadeaux disponibles",
        ),
        heroes=(
            ("Nouvelle saison, nouveaux essentiels", "Découvrez la collection d'automne"),
            ("Fait pour durer", "Des pièces fabriquées en petites séries"),
            ("L'édition du week-end", "Des couches légères pour les matins tranquilles"),
        ),
        cta="Découvrir",
        cookie=("Nous utilisons des cookies pour améliorer votre expérience.", "Tout accepter"),
        newsletter=(
            "Restons en contact",
            "Nouveautés et histoires de notre atelier.",
            "S'abonner",
            "Adresse e-mail",
        ),
        footer=(
            "Service client",
            "Livraison et retours",
            "Paiement sécurisé",
            "Recrutement",
            "Confidentialité",
        ),
        blog=(
            "Le journal",
            (
                ("Comment entretenir le lin", "Cinq gestes simples pour qu'il reste doux."),
                ("Rencontre avec nos artisans", "Visite de l'atelier de maroquinerie."),
                ("Une garde-robe capsule pour voyager", "Dix pièces, des tenues à l'infini."),
            ),
        ),
        search="Rechercher",
        close="Fermer",
        money=("", " €", 2, ",", " "),
        price_range=(12, 180),
        percent_space=True,
        tld="fr",
    ),
    "es": _Chrome(
        nav=("Novedades", "Mujer", "Hombre", "Hogar", "Regalos"),
        sections=("Lo más vendido", "Recién llegado"),
        products=(
            "Camisa de lino",
            "Jersey de lana",
            "Bolso tote de lona",
            "Cinturón de piel",
            "Set de tazas de cerámica",
            "Chino relajado",
            "Pijama de algodón",
            "Mocasines de ante",
            "Chubasquero",
            "Gorro de cachemira",
        ),
        add_to_cart="Añadir a la cesta",
        ticker=(
            "Devoluciones fáciles",
            "Envío neutro en carbono",
            "Valoración 4,8/5 de más de 20.000 clientes",
            "Recogida en tienda en 2 horas",
            "Tarjetas regalo disponibles",
        ),
        heroes=(
            ("Nueva temporada, nuevos básicos", "Descubre la colección de otoño"),
            ("Hecho para durar", "Piezas fabricadas en pequeños lotes"),
            ("La edición del fin de semana", "Capas ligeras para mañanas tranquilas"),
        ),
        cta="Comprar ahora",
        cookie=("Usamos cookies para mejorar tu experiencia.", "Aceptar todas"),
        newsletter=(
            "No te pierdas nada",
            "Novedades e historias de nuestro taller.",
            "Suscribirme",
            "Correo electrónico",
        ),
        footer=("Atención al cliente", "Envíos y devoluciones", "Pago seguro", "Empleo", "Privacidad"),
        blog=(
            "Del blog",
            (
                ("Cómo cuidar el lino", "Cinco hábitos sencillos para que siga suave."),
                ("Conoce a los artesanos", "Una visita al taller de nuestra marroquinería."),
                ("Un armario cápsula para viajar", "Diez prendas, infinitos looks."),
            ),
        ),
        search="Buscar",
        close="Cerrar",
        money=("", " €", 2, ",", "."),
        price_range=(12, 180),
        percent_space=True,
        tld="es",
    ),
    "it": _Chrome(
        nav=("Novità", "Donna", "Uomo", "Casa", "Idee regalo"),
        sections=("I più venduti", "Appena arrivati"),
        products=(
            "Camicia in lino",
            "Maglione girocollo in lana",
            "Borsa tote in tela",
            "Cintura in pelle",
            "Set di tazze in ceramica",
            "Chino dalla vestibilità morbida",
            "Pigiama in cotone",
            "Mocassini in camoscio",
            "Giacca impermeabile",
            "Berretto in cashmere",
        ),
        add_to_cart="Aggiungi al carrello",
        ticker=(
            "Resi semplici",
            "Consegna a impatto zero",
            "Valutazione 4,8/5 da oltre 20.000 clienti",
            "Ritiro in negozio in 2 ore",
            "Carte regalo disponibili",
        ),
        heroes=(
            ("Nuova stagione, nuovi essenziali", "Scopri la collezione autunnale"),
            ("Fatto per durare", "Capi realizzati in piccole serie"),
            ("L'edizione del weekend", "Strati leggeri per mattine lente"),
        ),
        cta="Scopri ora",
        cookie=("Utilizziamo i cookie per migliorare la tua esperienza.", "Accetta tutti"),
        newsletter=(
            "Resta aggiornato",
            "Novità e storie dal nostro laboratorio.",
            "Iscriviti",
            "Indirizzo e-mail",
        ),
        footer=("Servizio clienti", "Spedizioni e resi", "Pagamenti sicuri", "Lavora con noi", "Privacy"),
        blog=(
            "Dal magazine",
            (
                ("Come prendersi cura del lino", "Cinque semplici abitudini per mantenerlo morbido."),
                ("Incontra gli artigiani", "Una visita al laboratorio della nostra pelletteria."),
                ("Un guardaroba capsule per viaggiare", "Dieci capi, infiniti look."),
            ),
        ),
        search="Cerca",
        close="Chiudi",
        money=("", " €", 2, ",", "."),
        price_range=(12, 180),
        percent_space=True,
        tld="it",
    ),
    "nl": _Chrome(
        nav=("Nieuw", "Dames", "Heren", "Wonen", "Cadeaus"),
        sections=("Bestsellers", "Net binnen"),
        products=(
            "Linnen overhemd",
            "Wollen trui",
            "Canvas shopper",
            "Leren riem",
            "Keramiek mokkenset",
            "Relaxed chino",
            "Katoenen pyjama",
            "Suède loafers",
            "Regenjas",
            "Kasjmier muts",
        ),
        add_to_cart="In winkelmand",
        ticker=(
            "Makkelijk retourneren",
            "CO₂-neutrale bezorging",
            "Beoordeeld met 4,8/5 door 20.000+ klanten",
            "Binnen 2 uur ophalen in de winkel",
            "Cadeaubonnen verkrijgbaar",
        ),
        heroes=(
            ("Nieuw seizoen, nieuwe basics", "Ontdek de herfstcollectie"),
            ("Gemaakt om lang mee te gaan", "Stukken gemaakt in kleine series"),
            ("De weekendselectie", "Makkelijke lagen voor rustige ochtenden"),
        ),
        cta="Shop nu",
        cookie=("We gebruiken cookies om je ervaring te verbeteren.", "Alles accepteren"),
        newsletter=(
            "Blijf op de hoogte",
            "Nieuws en verhalen uit onze studio.",
            "Inschrijven",
            "E-mailadres",
        ),
        footer=("Klantenservice", "Verzenden & retourneren", "Veilig betalen", "Vacatures", "Privacy"),
        blog=(
            "Uit het journal",
            (
                ("Zo verzorg je linnen", "Vijf eenvoudige gewoontes voor jarenlang zacht linnen."),
                ("Maak kennis met de makers", "Een bezoek aan onze leerwerkplaats."),
                ("Een capsulegarderobe voor op reis", "Tien items, eindeloos veel outfits."),
            ),
        ),
        search="Zoeken",
        close="Sluiten",
        money=("€ ", "", 2, ",", "."),
        price_range=(12, 180),
        percent_space=False,
        tld="nl",
    ),
    "pt": _Chrome(
        nav=("Novidades", "Feminino", "Masculino", "Casa", "Presentes"),
        sections=("Mais vendidos", "Acabou de chegar"),
        products=(
            "Camisa de linho",
            "Suéter de lã",
            "Bolsa tote de lona",
            "Cinto de couro",
            "Jogo de canecas de cerâmica",
            "Calça chino",
            "Pijama de algodão",
            "Mocassim de camurça",
            "Capa de chuva",
            "Gorro de caxemira",
        ),
        add_to_cart="Adicionar à sacola",
        ticker=(
            "Trocas fáceis",
            "Entrega com carbono neutro",
            "Nota 4,8/5 de mais de 20 mil clientes",
            "Retire na loja em 2 horas",
            "Vale-presente disponível",
        ),
        heroes=(
            ("Nova estação, novos essenciais", "Conheça a coleção de outono"),
            ("Feito para durar", "Peças produzidas em pequenos lotes"),
            ("A seleção do fim de semana", "Camadas leves para manhãs tranquilas"),
        ),
        cta="Comprar agora",
        cookie=("Usamos cookies para melhorar sua experiência.", "Aceitar todos"),
        newsletter=(
            "Fique por dentro",
            "Novidades e histórias do nosso ateliê.",
            "Assinar",
            "Seu e-mail",
        ),
        footer=("Atendimento", "Entregas e trocas", "Pagamento seguro", "Trabalhe conosco", "Privacidade"),
        blog=(
            "Do nosso blog",
            (
                ("Como cuidar do linho", "Cinco hábitos simples para mantê-lo macio."),
                ("Conheça os artesãos", "Uma visita ao ateliê dos nossos artigos de couro."),
                ("Um guarda-roupa cápsula para viajar", "Dez peças, looks infinitos."),
            ),
        ),
        search="Buscar",
        close="Fechar",
        money=("R$ ", "", 2, ",", "."),
        price_range=(40, 600),
        percent_space=False,
        tld="com.br",
    ),
    "pl": _Chrome(
        nav=("Nowości", "Kobieta", "Mężczyzna", "Dom", "Prezenty"),
        sections=("Bestsellery", "Właśnie dotarły"),
        products=(
            "Lniana koszula",
            "Wełniany sweter",
            "Płócienna torba",
            "Skórzany pasek",
            "Zestaw ceramicznych kubków",
            "Spodnie chino",
            "Bawełniana piżama",
            "Zamszowe mokasyny",
            "Kurtka przeciwdeszczowa",
            "Kaszmirowa czapka",
        ),
        add_to_cart="Dodaj do koszyka",
        ticker=(
            "Łatwe zwroty",
            "Dostawa neutralna dla klimatu",
            "Ocena 4,8/5 od ponad 20 000 klientów",
            "Odbiór w sklepie w 2 godziny",
            "Karty podarunkowe dostępne",
        ),
        heroes=(
            ("Nowy sezon, nowe podstawy", "Odkryj kolekcję jesienną"),
            ("Stworzone, by służyć latami", "Rzeczy szyte w małych seriach"),
            ("Weekendowa selekcja", "Wygodne warstwy na spokojne poranki"),
        ),
        cta="Kupuj teraz",
        cookie=("Używamy plików cookie, aby ulepszyć Twoje doświadczenia.", "Akceptuj wszystkie"),
        newsletter=(
            "Bądź na bieżąco",
            "Nowości i historie z naszej pracowni.",
            "Zapisz się",
            "Adres e-mail",
        ),
        footer=("Obsługa klienta", "Dostawa i zwroty", "Bezpieczne płatności", "Kariera", "Prywatność"),
        blog=(
            "Z bloga",
            (
                ("Jak dbać o len", "Pięć prostych nawyków, by pozostał miękki."),
                ("Poznaj rzemieślników", "Wizyta w pracowni naszych wyrobów skórzanych."),
                ("Garderoba kapsułowa w podróż", "Dziesięć rzeczy, nieskończenie wiele stylizacji."),
            ),
        ),
        search="Szukaj",
        close="Zamknij",
        money=("", " zł", 2, ",", " "),
        price_range=(40, 600),
        percent_space=False,
        tld="pl",
    ),
    "sv": _Chrome(
        nav=("Nyheter", "Dam", "Herr", "Hem", "Presenter"),
        sections=("Bästsäljare", "Nyinkommet"),
        products=(
            "Linneskjorta",
            "Ulltröja",
            "Tygkasse i canvas",
            "Läderbälte",
            "Muggar i keramik, 2-pack",
            "Chinos med ledig passform",
            "Pyjamas i bomull",
            "Loafers i mocka",
            "Regnjacka",
            "Mössa i kashmir",
        ),
        add_to_cart="Lägg i varukorgen",
        ticker=(
            "Enkla returer",
            "Klimatkompenserad leverans",
            "Betyg 4,8/5 från över 20 000 kunder",
            "Hämta i butik inom 2 timmar",
            "Presentkort finns",
        ),
        heroes=(
            ("Ny säsong, nya basplagg", "Upptäck höstkollektionen"),
            ("Gjort för att hålla", "Plagg tillverkade i små serier"),
            ("Helgens urval", "Lätta lager för lugna morgnar"),
        ),
        cta="Handla nu",
        cookie=("Vi använder cookies för att förbättra din upplevelse.", "Godkänn alla"),
        newsletter=(
            "Håll dig uppdaterad",
            "Nyheter och berättelser från vår ateljé.",
            "Prenumerera",
            "E-postadress",
        ),
        footer=("Kundservice", "Leverans & retur", "Säker betalning", "Jobba hos oss", "Integritet"),
        blog=(
            "Från journalen",
            (
                ("Så sköter du linne", "Fem enkla vanor som håller det mjukt i åratal."),
                ("Möt hantverkarna", "Ett besök i verkstaden bakom våra läderprodukter."),
                ("En kapselgarderob för resan", "Tio plagg, oändligt många outfits."),
            ),
        ),
        search="Sök",
        close="Stäng",
        money=("", " kr", 0, ",", " "),
        price_range=(149, 1999),
        percent_space=True,
        tld="se",
    ),
    "ja": _Chrome(
        nav=("新着", "レディース", "メンズ", "インテリア", "ギフト"),
        sections=("ランキング", "新着アイテム"),
        products=(
            "リネンシャツ",
            "ウールクルーネックニット",
            "キャンバストートバッグ",
            "レザーベルト",
            "セラミックマグ2個セット",
            "リラックスチノパン",
            "コットンパジャマ",
            "スエードローファー",
            "レインジャケット",
            "カシミヤニット帽",
        ),
        add_to_cart="カートに入れる",
        ticker=(
            "返品・交換かんたん",
            "カーボンニュートラル配送",
            "2万人以上のお客様が評価 4.8/5",
            "店舗受け取りは最短2時間",
            "ギフトカード取扱中",
        ),
        heroes=(
            ("新しい季節の定番", "秋のコレクションを見る"),
            ("長く使えるものを", "小さな工房で丁寧に作りました"),
            ("週末のためのセレクト", "ゆったりした朝のレイヤード"),
        ),
        cta="今すぐチェック",
        cookie=("当サイトでは利便性向上のためCookieを使用しています。", "すべて許可"),
        newsletter=(
            "最新情報をお届けします",
            "新作やアトリエからのストーリーをお届けします。",
            "登録する",
            "メールアドレス",
        ),
        footer=(
            "カスタマーサービス",
            "配送・返品について",
            "安全なお支払い",
            "採用情報",
            "プライバシーポリシー",
        ),
        blog=(
            "読みもの",
            (
                ("リネンのお手入れ方法", "やわらかさを保つ5つの習慣。"),
                ("つくり手を訪ねて", "レザーアイテムが生まれる工房へ。"),
                ("旅のためのカプセルワードローブ", "10着で無限のコーディネート。"),
            ),
        ),
        search="検索",
        close="閉じる",
        money=("¥", "", 0, ".", ","),
        price_range=(1500, 20000),
        percent_space=False,
        tld="jp",
    ),
}


def chrome_strings() -> list[str]:
    """Every piece of standing page copy, in every language (tests check none repeats a phrase)."""
    out: list[str] = []
    for chrome in _CHROME.values():
        out += [*chrome.nav, *chrome.sections, *chrome.products, chrome.add_to_cart, *chrome.ticker]
        out += [text for pair in chrome.heroes for text in pair]
        out += [chrome.cta, *chrome.cookie, *chrome.newsletter, *chrome.footer, chrome.blog[0]]
        out += [text for pair in chrome.blog[1] for text in pair]
        out += [chrome.search, chrome.close]
        out += [_badge(chrome, pct) for pct in _BADGE_PERCENTS]
    return out


def _money(chrome: _Chrome, amount: float) -> str:
    prefix, suffix, decimals, mark, thousands = chrome.money
    text = f"{amount:,.{decimals}f}".replace(",", "\x00").replace(".", mark).replace("\x00", thousands)
    return f"{prefix}{text}{suffix}"


def _badge(chrome: _Chrome, pct: int) -> str:
    return f"-{pct} %" if chrome.percent_space else f"-{pct}%"


# ---------------------------------------------------------------------------------------------- class names

_SYNONYMS = {
    "bar": (
        "announcement-bar",
        "site-notice",
        "utility-bar",
        "top-strip",
        "preheader",
        "msg-bar",
        "header-message",
        "eyebrow",
        "info-strip",
        "usp-bar",
        "topline",
        "global-message",
        "marketing-strip",
        "shipping-bar",
        "alert-bar",
    ),
    "ticker": (
        "marquee",
        "ticker",
        "scrolling-text",
        "text-loop",
        "running-line",
        "news-ticker",
        "message-rotator",
        "looping-text",
        "scroller",
        "ribbon-scroll",
    ),
    "hero": (
        "hero",
        "masthead",
        "cover",
        "jumbotron",
        "billboard",
        "main-visual",
        "spotlight",
        "feature-block",
        "home-intro",
        "lead-panel",
        "splash",
        "slideshow",
    ),
    "media": ("banner-image", "hero-image", "campaign-visual", "promo-tile", "visual", "picture-block", "kv"),
    "modal": (
        "modal",
        "popup",
        "overlay",
        "lightbox",
        "dialog",
        "interstitial",
        "takeover",
        "flyout",
        "drawer",
    ),
    "strip": (
        "header-top",
        "header-notice",
        "pre-nav",
        "header-utility",
        "header-band",
        "header-promo",
        "subheader",
    ),
    "header": ("site-header", "header", "top-nav", "app-header", "page-header", "navbar"),
    "nav": ("main-nav", "menu", "navigation", "primary-menu", "nav-links", "mega-menu"),
    "usp": ("usp", "trust-bar", "benefits", "reassurance", "service-strip", "value-props"),
    "main": ("main-content", "content", "page", "home", "site-main", "index"),
    "grid": ("product-grid", "products", "collection-grid", "featured-products", "tiles", "product-list"),
    "card": ("product-card", "card", "product-tile", "grid-item", "product-item", "tile"),
    "blog": ("journal", "blog-posts", "stories", "editorial", "magazine", "articles"),
    "newsletter": ("newsletter", "signup", "subscribe", "email-capture", "mailing-list", "club"),
    "footer": ("site-footer", "footer", "page-footer", "bottom", "colophon"),
    "cookie": ("cookie-banner", "consent", "cookie-notice", "gdpr-banner", "privacy-bar"),
    "below": ("notice", "info-box", "message", "callout", "note", "strip"),
    "top": ("top-area", "page-top", "pre-header", "top-row"),
}
_ELEMENTS = {
    "text": ("text", "message", "msg", "inner", "content", "copy", "label"),
    "item": ("item", "slide", "message", "entry", "cell"),
    "track": ("track", "inner", "wrapper", "rail", "belt"),
    "title": ("title", "heading", "headline", "h"),
    "sub": ("subtitle", "sub", "lede", "text", "copy"),
    "cta": ("cta", "button", "link", "btn", "action"),
    "box": ("box", "panel", "body", "container", "content"),
    "close": ("close", "dismiss", "x", "close-btn"),
    "logo": ("logo", "brand", "wordmark"),
    "link": ("link", "item", "entry"),
    "name": ("name", "title", "heading"),
    "badge": ("badge", "flag", "label", "tag", "sticker"),
    "price": ("price", "amount", "cost", "now"),
    "old": ("price--compare", "was", "compare-at", "strike", "old-price", "regular"),
    "button": ("button", "btn", "submit", "cta"),
    "line": ("line", "row", "item", "note"),
    "card": ("card", "post", "teaser", "entry"),
}
_TAILWIND = {
    "bar": "w-full bg-neutral-900 text-white text-center text-xs tracking-wide py-2 px-4",
    "ticker": "relative flex overflow-x-hidden bg-black text-white text-sm py-1.5",
    "hero": "relative isolate overflow-hidden bg-stone-100 px-6 py-24 sm:py-32 lg:px-8",
    "media": "block w-full h-auto",
    "modal": "fixed inset-0 z-50 flex items-center justify-center bg-black/50",
    "strip": "hidden md:flex justify-center text-[11px] uppercase tracking-widest py-1 border-b",
    "header": "sticky top-0 z-40 bg-white/90 backdrop-blur border-b",
    "nav": "hidden lg:flex gap-x-8 text-sm font-medium",
    "usp": "grid grid-cols-1 md:grid-cols-3 gap-4 text-center text-sm py-4",
    "main": "mx-auto max-w-7xl px-4 sm:px-6 lg:px-8",
    "grid": "grid grid-cols-2 gap-x-4 gap-y-10 lg:grid-cols-4",
    "card": "group relative flex flex-col",
    "blog": "grid gap-8 md:grid-cols-3 py-16",
    "newsletter": "bg-stone-50 py-16 text-center",
    "footer": "bg-neutral-950 text-neutral-400 text-sm py-12",
    "cookie": "fixed bottom-4 inset-x-4 z-50 rounded-lg bg-white shadow-xl p-4 text-sm",
    "below": "rounded-md bg-amber-50 p-4 text-sm text-amber-900",
}
_TAILWIND_ELEMENTS = {
    "text": "font-medium",
    "item": "mx-8 shrink-0",
    "track": "animate-marquee whitespace-nowrap",
    "title": "text-4xl font-bold tracking-tight sm:text-6xl",
    "sub": "mt-6 text-lg leading-8 text-gray-600",
    "cta": "mt-10 inline-flex rounded-md bg-black px-3.5 py-2.5 text-sm font-semibold text-white",
    "box": "relative w-full max-w-md rounded-2xl bg-white p-8 shadow-2xl",
    "close": "absolute right-3 top-3 text-gray-400",
    "logo": "text-xl font-semibold",
    "link": "hover:underline",
    "name": "mt-4 text-sm text-gray-700",
    "badge": "absolute left-2 top-2 rounded bg-red-600 px-1.5 text-xs font-bold text-white",
    "price": "text-sm font-semibold text-gray-900",
    "old": "ml-2 text-xs text-gray-500 line-through",
    "button": "rounded bg-black px-4 py-2 text-white",
    "line": "py-1",
    "card": "flex flex-col gap-2",
}
_BOOTSTRAP = {
    "bar": "bg-dark text-white text-center small py-1",
    "ticker": "d-flex overflow-hidden bg-body-tertiary small",
    "hero": "p-5 mb-4 bg-body-tertiary rounded-3",
    "media": "img-fluid w-100",
    "modal": "modal d-block",
    "strip": "container d-none d-md-block text-center small",
    "header": "navbar navbar-expand-lg bg-white border-bottom",
    "nav": "navbar-nav me-auto",
    "usp": "row text-center small py-3",
    "main": "container",
    "grid": "row row-cols-2 row-cols-md-4 g-3",
    "card": "col card h-100 border-0",
    "blog": "row g-4 py-5",
    "newsletter": "py-5 text-center bg-light",
    "footer": "py-5 bg-dark text-white-50 small",
    "cookie": "position-fixed bottom-0 start-0 end-0 bg-white border-top p-3 small",
    "below": "alert alert-light mb-0",
}
_BOOTSTRAP_ELEMENTS = {
    "text": "mb-0",
    "item": "px-4 text-nowrap",
    "track": "d-flex",
    "title": "display-5 fw-bold",
    "sub": "fs-5 col-md-8",
    "cta": "btn btn-dark btn-lg",
    "box": "modal-dialog modal-dialog-centered",
    "close": "btn-close",
    "logo": "navbar-brand",
    "link": "nav-link",
    "name": "card-title h6",
    "badge": "badge bg-danger position-absolute",
    "price": "fw-bold",
    "old": "text-muted text-decoration-line-through ms-1",
    "button": "btn btn-outline-dark",
    "line": "mb-1",
    "card": "col-md-4",
}


class _Namer:
    """Class names for one page in one naming scheme; a role keeps its name within the page, as in CSS."""

    def __init__(self, scheme: str, rng: random.Random) -> None:
        self._scheme = scheme
        self._rng = rng
        self._names: dict[str, str] = {}
        self._prefix = rng.choice(("", "", "", "site-", "s-", "x-"))
        self._cssinjs = rng.choice(("emotion", "styled", "jss"))

    def __call__(self, role: str) -> str:
        """The class="..." attribute (with its leading space) for `role` ("bar" or "bar.text")."""
        if role not in self._names:
            self._names[role] = self._name(role)
        return f' class="{self._names[role]}"'

    def _name(self, role: str) -> str:
        group, _, element = role.partition(".")
        rng = self._rng
        if self._scheme == "cssinjs":
            return self._obfuscated()
        if self._scheme == "tailwind":
            return _TAILWIND_ELEMENTS[element] if element else _TAILWIND[group]
        if self._scheme == "bootstrap":
            return _BOOTSTRAP_ELEMENTS[element] if element else _BOOTSTRAP[group]
        if element:
            block, part = self._block(group), rng.choice(_ELEMENTS[element])
            if self._scheme == "semantic":
                return rng.choice((f"{block}-{part}", part))
            if self._scheme == "bem":
                return f"{block}__{part}"
            if self._scheme == "modules":
                return f"{block.split('_')[0]}_{part.replace('-', '_')}__{self._token(5)}"
            return block + _pascal(part)
        base = rng.choice(_SYNONYMS[group])
        if self._scheme == "semantic":
            return self._prefix + base
        if self._scheme == "bem":
            block = f"{rng.choice(('c-', 'b-', 'o-', ''))}{base}"
            modifier = rng.choice(("dark", "sticky", "home", "v2"))
            return f"{block} {block}--{modifier}" if rng.random() < 0.3 else block
        if self._scheme == "modules":
            return f"{_pascal(base)}_root__{self._token(5)}"
        first, *rest = base.split("-")  # legacy: camelCase
        return first + _pascal("-".join(rest))

    def _block(self, group: str) -> str:
        """The first class name of the group's element, which its children's names build on."""
        self(group)
        return self._names[group].split()[0]

    def _obfuscated(self) -> str:
        if self._cssinjs == "emotion":
            return f"css-{self._token(6).lower()} e{self._token(7).lower()}{self._rng.randint(0, 9)}"
        if self._cssinjs == "styled":
            return f"sc-{self._token(6)} {self._token(6)}"
        return f"jss{self._rng.randint(10, 999)}"

    def _token(self, size: int) -> str:
        return "".join(self._rng.choice(_TOKEN_CHARACTERS) for _ in range(size))


def _pascal(words: str) -> str:
    return "".join(part.title() for part in re.split(r"[-_]+", words) if part)


# ---------------------------------------------------------------------------------------------- pages


@dataclass(slots=True)
class _Plan:
    """What goes on one page."""

    number: int
    lang: str
    positive: bool
    skeleton: _Skeleton
    placement: str
    store: str
    banner: Phrase | None  # None: the banner slot holds neutral chrome copy
    menu: Phrase | None
    extras: list[tuple[str, Phrase]] = field(default_factory=list)  # (slot, phrase)
    second_lang: str | None = None

    @property
    def phrases(self) -> list[Phrase]:
        placed = [self.banner, self.menu, *(phrase for _, phrase in self.extras)]
        return [phrase for phrase in placed if phrase is not None]


class _PageWriter:
    """Renders one _Plan as an HTML home page."""

    def __init__(self, plan: _Plan, rng: random.Random) -> None:
        self.plan = plan
        self.rng = rng
        self.ui = _CHROME[plan.lang]
        self.name = _Namer(plan.skeleton.scheme, rng)
        self.structure = plan.skeleton.structure
        self.slug = re.sub(r"[^a-z0-9]+", "", plan.store.lower().replace("ü", "ue"))
        self.by_slot: dict[str, list[str]] = {}
        for slot, phrase in plan.extras:
            self.by_slot.setdefault(slot, []).append(escape(phrase.text))

    @property
    def url(self) -> str:
        return f"https://www.{self.slug}.{self.ui.tld}/"

    def render(self) -> str:
        """The whole page."""
        plan, rng = self.plan, self.rng
        banner = escape(plan.banner.text if plan.banner else rng.choice(self.ui.heroes)[0])
        slot, banner_html = self._banner(plan.placement, banner)
        top = banner_html if slot == "top" else ""
        hero = banner_html if slot == "hero" else self._neutral_hero()
        floating = banner_html if slot == "floating" else ""
        sections = [
            ("top", top),
            ("header", self._header(banner_html if slot == "header" else "")),
            ("usp", self._usp()),
            ("hero", hero + self._below_hero()),
            ("grid", self._grid()),
            ("blog", self._blog()),
            ("newsletter", self._newsletter()),
            ("footer", self._footer()),
        ]
        if self.structure == "tables":
            rows = "".join(
                f"<tr><td{self.name(kind)}>{inner}</td></tr>\n" for kind, inner in sections if inner
            )
            body = f'<table width="100%" cellpadding="0" cellspacing="0" border="0">\n{rows}</table>'
        else:
            body = "\n".join(inner for _, inner in sections if inner)
            if self.structure == "divs":
                body = f'<div id="{rng.choice(("__next", "app", "root", "__nuxt"))}">{body}</div>'
        body += floating + self._cookie()
        return (
            f'<!doctype html>\n<html lang="{plan.lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(plan.store)}</title>"
            f'<link rel="stylesheet" href="/assets/app.{self._hex(8)}.css">'
            f"<style>.c{self._hex(6)}{{display:flex;gap:8px}}</style></head>\n"
            f"<body>\n{body}\n"
            f'<script src="/assets/app.{self._hex(8)}.js" defer></script>'
            f"<script>window.dataLayer=window.dataLayer||[];dataLayer.push({{page:'home'}});</script>\n"
            f"</body></html>\n"
        )

    def _hex(self, size: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(size))

    def _box(self, tag: str, role: str, inner: str) -> str:
        """A sectioning element: semantic tags where the skeleton uses them, a div otherwise."""
        tag = tag if self.structure == "semantic" else "div"
        return f"<{tag}{self.name(role)}>{inner}</{tag}>"

    # -- banner placements

    def _banner(self, placement: str, text: str) -> tuple[str, str]:
        """(slot, html) of the banner: slot is top, header, hero or floating."""
        rng, name, ui = self.rng, self.name, self.ui
        cta, close = escape(ui.cta), escape(ui.close)
        if placement == "announcement_bar":
            inner = rng.choice(
                (
                    f"<p{name('bar.text')}>{text}</p>",
                    f'<a{name("bar.text")} href="/collections/all">{text}</a>',
                    f'<span{name("bar.text")}>{text}</span> <a href="/collections/all">{cta} →</a>',
                    f'<p{name("bar.text")}>{text}</p><button type="button" aria-label="{close}">×</button>',
                )
            )
            return "top", f"<div{name('bar')}>{inner}</div>"
        if placement == "ticker":
            messages = rng.sample(ui.ticker, rng.randint(2, 4))
            messages.insert(rng.randint(0, len(messages)), text)
            if self.structure == "tables":
                return "top", f'<marquee scrollamount="4">{" &nbsp;•&nbsp; ".join(messages)}</marquee>'
            items = "".join(f"<span{name('ticker.item')}>{m}</span>" for m in messages)
            track = f"<div{name('ticker.track')}>{items}</div>"
            if rng.random() < 0.5:  # seamless marquees repeat their track for screen readers to skip
                track += f'<div{name("ticker.track")} aria-hidden="true">{items}</div>'
            return "top", f"<div{name('ticker')}>{track}</div>"
        if placement == "hero":
            title, sub = rng.choice(ui.heroes)
            heading = rng.choice(("h1", "h2")) if self.structure != "divs" else "div"
            if rng.random() < 0.6:
                title, sub = text, escape(sub)
            else:
                title, sub = escape(title), text
            inner = (
                f"<{heading}{name('hero.title')}>{title}</{heading}><p{name('hero.sub')}>{sub}</p>"
                f'<a{name("hero.cta")} href="/collections/all">{cta}</a>'
            )
            return "hero", self._box("section", "hero", inner)
        if placement == "modal":
            tag = rng.choice(("p", "h2", "div"))
            inner = (
                f'<button type="button"{name("modal.close")} aria-label="{close}">×</button>'
                f"<{tag}{name('modal.title')}>{text}</{tag}>"
                f'<a{name("modal.cta")} href="/collections/all">{cta}</a>'
            )
            inner = f"<div{name('modal.box')}>{inner}</div>"
            opener = rng.choice(
                (
                    f"<dialog open{name('modal')}>",
                    f'<div role="dialog" aria-modal="true"{name("modal")}>',
                    f"<div{name('modal')}>",
                )
            )
            closer = "</dialog>" if opener.startswith("<dialog") else "</div>"
            return "floating", f"{opener}{inner}{closer}"
        if placement == "image_alt":
            src = f"https://cdn.{self.slug}.{self.ui.tld}/files/hp_{self._hex(10)}.jpg"
            height = rng.choice((400, 500, 640))
            img = f'<img{name("media")} src="{src}" alt="{text}" width="1600" height="{height}">'
            if rng.random() < 0.5:
                img = f'<picture><source media="(max-width: 767px)" srcset="{src}?w=750">{img}</picture>'
            return "hero", f'<a href="/collections/all">{img}</a>'
        if placement == "header_strip":
            return "header", f"<div{name('strip')}><span{name('strip.text')}>{text}</span></div>"
        # top_div: a bare div at the very top, named by a scheme of its own (CSS-in-JS, utilities or BEM)
        scheme = rng.choice(("cssinjs", "cssinjs", "tailwind", "bem"))
        return "top", f"<div{_Namer(scheme, rng)('bar')}>{text}</div>"

    # -- chrome and distractors

    def _header(self, strip: str) -> str:
        name, ui, rng = self.name, self.ui, self.rng
        links = [*ui.nav]
        if self.plan.menu is not None:
            links.insert(rng.randint(len(links) - 1, len(links)), self.plan.menu.text)
        anchors = "".join(
            f'<a{name("nav.link")} href="/{self._path(link)}">{escape(link)}</a>' for link in links
        )
        nav = self._box("nav", "nav", anchors)
        logo = f'<a{name("header.logo")} href="/">{escape(self.plan.store)}</a>'
        search = f'<input type="search" placeholder="{escape(ui.search)}" aria-label="{escape(ui.search)}">'
        return self._box("header", "header", f"{strip}<div>{logo}{nav}{search}</div>")

    def _path(self, text: str) -> str:
        return re.sub(r"\W+", "-", text.lower()).strip("-") or "sale"

    def _usp(self) -> str:
        own = self.by_slot.get("usp", [])
        if not own and self.rng.random() < 0.5:
            return ""
        items = [escape(m) for m in self.rng.sample(self.ui.ticker, 2)] + own
        self.rng.shuffle(items)
        return self._box("section", "usp", "".join(f"<div{self.name('usp.item')}>{i}</div>" for i in items))

    def _neutral_hero(self) -> str:
        title, sub = self.rng.choice(self.ui.heroes)
        heading = "h1" if self.structure != "divs" else "div"
        inner = (
            f"<{heading}{self.name('hero.title')}>{escape(title)}</{heading}>"
            f"<p{self.name('hero.sub')}>{escape(sub)}</p>"
            f'<a{self.name("hero.cta")} href="/collections/new">{escape(self.ui.cta)}</a>'
        )
        return self._box("section", "hero", inner)

    def _below_hero(self) -> str:
        return "".join(
            f"<div{self.name('below')}><p>{text}</p></div>" for text in self.by_slot.get("below_hero", [])
        )

    def _grid(self) -> str:
        rng, ui, name = self.rng, self.ui, self.name
        names = rng.sample(ui.products, rng.randint(4, 8))
        own = self.by_slot.get("card", [])
        notes = dict(zip(rng.sample(range(len(names)), min(len(own), len(names))), own, strict=False))
        cards = []
        low, high = ui.price_range
        for index, product in enumerate(names):
            price = rng.randint(low, high) + (rng.choice((0.0, 0.95, 0.99)) if ui.money[2] else 0)
            badge, old = "", ""
            if rng.random() < 0.45:
                pct = rng.choice(_BADGE_PERCENTS)
                old = f" <s{name('card.old')}>{escape(_money(ui, price))}</s>"
                price = round(price * (100 - pct) / 100, ui.money[2])
                badge = f"<span{name('card.badge')}>{escape(_badge(ui, pct))}</span>"
            note = ""
            if index in notes and rng.random() < 0.5:  # a product phrase as the card's badge
                badge = f"<span{name('card.badge')}>{notes[index]}</span>"
            elif index in notes:
                note = f"<p{name('card.line')}>{notes[index]}</p>"
            inner = (
                f'<a href="/products/{self._path(product)}">'
                f'<img src="/media/p{index}.jpg" alt="{escape(product)}"></a>'
                f"{badge}<h3{name('card.name')}>{escape(product)}</h3>{note}"
                f"<span{name('card.price')}>{escape(_money(ui, price))}</span>{old}"
                f'<button type="button"{name("card.button")}>{escape(ui.add_to_cart)}</button>'
            )
            tag = "li" if self.structure == "semantic" else "div"
            cards.append(f"<{tag}{name('card')}>{inner}</{tag}>")
        heading = escape(rng.choice(ui.sections))
        listing = "".join(cards)
        listing = (
            f"<ul{name('grid')}>{listing}</ul>"
            if self.structure == "semantic"
            else f"<div{name('grid')}>{listing}</div>"
        )
        return self._box("section", "main", f"<h2{name('grid.title')}>{heading}</h2>{listing}")

    def _blog(self) -> str:
        heading, posts = self.ui.blog
        entries = [
            f"<h3>{escape(title)}</h3><p>{escape(text)}</p>" for title, text in self.rng.sample(posts, 2)
        ]
        entries += [f"<p>{text}</p>" for text in self.by_slot.get("blog", [])]
        self.rng.shuffle(entries)
        cards = "".join(self._box("article", "blog.card", entry) for entry in entries)
        return self._box("section", "blog", f"<h2>{escape(heading)}</h2>{cards}")

    def _newsletter(self) -> str:
        heading, text, button, placeholder = self.ui.newsletter
        own = self.by_slot.get("newsletter")
        copy = " ".join(own) if own else escape(text)
        form = (
            f'<form action="/subscribe" method="post">'
            f'<input type="email" placeholder="{escape(placeholder)}">'
            f"<button{self.name('newsletter.button')}>{escape(button)}</button></form>"
        )
        return self._box("section", "newsletter", f"<h2>{escape(heading)}</h2><p>{copy}</p>{form}")

    def _footer(self) -> str:
        lines = [escape(line) for line in self.ui.footer] + self.by_slot.get("footer", [])
        items = "".join(f"<li{self.name('footer.line')}>{line}</li>" for line in lines)
        return self._box("footer", "footer", f"<ul>{items}</ul><p>© 2024 {escape(self.plan.store)}</p>")

    def _cookie(self) -> str:
        ui = _CHROME[self.plan.second_lang] if self.plan.second_lang else self.ui
        text, accept = ui.cookie
        ident = self.rng.choice((' id="cookie-consent"', ' id="onetrust-banner-sdk"', ' role="region"', ""))
        return (
            f"<div{self.name('cookie')}{ident}><p>{escape(text)}</p><button>{escape(accept)}</button></div>"
        )


# ---------------------------------------------------------------------------------------------- corpus


def build_corpus(
    out_dir: Path,
    *,
    seed: int = 7,
    pages: int = 6000,
    test_share: float = 0.25,
    progress: bool = False,
    phrases_dir: Path = PHRASES_DIR,
) -> CorpusSummary:
    """Render the phrases into `pages` labelled home pages under OUT/train and OUT/test."""
    if not 2 <= pages <= 99_999:
        raise InvalidInput(f"pages must be between 2 and 99999, not {pages}")
    if not 0.0 < test_share < 1.0:
        raise InvalidInput(f"test_share must be between 0 and 1 (exclusive), not {test_share}")
    rng = random.Random(seed)
    phrases = load_phrases(phrases_dir)
    by_split: dict[str, list[Phrase]] = {"train": [], "test": []}
    for phrase in phrases:
        by_split[phrase_split(phrase.text, test_share)].append(phrase)
    decks = {split: _Decks.of(items, rng) for split, items in by_split.items()}
    test_pages = min(max(1, round(pages * test_share)), pages - 1)
    counts = {"train": pages - test_pages, "test": test_pages}
    summaries = {}
    for split in ("train", "test"):
        directory = out_dir / split / "pages"
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.iterdir():
            if _PAGE_FILE.fullmatch(stale.name):
                stale.unlink()
    plans: dict[str, list[tuple[_Plan, str]]] = {"train": [], "test": []}
    for index in track(range(pages), description="Rendering pages", disable=not progress):
        split = "train" if index < counts["train"] else "test"
        number = index if split == "train" else index - counts["train"]
        plan = _plan(split, number, decks[split], rng)
        writer = _PageWriter(plan, rng)
        (out_dir / split / "pages" / f"{number:05d}.html").write_bytes(writer.render().encode("utf-8"))
        plans[split].append((plan, writer.url))
    for split in ("train", "test"):
        _write_labels(out_dir / split, plans[split])
        summaries[split] = _summary([plan for plan, _ in plans[split]], by_split[split])
    return CorpusSummary(out_dir=out_dir, train=summaries["train"], test=summaries["test"])


def _plan(split: str, number: int, decks: _Decks, rng: random.Random) -> _Plan:
    positive = rng.random() < _POSITIVE_SHARE
    banners = decks.positive if positive else decks.banner_negative
    languages = [(lang, w) for lang, w in zip(LANGUAGES, _LANGUAGE_WEIGHTS, strict=True) if banners[lang]]
    if not languages:
        raise InvalidInput(f"the {split} split has no {'positive' if positive else 'negative'} phrases")
    lang = rng.choices([lang for lang, _ in languages], [w for _, w in languages])[0]
    skeletons = [s for s in SKELETONS if s.test_only] if split == "test" else []
    if not skeletons or rng.random() >= _TEST_ONLY_SKELETON_SHARE:
        skeletons = [s for s in SKELETONS if not s.test_only]
    neutral = not positive and rng.random() < _NEUTRAL_BANNER_SHARE
    menu = decks.menu[lang] or decks.menu["en"]  # stores everywhere label their sale link in English too
    plan = _Plan(
        number=number,
        lang=lang,
        positive=positive,
        skeleton=rng.choice(skeletons),
        placement=rng.choice(PLACEMENTS),
        store=rng.choice(_STORES),
        banner=None if neutral else banners[lang].deal(),
        menu=menu.deal() if menu else None,
    )
    extras = decks.extra_safe if positive else decks.extra_any
    for _ in range(rng.randint(1, 3)):
        _add_distractor(plan, extras[lang], rng)
    if rng.random() < _SECOND_LANGUAGE_SHARE:
        plan.second_lang = rng.choice([other for other in LANGUAGES if other != lang])
        _add_distractor(plan, extras[plan.second_lang], rng)
    return plan


def _add_distractor(plan: _Plan, deck: _Deck, rng: random.Random) -> None:
    """One more negative phrase, in a slot where such text lives on a real page."""
    if deck:
        phrase = deck.deal()
        slots = _EXTRA_SLOTS[phrase.why] if phrase.why else ("footer",)
        plan.extras.append((rng.choice(slots), phrase))


def _write_labels(directory: Path, plans: list[tuple[_Plan, str]]) -> None:
    lines = []
    for plan, url in plans:
        record = {
            "file": f"pages/{plan.number:05d}.html",
            "url": url,
            "has_promotion": plan.positive,
            "promotion_type": plan.banner.promotion_type if plan.positive and plan.banner else None,
            "promotion_text": plan.banner.text if plan.positive and plan.banner else None,
            "lang": plan.lang,
            "layout": plan.skeleton.name,
            "placement": plan.placement,
            "second_lang": plan.second_lang,
            "phrases": [phrase.text for phrase in plan.phrases],
        }
        lines.append(json.dumps(record, ensure_ascii=False))
    (directory / LABELS_FILE).write_bytes(("\n".join(lines) + "\n").encode("utf-8"))


def _summary(plans: list[_Plan], phrases: list[Phrase]) -> SplitSummary:
    total = Tally()
    languages = {lang: Tally() for lang in LANGUAGES}
    layouts: dict[str, int] = {}
    used: dict[str, None] = {}
    for plan in plans:
        total.add(plan.positive)
        languages[plan.lang].add(plan.positive)
        layouts[plan.skeleton.name] = layouts.get(plan.skeleton.name, 0) + 1
        used.update(dict.fromkeys(phrase.text for phrase in plan.phrases))
    distinct = {phrase.text for phrase in phrases}
    return SplitSummary(
        total=total,
        languages={lang: tally for lang, tally in languages.items() if tally.pages},
        layouts=dict(sorted(layouts.items())),
        phrases=len(distinct),
        phrases_used=len(used),
    )
