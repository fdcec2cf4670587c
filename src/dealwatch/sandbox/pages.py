"""Store page templates: seven storefront designs that each show the day's banner in their own place.

Every page carries the same distractors whatever the day (product discount badges, a "Sale" menu
link, standing policies, cookie banner, newsletter sign-up offer, loyalty points); only the
template's banner area says whether a store-wide sale is on (see LABELS.md).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING, Literal

from dealwatch.sandbox.catalog import Product, markdown
from dealwatch.sandbox.phrasing import INJECTION_REVIEW, UI, Locale

if TYPE_CHECKING:
    from dealwatch.sandbox.world import SandboxStore


@dataclass(frozen=True, slots=True)
class Message:
    """What a store's banner area says on a day: a live sale, a teaser or a "sale has ended" note."""

    kind: Literal["sale", "teaser", "ended"]
    text: str


@dataclass(slots=True)
class Slots:
    """HTML a template puts around the shared page skeleton."""

    top: str = ""  # first thing in <body>, above the header
    hero: str = ""  # first thing in <main> (home page only)
    floating: str = ""  # end of <body>: dialogs, ribbons, scripts


@dataclass(frozen=True, slots=True)
class PageContext:
    """Everything one page render needs."""

    store: SandboxStore
    locale: Locale
    catalog: list[Product]
    day: date
    rng: random.Random
    message: Message | None
    token: str  # per-store hash, used by templates with generated class names
    client_banner: bool = False  # the banner is fetched and drawn by script; the HTML never holds it

    def t(self, key: str) -> str:
        """A piece of standing copy in the store's language."""
        value = UI[self.locale.language][key]
        assert isinstance(value, str)
        return value

    def ts(self, key: str) -> tuple[str, ...]:
        """A list of standing copy in the store's language."""
        value = UI[self.locale.language][key]
        assert isinstance(value, tuple)
        return value

    def season(self) -> str:
        """The season's name (northern hemisphere; Dec–Feb is winter)."""
        return self.ts("seasons")[((self.day.month % 12) // 3 - 1) % 4]

    def policy(self, index: int) -> str:
        """One of the store's standing policies ("Free shipping on orders over $50", ...)."""
        return self.ts("policies")[index].format(amount=self.locale.money(50))


@dataclass(frozen=True, slots=True)
class PageTemplate:
    """One storefront design: its DOM vocabulary, where its banner goes and the selector a user would set."""

    name: str
    classes: dict[str, str]
    banner: Callable[[PageContext], Slots]
    selector: str
    grid_tag: str = "div"
    card_tag: str = "div"
    old_price_tag: str = "s"
    badge: Literal["pct", "sale", "save"] = "pct"
    json_ld: bool = False
    css: str = ""
    layout_css: bool = True  # False for utility-class designs, whose class names are their own CSS

    def c(self, key: str, ctx: PageContext) -> str:
        """The class attribute this design gives to part `key` of the page."""
        return self.classes[key].replace("{h}", ctx.token)


def _e(text: str) -> str:
    return escape(text, quote=True)


def _script_json(value: object) -> str:
    """JSON safe to embed in a <script> element."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


# ---- banner areas, one per template -------------------------------------------------------------


def _announcement_bar(ctx: PageContext) -> Slots:
    msg = ctx.message
    inner = (
        f'<a href="/sale" class="announcement-bar__link link">{_e(msg.text)}</a>'
        if msg
        else f"<span>{_e(ctx.policy(0))}</span>"
    )
    return Slots(
        top='<div class="announcement-bar" role="region" aria-label="Announcement"><div class="page-width">'
        f'<p class="announcement-bar__message h5">{inner}</p></div></div>'
    )


def _hero(ctx: PageContext) -> Slots:
    msg, h = ctx.message, ctx.token
    eyebrow = ctx.t("limited_time") if msg and msg.kind == "sale" else ctx.t("new_season")
    headline = msg.text if msg else ctx.rng.choice(ctx.ts("season_headlines")).format(season=ctx.season())
    return Slots(
        hero=f'<section class="HeroBanner_root__{h}" aria-label="Featured">'
        f'<picture class="HeroBanner_media__{h}">'
        f'<source srcset="/media/hero/{ctx.store.slug}-{ctx.day:%Y%m}.avif" '
        f'type="image/avif"><img src="/media/hero/{ctx.store.slug}-{ctx.day:%Y%m}.jpg" alt="" width="1920" '
        f'height="720" fetchpriority="high"></picture><div class="HeroBanner_content__{h}">'
        f'<p class="HeroBanner_eyebrow__{h}">{_e(eyebrow)}</p>'
        f'<h1 class="HeroBanner_headline__{h}">{_e(headline)}</h1>'
        f'<a class="Button_primary__{h}" href="{"/sale" if msg else "/collections/new"}">'
        f"{_e(ctx.t('shop_now'))}</a>"
        "</div></section>"
    )


def _modal(ctx: PageContext) -> Slots:
    msg = ctx.message
    if msg:
        body = (
            f'<h2 class="modal-title" id="campaignModalLabel">{_e(msg.text)}</h2>'
            f'<a class="btn btn-dark mt-3" href="/sale">{_e(ctx.t("shop_now"))}</a>'
        )
        modal_id, label = "campaignModal", "campaignModalLabel"
    else:
        body = (
            f'<h2 class="modal-title" id="newsletterModalLabel">{_e(ctx.t("newsletter_title"))}</h2>'
            f'<p>{_e(ctx.t("newsletter_body"))}</p><form action="/newsletter" method="post">'
            f'<input type="email" class="form-control" name="email" placeholder="{_e(ctx.t("email"))}">'
            f'<button class="btn btn-dark mt-2" type="submit">{_e(ctx.t("newsletter_button"))}</button>'
            "</form>"
        )
        modal_id, label = "newsletterModal", "newsletterModalLabel"
    return Slots(
        floating=f'<div class="modal fade show" id="{modal_id}" tabindex="-1" role="dialog" '
        f'aria-modal="true" aria-labelledby="{label}" style="display:block">'
        '<div class="modal-dialog modal-dialog-centered">'
        '<div class="modal-content"><button type="button" class="btn-close" data-bs-dismiss="modal" '
        f'aria-label="Close"></button><div class="modal-body text-center">{body}</div></div></div></div>'
        '<div class="modal-backdrop fade show"></div>'
    )


def _image_banner(ctx: PageContext) -> Slots:
    msg = ctx.message
    alt = msg.text if msg else ctx.rng.choice(ctx.ts("season_headlines")).format(season=ctx.season())
    number = ctx.rng.randrange(1, 40)
    return Slots(
        hero='<div class="widget block block-banners"><ul class="banner-items"><li class="banner-item">'
        f'<a class="banner-item-link" href="{"/sale" if msg else "/new"}"><img class="banner-image" '
        f'src="/media/wysiwyg/banners/{ctx.day:%Y%m%d}-{number}.jpg" alt="{_e(alt)}" width="1440" '
        'height="480" loading="eager"></a></li></ul></div>'
    )


def _side_ribbon(ctx: PageContext) -> Slots:
    msg = ctx.message
    if not msg:
        return Slots()
    return Slots(
        floating='<aside class="corner-ribbon corner-ribbon--right" role="complementary">'
        f'<a href="/sale" class="corner-ribbon__label">{_e(msg.text)}</a></aside>'
    )


def _ticker(ctx: PageContext) -> Slots:
    msg = ctx.message
    policies = [ctx.policy(0), ctx.policy(1), ctx.policy(3)]
    items = [msg.text, policies[0]] * 2 if msg else policies * 2
    # the second half repeats the first so the marquee loops seamlessly; screen readers skip it
    half, hidden = len(items) // 2, ' aria-hidden="true"'
    spans = "".join(
        f'<span class="inline-flex items-center gap-2"{hidden if i >= half else ""}>{_e(text)}</span>'
        for i, text in enumerate(items)
    )
    return Slots(
        top='<div class="relative overflow-hidden bg-neutral-900 text-white text-xs tracking-wide" '
        'data-component="ticker">'
        f'<div class="flex w-max animate-marquee gap-16 py-2 whitespace-nowrap">{spans}'
        "</div></div>"
    )


def _script_notice(ctx: PageContext) -> Slots:
    msg, h = ctx.message, ctx.token
    notice = {"text": msg.text, "href": "/sale", "dismissible": True} if msg else None
    return Slots(
        top=f'<div id="site-notice" class="css-{h}n"></div>',
        floating=f"<script>window.__SITE_NOTICE__ = {_script_json(notice)};</script>"
        "<script>(function(){var n=window.__SITE_NOTICE__;if(!n)return;var a=document.createElement('a');"
        f"a.href=n.href;a.className='css-{h}a';a.textContent=n.text;"
        "document.getElementById('site-notice').appendChild(a);})();</script>",
    )


def _client_banner(ctx: PageContext) -> Slots:
    """An empty banner slot that a script fills from /api/banner after load: only a browser sees the text."""
    h = ctx.token
    return Slots(
        top=f'<div id="promo-banner" class="css-{h}n" aria-live="polite"></div>',
        floating="<script>document.addEventListener('DOMContentLoaded',function(){"
        "fetch('/api/banner',{headers:{'Accept':'application/json'},credentials:'same-origin'})"
        ".then(function(r){return r.ok?r.json():null}).then(function(b){if(!b||!b.text)return;"
        "var a=document.createElement('a');a.href=b.href||'/sale';"
        f"a.className='css-{h}a';a.textContent=b.text;"
        "document.getElementById('promo-banner').appendChild(a);}).catch(function(){});});</script>",
    )


_SHOPIFY = {
    "body": "template-index",
    "header": "header header--middle-left page-width",
    "logo": "header__heading-link",
    "nav": "list-menu list-menu--inline",
    "nav_link": "header__menu-item list-menu__item link",
    "main": "content-for-layout",
    "section": "section page-width",
    "heading": "title h2",
    "grid": "grid product-grid grid--4-col-desktop",
    "card": "grid__item card-wrapper product-card-wrapper",
    "title": "card__heading h5",
    "price": "price-item price-item--sale",
    "old": "price-item price-item--regular",
    "badge": "badge price__badge-sale color-accent-2",
    "button": "button button--secondary",
    "footer": "footer color-background-1",
    "cookie": "shopify-pc__banner",
    "tile": "collection-card",
}
_MODULES = {
    "body": "Layout_body__{h}",
    "header": "Header_root__{h}",
    "logo": "Header_logo__{h}",
    "nav": "Nav_list__{h}",
    "nav_link": "Nav_link__{h}",
    "main": "Layout_main__{h}",
    "section": "Section_root__{h}",
    "heading": "Section_title__{h}",
    "grid": "ProductGrid_grid__{h}",
    "card": "ProductTile_root__{h}",
    "title": "ProductTile_name__{h}",
    "price": "Price_current__{h}",
    "old": "Price_compare__{h}",
    "badge": "ProductTile_flag__{h}",
    "button": "Button_secondary__{h}",
    "footer": "Footer_root__{h}",
    "cookie": "CookieBar_root__{h}",
    "tile": "CategoryTile_root__{h}",
}
_BIGCOMMERCE = {
    "body": "page-type-default",
    "header": "header",
    "logo": "header-logo__link",
    "nav": "navPages-list",
    "nav_link": "navPages-action",
    "main": "body",
    "section": "page-section",
    "heading": "page-heading",
    "grid": "productGrid",
    "card": "product",
    "title": "card-title",
    "price": "price price--withTax",
    "old": "price price--rrp",
    "badge": "sale-flag-side",
    "button": "button button--small card-figcaption-button",
    "footer": "footer",
    "cookie": "cookieMessage",
    "tile": "category-card",
}
_MAGENTO = {
    "body": "cms-index-index page-layout-1column",
    "header": "page-header",
    "logo": "logo",
    "nav": "navigation ui-menu",
    "nav_link": "level-top ui-corner-all",
    "main": "page-main",
    "section": "block widget block-products-list grid",
    "heading": "block-title title",
    "grid": "product-items widget-product-grid",
    "card": "product-item",
    "title": "product-item-name",
    "price": "special-price price",
    "old": "old-price price",
    "badge": "product-label sale-label",
    "button": "action tocart primary",
    "footer": "page-footer",
    "cookie": "message global cookie",
    "tile": "category-item",
}
_WOO = {
    "body": "home page-template-default woocommerce-page",
    "header": "site-header",
    "logo": "custom-logo-link",
    "nav": "menu nav-menu",
    "nav_link": "menu-item-link",
    "main": "site-main",
    "section": "woocommerce columns-4",
    "heading": "section-title",
    "grid": "products columns-4",
    "card": "product type-product",
    "title": "woocommerce-loop-product__title",
    "price": "woocommerce-Price-amount amount",
    "old": "woocommerce-Price-amount amount",
    "badge": "onsale",
    "button": "button add_to_cart_button",
    "footer": "site-footer",
    "cookie": "cmplz-cookiebanner",
    "tile": "product-category",
}
_TAILWIND = {
    "body": "bg-white text-neutral-900 antialiased",
    "header": "flex items-center justify-between px-6 py-4 border-b",
    "logo": "text-xl font-semibold",
    "nav": "hidden md:flex gap-6 text-sm",
    "nav_link": "hover:underline",
    "main": "mx-auto max-w-7xl px-4",
    "section": "py-10",
    "heading": "text-2xl font-bold mb-6",
    "grid": "grid grid-cols-2 gap-6 md:grid-cols-4",
    "card": "group relative rounded-lg border p-3",
    "title": "mt-2 text-sm font-medium",
    "price": "text-sm font-semibold text-red-700",
    "old": "text-sm text-neutral-500 line-through",
    "badge": "absolute left-2 top-2 rounded bg-black px-2 text-xs text-white",
    "button": "mt-3 w-full rounded bg-neutral-900 py-2 text-white",
    "footer": "border-t py-12 text-sm",
    "cookie": "fixed bottom-0 inset-x-0 bg-white shadow-lg p-4",
    "tile": "rounded-xl bg-neutral-100 p-6",
}
_EMOTION = {
    "body": "css-{h}b",
    "header": "css-{h}h e1hdr0",
    "logo": "css-{h}l",
    "nav": "css-{h}v",
    "nav_link": "css-{h}k",
    "main": "css-{h}m",
    "section": "css-{h}s",
    "heading": "css-{h}t",
    "grid": "css-{h}g",
    "card": "css-{h}c e1crd0",
    "title": "css-{h}p",
    "price": "css-{h}r",
    "old": "css-{h}o",
    "badge": "css-{h}f",
    "button": "css-{h}u",
    "footer": "css-{h}z",
    "cookie": "css-{h}q",
    "tile": "css-{h}y",
}

TEMPLATES: dict[str, PageTemplate] = {
    t.name: t
    for t in (
        PageTemplate(
            "announcement_bar",
            _SHOPIFY,
            _announcement_bar,
            ".announcement-bar__message",
            css=".announcement-bar{background:#121212;color:#fff;text-align:center;padding:8px}",
        ),
        PageTemplate(
            "hero",
            _MODULES,
            _hero,
            'h1[class^="HeroBanner_headline"]',
            json_ld=True,
            css="[class^=HeroBanner_root]{position:relative;min-height:420px}",
        ),
        PageTemplate(
            "modal",
            _BIGCOMMERCE,
            _modal,
            "#campaignModal .modal-title",
            grid_tag="ul",
            card_tag="li",
            old_price_tag="span",
            badge="save",
            css=".modal{position:fixed;inset:0;z-index:1050}.modal-backdrop{opacity:.5}",
        ),
        PageTemplate(
            "image_banner",
            _MAGENTO,
            _image_banner,
            ".block-banners img.banner-image",
            grid_tag="ol",
            card_tag="li",
            old_price_tag="span",
            json_ld=True,
            css=".banner-image{width:100%;height:auto;display:block}",
        ),
        PageTemplate(
            "side_ribbon",
            _WOO,
            _side_ribbon,
            ".corner-ribbon",
            grid_tag="ul",
            card_tag="li",
            old_price_tag="del",
            badge="sale",
            json_ld=True,
            css=".corner-ribbon{position:fixed;top:40%;right:0;transform:rotate(-90deg);"
            "transform-origin:right bottom;background:#c00;color:#fff;padding:6px 14px}",
        ),
        PageTemplate(
            "ticker",
            _TAILWIND,
            _ticker,
            "[data-component=ticker]",
            layout_css=False,
            css="@keyframes marquee{to{transform:translateX(-50%)}}"
            ".animate-marquee{animation:marquee 30s linear infinite}",
        ),
        PageTemplate("script_notice", _EMOTION, _script_notice, "#site-notice", json_ld=True),
    )
}
TEMPLATE_NAMES = tuple(TEMPLATES)


# ---- the shared skeleton -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Tag:
    """A product as shown on one day: current price, and the regular price when marked down."""

    product: Product
    price: Decimal
    regular: Decimal | None
    pct: int | None


def _daily_tags(ctx: PageContext, count: int, markdown_share: float) -> list[_Tag]:
    """Today's products; a share of them (at least two) carry their own markdown."""
    products = ctx.rng.sample(ctx.catalog, count)
    marked = set(ctx.rng.sample(range(count), max(2, round(count * markdown_share))))
    tags = []
    for i, product in enumerate(products):
        if i in marked:
            pct = ctx.rng.choice((10, 15, 20, 25, 30, 40, 50))
            tags.append(_Tag(product, markdown(product.price, pct), product.price, pct))
        else:
            tags.append(_Tag(product, product.price, None, None))
    return tags


def _card(tpl: PageTemplate, ctx: PageContext, tag: _Tag) -> str:
    c, p, money = tpl.c, tag.product, ctx.locale.money
    badge = ""
    if tag.pct is not None:
        label = _BADGES[tpl.badge][ctx.locale.language].format(pct=tag.pct)
        badge = f'<span class="{c("badge", ctx)}">{_e(label)}</span>'
    price = f'<span class="{c("price", ctx)}">{_e(money(tag.price))}</span>'
    if tag.regular is not None:
        old = tpl.old_price_tag
        price = f'<{old} class="{c("old", ctx)}">{_e(money(tag.regular))}</{old}> {price}'
    stars = 3 + ctx.rng.random() * 2
    return (
        f'<{tpl.card_tag} class="{c("card", ctx)}" data-product-id="{p.product_id}">'
        f'<a href="/products/{p.product_id}"><img src="/media/catalog/{p.product_id}.jpg" alt="{_e(p.name)}" '
        f'width="600" height="800" loading="lazy"></a>{badge}<h3 class="{c("title", ctx)}">'
        f'<a href="/products/{p.product_id}">{_e(p.name)}</a></h3><div class="price-box">{price}</div>'
        f'<div class="rating" aria-label="{stars:.1f} / 5">{"★" * round(stars)}{"☆" * (5 - round(stars))} '
        f"<small>({_e(ctx.t('reviews_count').format(n=ctx.rng.randrange(3, 900)))})</small></div>"
        f'<button class="{c("button", ctx)}" type="button">{_e(ctx.t("add_to_cart"))}</button>'
        f"</{tpl.card_tag}>"
    )


def _grid(tpl: PageTemplate, ctx: PageContext, heading: str, tags: list[_Tag]) -> str:
    cards = "".join(_card(tpl, ctx, tag) for tag in tags)
    return (
        f'<section class="{tpl.c("section", ctx)}"><h2 class="{tpl.c("heading", ctx)}">{_e(heading)}</h2>'
        f'<{tpl.grid_tag} class="{tpl.c("grid", ctx)}">{cards}</{tpl.grid_tag}></section>'
    )


def _json_ld(ctx: PageContext, tags: list[_Tag], base: str) -> str:
    items = [
        {
            "@type": "ListItem",
            "position": i + 1,
            "item": {
                "@type": "Product",
                "name": tag.product.name,
                "sku": str(tag.product.product_id),
                "url": f"{base}/products/{tag.product.product_id}",
                "image": f"{base}/media/catalog/{tag.product.product_id}.jpg",
                "offers": {
                    "@type": "Offer",
                    "price": str(tag.price),
                    "priceCurrency": ctx.locale.currency,
                    "availability": "https://schema.org/InStock",
                },
            },
        }
        for i, tag in enumerate(tags[:8])
    ]
    data = {"@context": "https://schema.org", "@type": "ItemList", "itemListElement": items}
    return f'<script type="application/ld+json">{_script_json(data)}</script>'


_LAYOUT_CSS = (
    ("header", "display:flex;align-items:center;justify-content:space-between;padding:16px 24px"),
    ("nav", "display:flex;gap:24px;list-style:none;margin:0;padding:0"),
    ("grid", "display:grid;grid-template-columns:repeat(4,1fr);gap:24px;list-style:none;padding:0"),
    ("card", "position:relative;display:flex;flex-direction:column"),
    ("badge", "position:absolute;top:8px;left:8px;background:#b00;color:#fff;font-size:12px;padding:2px 6px"),
    ("old", "text-decoration:line-through;color:#777"),
    ("footer", "background:#f4f4f4;padding:48px 24px;margin-top:64px"),
    ("cookie", "position:fixed;bottom:0;left:0;right:0;background:#fff;box-shadow:0 -2px 8px #0002"),
)
# Product-card badges: per-product markdowns, never a store-wide sale.
_BADGES = {
    "pct": {"en": "-{pct}%", "de": "-{pct} %", "fr": "-{pct} %", "es": "-{pct} %"},
    "sale": {"en": "Sale!", "de": "Angebot!", "fr": "Promo !", "es": "¡Oferta!"},
    "save": {"en": "Save {pct}%", "de": "Spare {pct} %", "fr": "Économisez {pct} %", "es": "Ahorra {pct} %"},
}


def _head(tpl: PageTemplate, ctx: PageContext, title: str, extra: str) -> str:
    store = ctx.store
    organization = {"@context": "https://schema.org", "@type": "Organization", "name": store.name, "url": "/"}
    css = "".join(f".{tpl.c(key, ctx).split()[0]}{{{rule}}}" for key, rule in _LAYOUT_CSS if tpl.layout_css)
    return (
        f'<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title>"
        f'<meta name="description" content="{_e(store.name)} – {_e(store.category)}: '
        f'{_e(ctx.t("trending"))}">'
        f'<meta property="og:site_name" content="{_e(store.name)}"><link rel="canonical" href="/">'
        f'<link rel="icon" href="/favicon.ico"><style>body{{font-family:system-ui,sans-serif;margin:0}}'
        f"{css}{tpl.css}</style>"
        f'<script type="application/ld+json">{_script_json(organization)}</script>{extra}</head>'
    )


def _header(tpl: PageTemplate, ctx: PageContext, categories: list[str]) -> str:
    c = tpl.c
    links = [*ctx.ts("nav")[:2], *categories, *ctx.ts("nav")[2:]]
    items = "".join(
        f'<li><a class="{c("nav_link", ctx)}" href="/collections/{i}">{_e(label)}</a></li>'
        for i, label in enumerate(links)
    )
    items += f'<li><a class="{c("nav_link", ctx)}" href="/sale">{_e(ctx.t("sale_link"))}</a></li>'
    return (
        f'<header class="{c("header", ctx)}"><a class="{c("logo", ctx)}" href="/">{_e(ctx.store.name)}</a>'
        f'<nav aria-label="Main"><ul class="{c("nav", ctx)}">{items}</ul></nav>'
        '<form action="/search" role="search">'
        f'<input type="search" name="q" placeholder="{_e(ctx.t("search"))}">'
        f'</form><a href="/account">{_e(ctx.t("account"))}</a> <a href="/cart">{_e(ctx.t("cart"))} (0)</a>'
        "</header>"
    )


def _standing_offers(tpl: PageTemplate, ctx: PageContext) -> str:
    policies = "".join(f"<li>{_e(ctx.policy(i))}</li>" for i in range(4))
    loyalty = ctx.t("loyalty").format(name=ctx.store.name.split()[0], one=ctx.locale.money(1))
    return (
        f'<section class="{tpl.c("section", ctx)} value-props"><ul class="usp-list">{policies}</ul>'
        f'<p class="loyalty">{_e(loyalty)}</p><p class="student">{_e(ctx.t("student"))} · '
        f"{_e(ctx.t('military'))}</p></section>"
    )


def _reviews(tpl: PageTemplate, ctx: PageContext) -> str:
    quotes = list(ctx.rng.sample(ctx.ts("reviews"), 2))
    if ctx.store.planted_injection:
        quotes.append(INJECTION_REVIEW)
    items = "".join(f"<blockquote><p>{_e(q)}</p></blockquote>" for q in quotes)
    heading = _e(ctx.t("reviews_heading"))
    return f'<section class="{tpl.c("section", ctx)} reviews"><h2>{heading}</h2>{items}</section>'


def _newsletter(tpl: PageTemplate, ctx: PageContext) -> str:
    return (
        f'<section class="{tpl.c("section", ctx)} newsletter"><h2>{_e(ctx.t("newsletter_title"))}</h2>'
        f'<p>{_e(ctx.t("newsletter_body"))}</p><form action="/newsletter" method="post">'
        f'<input type="email" name="email" placeholder="{_e(ctx.t("email"))}" required>'
        f'<button type="submit">{_e(ctx.t("newsletter_button"))}</button></form></section>'
    )


def _footer(tpl: PageTemplate, ctx: PageContext) -> str:
    columns = (
        ("help", ("shipping", "returns", "contact", "faq")),
        ("company", ("about", "careers", "press")),
        ("legal", ("privacy", "terms")),
    )
    cols = "".join(
        f"<div><h3>{_e(ctx.t(head))}</h3><ul>"
        + "".join(f'<li><a href="/pages/{key}">{_e(ctx.t(key))}</a></li>' for key in keys)
        + "</ul></div>"
        for head, keys in columns
    )
    return (
        f'<footer class="{tpl.c("footer", ctx)}">{cols}<p>Visa · Mastercard · PayPal · Apple Pay · Klarna</p>'
        f"<p>© {ctx.day.year} {_e(ctx.store.name)}. {_e(ctx.t('rights'))}</p></footer>"
    )


def _cookie_banner(tpl: PageTemplate, ctx: PageContext) -> str:
    return (
        f'<div id="cookie-consent" class="{tpl.c("cookie", ctx)}" role="dialog" aria-label="Cookies">'
        f'<p>{_e(ctx.t("cookie_text"))}</p><button type="button">{_e(ctx.t("cookie_accept"))}</button> '
        f'<button type="button">{_e(ctx.t("cookie_manage"))}</button></div>'
    )


def _newsletter_popup(ctx: PageContext) -> str:
    return (
        '<div class="nl-popup" role="dialog" aria-label="Newsletter" hidden data-delay="8000">'
        f'<button type="button" aria-label="Close">×</button><p class="nl-popup__title">'
        f"{_e(ctx.t('newsletter_body'))}</p>"
        f'<input type="email" name="email" placeholder="{_e(ctx.t("email"))}">'
        f'<button type="submit">{_e(ctx.t("newsletter_button"))}</button></div>'
    )


def _page(
    tpl: PageTemplate, ctx: PageContext, title: str, main: str, head_extra: str = "", home: bool = False
) -> str:
    slots = _client_banner(ctx) if ctx.client_banner else tpl.banner(ctx)
    categories = sorted({p.kind for p in ctx.catalog[:12]})[:3]
    popup = _newsletter_popup(ctx) if ctx.store.newsletter_popup and tpl.name != "modal" else ""
    return (
        f'<!DOCTYPE html><html lang="{ctx.locale.html_lang}">{_head(tpl, ctx, title, head_extra)}'
        f'<body class="{tpl.c("body", ctx)}">{slots.top}{_header(tpl, ctx, categories)}'
        f'<main class="{tpl.c("main", ctx)}" id="MainContent">{slots.hero if home else ""}{main}</main>'
        f"{_footer(tpl, ctx)}{_cookie_banner(tpl, ctx)}{popup}{slots.floating}</body></html>"
    )


def _context(
    store: SandboxStore,
    locale: Locale,
    catalog: list[Product],
    day: date,
    message: Message | None,
    seed: int,
    page: str,
    client_banner: bool,
) -> PageContext:
    rng = random.Random(f"{seed}:{store.slug}:{day.isoformat()}:{page}")
    token = hashlib.sha1(store.slug.encode()).hexdigest()[:5]
    # a script-drawn banner keeps its text off the page entirely
    return PageContext(
        store, locale, catalog, day, rng, None if client_banner else message, token, client_banner
    )


def render_home(
    store: SandboxStore,
    locale: Locale,
    catalog: list[Product],
    day: date,
    message: Message | None,
    seed: int,
    client_banner: bool = False,
) -> str:
    """The store's home page on `day`, showing `message` in the template's banner area.

    With `client_banner` the page has an empty banner slot and a script that fills it from /api/banner.
    """
    tpl = TEMPLATES[store.template]
    ctx = _context(store, locale, catalog, day, message, seed, "home", client_banner)
    tags = _daily_tags(ctx, ctx.rng.randint(12, 30), ctx.rng.uniform(0.15, 0.5))
    tiles = "".join(
        f'<a class="{tpl.c("tile", ctx)}" href="/collections/{i}">{_e(name)}</a>'
        for i, name in enumerate(sorted({p.kind for p in ctx.rng.sample(catalog, 8)})[:4])
    )
    main = (
        f'<section class="{tpl.c("section", ctx)} categories"><h2 class="{tpl.c("heading", ctx)}">'
        f'{_e(ctx.t("shop_by_category"))}</h2><div class="tiles">{tiles}</div></section>'
        f"{_grid(tpl, ctx, ctx.t('trending'), tags)}{_standing_offers(tpl, ctx)}{_reviews(tpl, ctx)}"
        f"{_newsletter(tpl, ctx)}"
    )
    head_extra = _json_ld(ctx, tags, "") if tpl.json_ld else ""
    return _page(tpl, ctx, f"{store.name} – {ctx.t('trending')}", main, head_extra, home=True)


def render_sale_page(
    store: SandboxStore,
    locale: Locale,
    catalog: list[Product],
    day: date,
    message: Message | None,
    seed: int,
    client_banner: bool = False,
) -> str:
    """The store's standing "Sale" category page: marked-down products, present every day."""
    tpl = TEMPLATES[store.template]
    ctx = _context(store, locale, catalog, day, message, seed, "sale", client_banner)
    tags = _daily_tags(ctx, ctx.rng.randint(8, 20), 1.0)
    main = (
        f'<h1 class="{tpl.c("heading", ctx)}">{_e(ctx.t("sale_title"))}</h1><p>{_e(ctx.t("sale_intro"))}</p>'
        f"{_grid(tpl, ctx, ctx.t('sale_title'), tags)}"
    )
    return _page(tpl, ctx, f"{ctx.t('sale_title')} – {store.name}", main)


def render_product(
    store: SandboxStore,
    locale: Locale,
    catalog: list[Product],
    day: date,
    message: Message | None,
    seed: int,
    product: Product,
    client_banner: bool = False,
) -> str:
    """A product detail page with its schema.org Product offer."""
    tpl = TEMPLATES[store.template]
    ctx = _context(store, locale, catalog, day, message, seed, f"product:{product.product_id}", client_banner)
    offer = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "sku": str(product.product_id),
        "offers": {
            "@type": "Offer",
            "price": str(product.price),
            "priceCurrency": locale.currency,
            "availability": "https://schema.org/InStock",
        },
    }
    main = (
        f'<article class="product-detail" data-product-id="{product.product_id}"><img src="/media/catalog/'
        f'{product.product_id}.jpg" alt="{_e(product.name)}" width="1200" height="1600">'
        f"<h1>{_e(product.name)}</h1>"
        f'<p class="{tpl.c("price", ctx)}">{_e(locale.money(product.price))}</p>'
        f"<p>{_e(ctx.t('in_stock'))}</p>"
        f'<p>{_e(ctx.t("description"))}</p><button class="{tpl.c("button", ctx)}" type="button">'
        f"{_e(ctx.t('add_to_cart'))}</button></article>{_standing_offers(tpl, ctx)}"
    )
    head_extra = f'<script type="application/ld+json">{_script_json(offer)}</script>'
    return _page(tpl, ctx, f"{product.name} – {store.name}", main, head_extra)
