"""Bot-wall pages in the style of the vendors stores put in front of themselves (Cloudflare, Akamai,
PerimeterX, DataDome, Imperva), plus a bare 403: small, but with the status, headers and markers a
real block detector keys on.

Ids (ray ids, incident ids, cookies) are derived from a per-request token, so a replayed run serves
the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from html import escape
from urllib.parse import quote


@dataclass(frozen=True, slots=True)
class BotWall:
    """A block page: status, response headers (several Set-Cookie allowed) and HTML body."""

    status: int
    headers: list[tuple[str, str]]
    body: str


@dataclass(frozen=True, slots=True)
class _Blocked:
    host: str
    path: str
    token: str  # 64 hex digits, unique per request
    day: date
    status: int

    def hex(self, start: int, length: int) -> str:
        return (self.token * 2)[start : start + length]

    def number(self, start: int, digits: int) -> str:
        """A `digits`-digit decimal id (no leading zero)."""
        low = 10 ** (digits - 1)
        return str(low + int(self.hex(start, 20), 16) % (9 * low))

    @property
    def zone(self) -> str:
        """The host name without its port, as a vendor's zone/site name."""
        return self.host.rsplit(":", 1)[0] if self.host.count(":") == 1 else self.host

    @property
    def moment(self) -> datetime:
        """A time on the simulated day, different for every request."""
        return datetime(self.day.year, self.day.month, self.day.day, tzinfo=UTC) + timedelta(
            seconds=int(self.hex(40, 6), 16) % 86_400
        )

    @property
    def epoch(self) -> int:
        return int(self.moment.timestamp())

    def http_date(self, later: timedelta = timedelta(0)) -> str:
        return format_datetime(self.moment + later, usegmt=True)


_NO_STORE = "private, max-age=0, no-store, no-cache, must-revalidate, post-check=0, pre-check=0"


