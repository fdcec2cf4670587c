"""The sandbox world: stores, their hidden sale calendars, the truth per day and the pages they serve."""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from dealwatch.sandbox.catalog import CATEGORIES, Product, build_catalog, store_name
from dealwatch.sandbox.faults import FAULT_MODES, Fault
from dealwatch.sandbox.pages import (
    TEMPLATE_NAMES,
    TEMPLATES,
    Message,
    render_home,
    render_product,
    render_sale_page,
)
from dealwatch.sandbox.phrasing import LOCALES, Locale
from dealwatch.sandbox.sale_calendar import (
    Notice,
    SaleEvent,
    StoreCalendar,
    generate_calendar,
    pick_archetype,
)

COUNTRY_WEIGHTS = {"US": 55, "UK": 15, "DE": 10, "FR": 10, "ES": 10}
# the script-inserted banner is rarer: only a browser sees it as text
TEMPLATE_WEIGHTS = {name: 0.5 if name == "script_notice" else 1.0 for name in TEMPLATE_NAMES}
CATALOG_SIZE = 60


@dataclass(frozen=True, slots=True)
class SandboxStore:
    """A simulated e-commerce store.

    `selectors` is what a user would configure for it ({"banner": css}), empty for about half the
    stores; `archetype` names its sales habit; `newsletter_popup` and `planted_injection` are page traits.
    """

    slug: str
    name: str
    category: str
    country: str
    currency: str
    language: str
    template: str
    selectors: dict[str, str]
    robots_txt: str
    archetype: str
    newsletter_popup: bool = False
    planted_injection: bool = False


@dataclass(frozen=True, slots=True)
class TruthDay:
    """The hidden answer for one store and day; `promotion_text` is the exact banner text on the page."""

    has_promotion: bool
    promotion_type: str | None = None
    promotion_text: str | None = None
    discount_pct: int | None = None


def _slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def _robots_txt(crawl_delay: bool) -> str:
    lines = ["User-agent: *", "Disallow: /cart", "Disallow: /checkout", "Disallow: /account", "Allow: /"]
    if crawl_delay:
        lines.append("Crawl-delay: 1")
    return "\n".join(lines) + "\n"


@dataclass(slots=True)
class _StoreState:
    store: SandboxStore
    locale: Locale
    calendar: StoreCalendar
    catalog: list[Product]
    products: dict[int, Product] = field(default_factory=dict)