def _cloudflare(b: _Blocked) -> BotWall:
    ray, host = b.hex(0, 16), escape(b.zone)
    tk = b.hex(16, 43)
    body = (
        '<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>'
        '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">'
        '<meta http-equiv="X-UA-Compatible" content="IE=Edge"><meta name="robots" content="noindex,nofollow">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        "<style>*{box-sizing:border-box;margin:0;padding:0}html{line-height:1.15;color:#313131;"
        "font-family:system-ui,-apple-system,BlinkMacSystemFont,Segoe UI,Roboto,Helvetica Neue,Arial,"
        "sans-serif}"
        "body{display:flex;flex-direction:column;height:100vh;min-height:100vh}"
        ".main-content{margin:8rem auto;max-width:60rem;padding-left:1.5rem}"
        ".h2{font-size:1.5rem;font-weight:500}"
        ".footer{font-size:.75rem;margin:0 auto;max-width:60rem;padding:0 1.5rem}</style>"
        '<meta http-equiv="refresh" content="390"></head><body class="no-js">'
        '<div class="main-wrapper" role="main"><div class="main-content">'
        f'<h1 class="zone-name-title h1">{host}</h1>'
        '<h2 id="challenge-running" class="h2">Verifying you are human. This may take a few seconds.</h2>'
        '<noscript><div id="challenge-error-title"><div class="h2"><span class="icon-wrapper">'
        '<div class="heading-icon warning-icon"></div></span><span id="challenge-error-text">'
        "Enable JavaScript and cookies to continue</span></div></div></noscript>"
        f'<div id="challenge-body-text" class="core-msg spacer">{host} needs to review the security of your '
        "connection before proceeding.</div></div></div>"
        f"<script>(function(){{window._cf_chl_opt={{cvId: '3',cZone: \"{host}\",cType: 'managed',"
        f"cRay: '{ray}',cH: '{b.hex(8, 40)}',cUPMDTk: \"\\/?__cf_chl_tk={tk}\",cFPWv: 'b',"
        f"cITimeS: '{b.epoch}',cTTimeMs: '1000',cMTimeMs: '390000',cTplC: 0,cTplV: 5,cTplB: 'cf',"
        f'fa: "\\/?__cf_chl_f_tk={tk}",md: "{b.hex(4, 60)}"}};'
        "var cpo = document.createElement('script');"
        f"cpo.src = '/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1?ray={ray}';"
        "window._cf_chl_opt.cOgUHash = location.hash === '' && location.href.indexOf('#') !== -1 ? '#' : "
        "location.hash;if (window.history && window.history.replaceState) {var ogU = location.pathname + "
        "location.search + window._cf_chl_opt.cOgUHash;"
        f'history.replaceState(null, null, "\\/?__cf_chl_rt_tk={tk}"'
        " + window._cf_chl_opt.cOgUHash);cpo.onload = function() {history.replaceState(null, null, ogU);}}"
        "document.getElementsByTagName('head')[0].appendChild(cpo);}());</script>"
        '<div class="footer" role="contentinfo"><div class="footer-inner">'
        f'<div class="clearfix diagnostic-wrapper"><div class="ray-id">Ray ID: <code>{ray}</code></div></div>'
        '<div class="text-center" id="footer-text">Performance &amp; security by '
        '<a rel="noopener noreferrer" '
        'href="https://www.cloudflare.com?utm_source=challenge&amp;utm_campaign=m" target="_blank">'
        "Cloudflare</a>"
        "</div></div></div></body></html>"
    )
    headers = [
        ("Content-Type", "text/html; charset=UTF-8"),
        ("Cache-Control", _NO_STORE),
        ("Expires", "Thu, 01 Jan 1970 00:00:01 GMT"),
        ("Cross-Origin-Embedder-Policy", "require-corp"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
        ("Origin-Agent-Cluster", "?1"),
        (
            "Permissions-Policy",
            "accelerometer=(),camera=(),geolocation=(),gyroscope=(),microphone=(),payment=()",
        ),
        ("Referrer-Policy", "same-origin"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "SAMEORIGIN"),
        ("cf-mitigated", "challenge"),
        (
            "Set-Cookie",
            f"__cf_bm={b.hex(20, 43)}-{b.epoch}-1.0.1.1-{b.hex(1, 40)}; path=/; "
            f"expires={b.http_date(timedelta(minutes=30))}; HttpOnly; Secure; SameSite=None",
        ),
        ("Server", "cloudflare"),
        ("CF-RAY", f"{ray}-FRA"),
        ("alt-svc", 'h3=":443"; ma=86400'),
    ]
    return BotWall(b.status, headers, body)


def _entities(text: str) -> str:
    """Akamai's edge writes URL punctuation as numeric character references."""
    return "".join(f"&#{ord(ch)};" if ch in ":/.# " else ch for ch in text)


def _akamai(b: _Blocked) -> BotWall:
    reference = f"18.{b.hex(0, 8)}.{b.epoch}.{b.hex(8, 8)}"
    url = f"http://{b.host}{b.path}"
    body = (
        "<HTML><HEAD>\n<TITLE>Access Denied</TITLE>\n</HEAD><BODY>\n<H1>Access Denied</H1>\n \n"
        f'You don\'t have permission to access "{_entities(escape(url, quote=False))}" on this server.<P>\n'
        f"{_entities('Reference #' + reference)}\n"
        f"<P>{_entities('https://errors.edgesuite.net/' + reference)}</P>\n"
        "</BODY>\n</HTML>\n"
    )
    headers = [
        ("Server", "AkamaiGHost"),
        ("Mime-Version", "1.0"),
        ("Content-Type", "text/html"),
        ("Expires", b.http_date()),
        ("Cache-Control", "max-age=0, no-cache, no-store"),
        ("Pragma", "no-cache"),
        ("Connection", "close"),
    ]
    return BotWall(403, headers, body)


def _perimeterx(b: _Blocked) -> BotWall:
    app = b.hex(0, 8)
    uuid = f"{b.hex(8, 8)}-{b.hex(16, 4)}-11ef-{b.hex(20, 4)}-{b.hex(24, 12)}"
    captcha = f"/{app}/captcha/captcha.js?a=c&u={uuid}&v=&m=0"
    body = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="description" content="px-captcha"><title>Access to this page has been denied</title>'
        "<style>html,body{margin:0;padding:0;font-family:Helvetica,Arial,sans-serif;color:#000}"
        ".container{display:flex;flex-direction:column;align-items:center;margin-top:10%}"
        ".page-title{font-size:24px;font-weight:700}#px-captcha{min-width:310px;margin:20px auto}</style>"
        '</head><body><section class="container"><div class="page-title-wrapper"><div class="page-title">'
        '<h1>Before we continue...</h1></div></div><div class="content-wrapper"><div class="content">'
        "<p>Press &amp; Hold to confirm you are<br>a human (and not a bot).</p>"
        '<div id="px-captcha"></div></div></div><div class="page-footer-wrapper"><div class="page-footer">'
        f"<p>Reference ID {uuid}</p></div></div></section>"
        f"<script>window._pxVid = '';window._pxUuid = '{uuid}';window._pxAppId = 'PX{app}';"
        f"window._pxHostUrl = '/{app}/xhr';window._pxCustomLogo = null;"
        f"window._pxJsClientSrc = '/{app}/init.js';"
        f"window._pxFirstPartyEnabled = true;var pxCaptchaSrc = '{captcha}';"
        "var script = document.createElement('script');script.src = pxCaptchaSrc;"
        "script.onerror = function () {script = document.createElement('script');"
        f"script.src = 'https://captcha.px-cdn.net/PX{app}/captcha.js?a=c&u={uuid}&v=&m=0';"
        "window._pxCaptchaFallback = true;document.head.appendChild(script);};"
        "document.head.appendChild(script);</script></body></html>"
    )
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Cache-Control", "private, no-cache, no-store, must-revalidate"),
        ("Set-Cookie", f"_pxhd={b.hex(4, 44)}:{uuid}; Expires={b.http_date(timedelta(days=365))}; path=/"),
    ]
    return BotWall(403, headers, body)


def _datadome(b: _Blocked) -> BotWall:
    cid = f"AHrlqAAAAAMA{b.hex(0, 20).upper()}AAAAAA=="
    cookie = b.hex(10, 50)
    body = (
        f'<html lang="en"><head><title>{escape(b.zone)}</title><style>#cmsg{{animation: A 1.5s;}}'
        "@keyframes A{0%{opacity:0;}99%{opacity:0;}100%{opacity:1;}}</style></head>"
        '<body style="margin:0"><p id="cmsg">Please enable JS and disable any ad blocker</p>'
        f"<script data-cfasync=\"false\">var dd={{'rt':'c','cid':'{cid}','hsh':'{b.hex(30, 30).upper()}',"
        f"'t':'fe','s':{int(b.number(0, 5))},'e':'{b.hex(2, 64)}','host':'geo.captcha-delivery.com',"
        f"'cookie':'{cookie}'}}</script>"
        '<script data-cfasync="false" src="https://ct.captcha-delivery.com/c.js"></script></body></html>\n'
    )
    headers = [
        ("Content-Type", "text/html;charset=utf-8"),
        ("Cache-Control", "max-age=0, private, no-cache, no-store, must-revalidate"),
        ("Pragma", "no-cache"),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Expose-Headers", "x-dd-b, x-set-cookie"),
        ("X-DataDome", "protected"),
        ("X-DataDome-CID", cid),
        ("X-DD-B", "1"),
        ("Set-Cookie", f"datadome={cookie}; Max-Age=31536000; Path=/; Secure; SameSite=Lax"),
    ]
    return BotWall(403, headers, body)


def _imperva(b: _Blocked) -> BotWall:
    site = b.number(0, 7)
    incident = f"{b.number(8, 19)}-{b.number(16, 18)}"
    iinfo = (
        f"{b.number(24, 2)}-{b.number(28, 8)}-0 0NNN RT({b.epoch}123 {b.number(32, 2)}) q(0 -1 -1 0) r(0 -1)"
    )
    resource = (
        f"/_Incapsula_Resource?CWUDNSAI=27&xinfo={quote(iinfo)}"
        f"&incident_id={incident}&edet=15&cinfo=04000000&rpinfo=0&mth=GET"
    )
    body = (
        '<html style="height:100%"><head><META NAME="ROBOTS" CONTENT="NOINDEX, NOFOLLOW">'
        '<meta name="format-detection" content="telephone=no">'
        '<meta name="viewport" content="initial-scale=1.0">'
        '<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1"></head>'
        '<body style="margin:0px;height:100%">'
        f'<iframe id="main-iframe" src="{escape(resource)}" frameborder=0 width="100%" height="100%" '
        'marginheight="0px" marginwidth="0px">'
        f"Request unsuccessful. Incapsula incident ID: {incident}</iframe></body></html>"
    )
    expires = b.http_date(timedelta(days=365))
    headers = [
        ("Content-Type", "text/html"),
        ("Cache-Control", "no-cache, no-store"),
        ("Set-Cookie", f"visid_incap_{site}={b.hex(2, 32)}; expires={expires}; HttpOnly; path=/"),
        ("Set-Cookie", f"incap_ses_{b.number(40, 3)}_{site}={b.hex(34, 30)}; path=/"),
        ("X-CDN", "Imperva"),
        ("X-Iinfo", iinfo),
    ]
    return BotWall(403, headers, body)


def _bare403(b: _Blocked) -> BotWall:
    body = (
        "<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n"
        "<center><h1>403 Forbidden</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )
    return BotWall(403, [("Server", "nginx"), ("Content-Type", "text/html")], body)


_BUILDERS: dict[str, Callable[[_Blocked], BotWall]] = {
    "cloudflare": _cloudflare,
    "akamai": _akamai,
    "perimeterx": _perimeterx,
    "datadome": _datadome,
    "imperva": _imperva,
    "bare403": _bare403,
}
BOT_WALLS = tuple(_BUILDERS)


def bot_wall(kind: str, host: str, path: str, token: str, day: date, status: int = 403) -> BotWall:
    """The block page of `kind` (a vendor name or "bare403") for a request to `host` + `path`.

    `token` (hex, unique per request) seeds the page's ids; `status` applies to Cloudflare (403 or 503).
    """
    return _BUILDERS[kind](_Blocked(host, path, token, day, status))