class SandboxWorld:
    """A deterministic set of stores over a window of days; built by `SandboxWorld.generate`.

    Some stores may start in a fault mode (see `dealwatch.sandbox.faults`); faults change how a store
    answers, never its truth: the truth is what a browser that gets through would see.
    """

    def __init__(
        self,
        seed: int,
        start: date,
        days: int,
        states: list[_StoreState],
        faults: Mapping[str, str | Fault] | None = None,
    ) -> None:
        self.seed, self.start, self.days = seed, start, days
        self._states = {state.store.slug: state for state in states}
        self.stores: list[SandboxStore] = [state.store for state in states]
        self._faults = self._check_faults(faults or {})

    @classmethod
    def generate(
        cls,
        n_stores: int = 30,
        seed: int = 7,
        start: date = date(2025, 1, 1),
        days: int = 365,
        faults: Mapping[str, str] | None = None,
        fault_share: float = 0.0,
    ) -> SandboxWorld:
        """Build `n_stores` stores with calendars over `days` days from `start`, all from `seed`.

        `fault_share` of the stores (drawn from `seed`) start in a fault mode drawn uniformly with its
        default parameters; `faults` ({slug: "mode[:params]"}) sets modes explicitly and wins over the draw.
        Neither changes the stores, their calendars or their pages.
        """
        if n_stores < 1 or days < 1:
            raise ValueError(f"need at least one store and one day, got n_stores={n_stores}, days={days}")
        if not 0.0 <= fault_share <= 1.0:
            raise ValueError(f"fault_share must be within 0..1, got {fault_share}")
        rng = random.Random(f"{seed}:stores")
        last = start + timedelta(days=days - 1)
        templates = rng.sample(TEMPLATE_NAMES, len(TEMPLATE_NAMES))  # every template shows up early
        states: list[_StoreState] = []
        slugs: set[str] = set()
        for i in range(n_stores):
            country = rng.choices(list(COUNTRY_WEIGHTS), weights=list(COUNTRY_WEIGHTS.values()))[0]
            locale = LOCALES[country]
            category = rng.choice(list(CATEGORIES))
            name = store_name(rng, locale.language)
            while _slugify(name) in slugs:  # small name pools: redraw, then number the name
                name = (
                    store_name(rng, locale.language) if rng.random() < 0.8 else f"{name} {rng.randint(2, 99)}"
                )
            slug = _slugify(name)
            slugs.add(slug)
            template = (
                templates[i]
                if i < len(templates)
                else rng.choices(TEMPLATE_NAMES, weights=[TEMPLATE_WEIGHTS[t] for t in TEMPLATE_NAMES])[0]
            )
            archetype = pick_archetype(rng)
            store = SandboxStore(
                slug=slug,
                name=name,
                category=category,
                country=country,
                currency=locale.currency,
                language=locale.language,
                template=template,
                selectors={"banner": TEMPLATES[template].selector} if rng.random() < 0.5 else {},
                robots_txt=_robots_txt(crawl_delay=rng.random() < 0.1),
                archetype=archetype.name,
                newsletter_popup=rng.random() < 0.4,
                planted_injection=rng.random() < 0.1,
            )
            store_rng = random.Random(f"{seed}:{slug}:calendar")
            calendar = generate_calendar(store_rng, locale, category, archetype, start, last)
            catalog = build_catalog(random.Random(f"{seed}:{slug}:catalog"), category, CATALOG_SIZE)
            products = {p.product_id: p for p in catalog}
            states.append(_StoreState(store, locale, calendar, catalog, products))
        # a stream of its own, so adding faults leaves every store, calendar and page as it was
        fault_rng = random.Random(f"{seed}:faults")
        drawn = fault_rng.sample(states, round(fault_share * len(states)))
        chosen: dict[str, str | Fault] = {s.store.slug: fault_rng.choice(FAULT_MODES) for s in drawn}
        chosen.update(faults or {})
        return cls(seed, start, days, states, chosen)

    def with_faults(self, faults: Mapping[str, str | Fault]) -> SandboxWorld:
        """The same stores and calendars with exactly `faults` ({slug: "mode[:params]"}) as fault modes."""
        return SandboxWorld(self.seed, self.start, self.days, list(self._states.values()), faults)

    def _check_faults(self, faults: Mapping[str, str | Fault]) -> dict[str, Fault]:
        checked: dict[str, Fault] = {}
        for slug, spec in faults.items():
            self._state(slug)
            try:
                checked[slug] = spec if isinstance(spec, Fault) else Fault.parse(spec)
            except ValueError as exc:
                raise ValueError(f"store {slug!r}: {exc}") from None
        return checked

    @property
    def faults(self) -> dict[str, Fault]:
        """The fault mode each faulty store starts in (stores not listed answer normally)."""
        return dict(self._faults)

    @property
    def end(self) -> date:
        """The window's last day (inclusive)."""
        return self.start + timedelta(days=self.days - 1)

    def _state(self, slug: str) -> _StoreState:
        try:
            return self._states[slug]
        except KeyError:
            raise KeyError(f"unknown sandbox store {slug!r}") from None

    def store(self, slug: str) -> SandboxStore:
        """The store named `slug`."""
        return self._state(slug).store

    def calendar(self, slug: str) -> list[SaleEvent]:
        """The store's hidden sale events in the window, sorted and non-overlapping."""
        return list(self._state(slug).calendar.events)

    def truth(self, slug: str, day: date) -> TruthDay:
        """Whether a store-wide sale is shown on the store's home page on `day`, and which."""
        event = self._state(slug).calendar.event_on(day)
        if event is None:
            return TruthDay(has_promotion=False)
        return TruthDay(True, event.promotion_type, event.text_on(day), event.discount_pct)

    def notice(self, slug: str, day: date) -> Notice | None:
        """The off-sale teaser or "sale has ended" note shown on `day`, if any (never a promotion)."""
        return self._state(slug).calendar.notices.get(day)

    def banner(self, slug: str, day: date) -> Message | None:
        """What the store's banner area says on `day`: a live sale, a teaser, an "ended" note or nothing."""
        return self._message(self._state(slug), day)

    def _message(self, state: _StoreState, day: date) -> Message | None:
        event = state.calendar.event_on(day)
        if event is not None:
            return Message("sale", event.text_on(day))
        notice = state.calendar.notices.get(day)
        return Message(notice.kind, notice.text) if notice else None

    def render(self, slug: str, day: date) -> str:
        """The full HTML of the store's home page on `day` (deterministic)."""
        state = self._state(slug)
        return render_home(
            state.store, state.locale, state.catalog, day, self._message(state, day), self.seed
        )

    def render_path(self, slug: str, day: date, path: str, client_banner: bool = False) -> str | None:
        """The HTML of any page the store serves at `path` on `day`, or None when it has no such page.

        With `client_banner` (the `js_only` fault) the banner is drawn by a script from /api/banner and
        the HTML holds no banner text at all.
        """
        state = self._state(slug)
        message = self._message(state, day)
        page = (state.store, state.locale, state.catalog, day, message, self.seed)
        if path == "/":
            return render_home(*page, client_banner=client_banner)
        if path in ("/sale", "/sale/"):
            return render_sale_page(*page, client_banner=client_banner)
        match = re.fullmatch(r"/products/(\d{1,9})", path)
        product = state.products.get(int(match.group(1))) if match else None
        if product is None:
            return None
        return render_product(*page, product, client_banner=client_banner)

    def product_ids(self, slug: str) -> list[int]:
        """Ids of the store's catalog products (served at /products/<id>)."""
        return [p.product_id for p in self._state(slug).catalog]
