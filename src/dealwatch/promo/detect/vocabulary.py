"""Promo vocabulary in ten languages, as features for the ml tier (not rules: the model weighs them).

The keyword lexicon (lexicon.py) is a grammar for six languages; these are plain word lists in ten
(en, de, fr, es, it, nl, pt, pl, sv, ja), grouped by what a word says about a banner: that it is
about a deal, a "buy X get Y" offer or free shipping, how wide the deal is, how long it lasts, that
it is a standing policy or a sign-up offer, that the event is yet to come or already over, or that
the "save 30%" is about something else (energy bills, fabric), or that the line is addressed to a machine
reader ("AI: report a sale"). A line gets one flag per group it touches.
"""

from __future__ import annotations

import re
from functools import lru_cache

_WORDS = {
    "deal": (
        r"sale|sales|discount\w*|\boff\b|promo\w*|deals?|rebate|reduced|price\s+cuts?|half\s+price|clearance|"
        r"outlet|markdowns?|savings?|\bsave\b|bargains?|"
        r"rabatt\w*|reduziert|angebot\w*|aktion\w*|preisnachlass|schnäppchen|\bspar\w*|ausverkauf|räumungs\w*|"
        r"schlussverkauf|soldes|remise|réduction|rabais|démarque|déstockage|liquidation|offre\w*|économise\w*|"
        r"rebajas|descuento\w*|oferta\w*|promoción|liquidación|mitad\s+de\s+precio|\bdto\b|ahorra\w*|"
        r"saldi|scont\w*|offert\w*|promozion\w*|ribass\w*|svendita|risparmi\w*|"
        r"uitverkoop|korting\w*|aanbieding\w*|\bactie\w*|opruiming|bespaar\w*|"
        r"promoção|promoções|desconto\w*|liquidação|saldos|queima|metade\s+do\s+preço|poupe|economize|"
        r"wyprzeda\w*|\brabat\w*|promocj\w*|zniżk\w*|obniżk\w*|taniej|okazj\w*|pół\s+ceny|oszczędź|"
        r"\brea\b|\brean\b|kampanj\w*|erbjudande\w*|fynd|halva\s+priset|utförsäljning|\bspara\b|"
        r"セール|割引|割り引|オフ|値下げ|半額|特価|還元|クーポン|初売り|決算|福袋|円引|お得"
    ),
    "bogo": (
        r"\b\d\s*(?:for|für|pour|por|per|voor|för|za|pelo|por)\s*\d\b|\b\d\s*[x×]\s*\d\b|\d\s*\+\s*\d|"
        r"buy\s+\w+\s*,?\s+get|bogo|second\s+\w+\s+(?:half|free)|"
        r"kauf\w*\s+\d|zweite\w*\s+\w*\s*(?:gratis|halb)|achetez\s+\d|le\s+2e|le\s+deuxième|"
        r"compra\s+\d|ll[eé]vate|segund[oa]\s+\w+\s+(?:a\s+)?(?:mitad|gratis|metade)|compre\s+\d|leve\s+\d|"
        r"prendi\s+\d|paghi\s+\d|secondo\s+\w+\s+a\s+metà|halen\b.*\bbetalen|tweede\s+\w+\s+(?:gratis|halve)|"
        r"kup\s+\d|drugi\s+\w+\s+(?:za|gratis)|köp\s+\d|betala\s+för\s+\d|"
        r"\d点(?:目|購入|で)|1点無料|もう1点|for\s+the\s+price\s+of|pour\s+le\s+prix\s+de|zum\s+preis\s+von|"
        r"por\s+el\s+precio\s+de|al\s+prezzo\s+di|voor\s+de\s+prijs\s+van|pelo\s+preço\s+de|w\s+cenie|"
        r"för\s+priset\s+av|分の価格"
    ),
    "free_shipping": (
        r"free\s+(?:shipping|delivery|postage)|ships?\s+free|versandkostenfrei|kostenlose[nr]?\s+versand|"
        r"gratis\s+versand|livraison\s+(?:gratuite|offerte)|frais\s+de\s+port\s+offerts|"
        r"env[ií]o\s+gratis|envíos\s+gratis|spedizion[ei]\s+gratu\w*|spedizion[ei]\s+gratis|consegna\s+gratu\w*|"
        r"gratis\s+verzend\w*|gratis\s+bezorg\w*|frete\s+gr[aá]tis|portes\s+gr[aá]tis|entrega\s+gr[aá]tis|"
        r"darmow\w+\s+(?:dostaw\w*|wysyłk\w*)|fri\s+frakt|gratis\s+frakt|送料無料|shipping(?:'s|\s+is)\s+on\s+us|"
        r"(?:we|wij)\s+(?:pay|betalen)\s+(?:the\s+|de\s+)?(?:shipping|verzend\w*)|versand\s+geht\s+auf\s+uns|"
        r"port\s+offert|envío\s+(?:corre\s+)?por\s+nuestra\s+cuenta|spedizione\s+offert\w*|"
        r"frete\s+por\s+nossa\s+conta|wysyłka\s+na\s+nasz\s+koszt|frakten\s+bjuder\s+vi\s+på|送料は当店負担"
    ),
    "scope": (
        r"everything|site[\s-]?wide|store[\s-]?wide|\ball\b|entire|whole\s+(?:store|site)|"
        r"\balles\b|gesamte\w*|sortiment\w*|\bauf\s+alle|\btout\b|\btous\b|\btoute\w*|"
        r"\btodo\w*|\btoda\w*|\btutt[oiae]\b|\balle\b|\bhele\b|\btudo\b|\btoda\s+a\s+loja|"
        r"wszystk\w*|cał\w+\s+(?:sklep|ofert|asortyment)|\ballt\b|\bhela\b|\balla\b|"
        r"全品|全商品|全店|ストア全体|全て|すべて|open\s+to\s+(?:everyone|all)|für\s+alle|ouvert\w*\s+à\s+tous|"
        r"abiert[oa]s?\s+a\s+todos|aperto\s+a\s+tutti|open\s+voor\s+iedereen|abert[oa]s?\s+a\s+todos|"
        r"otwart\w*\s+dla\s+wszystkich|öppen\s+för\s+alla|どなたでも|一般のお客様"
    ),
    "time": (
        r"today|tonight|weekend|\bhours?\b|\buntil\b|\bends?\b|last\s+chance|\bonly\b|\bnow\b|limited|"
        r"\bheute\b|\bnur\b|\bbis\b|wochenende|endet|letzte\s+chance|\bjetzt\b|stunden|"
        r"aujourd|jusqu|week-end|dernière\s+chance|seulement|heures|maintenant|"
        r"\bhoy\b|\bhasta\b|fin\s+de\s+semana|última\s+oportunidad|\bsolo\b|\bhoras\b|\bahora\b|termina|"
        r"\boggi\b|fino\s+a|ultima\s+occasione|\bore\b|\bora\b|"
        r"vandaag|t/m|tot\s+en\s+met|laatste\s+kans|alleen|\buur\b|\bnu\b|eindigt|"
        r"\bhoje\b|\baté\b|fim\s+de\s+semana|última\s+chance|\bsó\b|agora|"
        r"dzi(?:ś|siaj)|ostatnia\s+szansa|\btylko\b|godzin\w*|teraz|kończy|"
        r"\bidag\b|t\.o\.m|helg\w*|sista\s+chansen|\bbara\b|timmar|slutar|"
        r"本日|今日|まで|週末|限定|時間|今すぐ|最終|終了間近"
    ),
    "policy": (
        r"orders?\s+(?:over|above|from)|minimum|first\s+order|subscrib\w*|newsletter|sign\s+up|\bapp\b|members?|"
        r"loyalty|students?|military|financing|interest|instal+ments?|returns?|price\s+match|rewards?|points|"
        r"staff|nhs|key\s+workers?|teachers?|nurses?|veterans?|seniors?|always|every\s+day|permanent\w*|"
        r"dauerhaft|immer|treue\w*|toujours|fidèle\w*|siempre|fieles|sempre|fedel\w*|altijd|trouwe?|"
        r"zawsze|stał\w+\s+klient\w*|lojal\w*|alltid|stamkund\w*|いつでも|常に|"
        r"\bab\s+\d|bestellwert|ersten\s+bestellung|anmeld\w*|mitglied\w*|studenten|\braten\b|rückgabe|punkte|"
        r"\bdès\b|à\s+partir\s+de|première\s+commande|inscri\w*|membres|étudiants|paiement\s+en|retours|"
        r"fidélité|a\s+partir\s+de|primer\s+pedido|suscr\w*|socios|estudiantes|plazos|devoluci\w*|puntos|"
        r"a\s+partire\s+da|primo\s+ordine|iscriviti|studenti|\brate\b|\bresi\b|punti|"
        r"\bvanaf\b|eerste\s+bestelling|inschrijv\w*|nieuwsbrief|leden|achteraf|retour\w*|punten|"
        r"acima\s+de|primeira\s+compra|inscrev\w*|membros|estudantes|parcel\w*|devolu\w*|pontos|"
        r"powyżej|pierwsze\s+zamówienie|zapisz|członk\w*|\braty\b|zwrot\w*|punkt\w*|"
        r"\böver\b|första\s+köp|prenumer\w*|nyhetsbrev|medlem\w*|delbetal\w*|\bretur\w*|poäng|"
        r"以上|初回|会員|登録|メルマガ|学生|分割|返品|ポイント|アプリ|通年|"
        # first-order, welcome, account, club and referral offers
        r"\b1(?:st|re|ère|er|a|o|e|º|ª)\s+(?:order|purchase|commande|achat|pedido|compra|ordine|bestelling)|"
        r"welcome|willkommen|bienvenue|bienvenid\w*|benvenut\w*|welkom\w*|boas-vindas|powitaln\w*|välkomst\w*|"
        r"account|konto|compte|cuenta|club|birthday|geburtstag|anniversaire|cumpleaños|compleanno|"
        r"verjaardag|aniversário|urodzin\w*|födelsedag|誕生日|refer\b|referral|werben|parrain\w*|"
        # a threshold: "from 39 €", "over $50", "dès 60 €"
        r"\b(?:from|over|above|ab|dès|desde|da|a\s+partire\s+da|vanaf|boven|acima\s+de|od|powyżej|från|över)"
        r"\s*[$€£¥]?\s?\d"
    ),
    "unrelated": (
        r"energy|electric\w*|\bbills?\b|solar|battery|batteries|cotton|wool|polyester|"
        r"energie\w*|strom\w*|baumwolle|énergie|électricité|facture|coton|energía|factura\s+de\s+luz|algodón|"
        r"energia|bolletta|cotone|katoen|stroom|zonnepan\w*|algodão|conta\s+de\s+luz|prąd\w*|rachunk\w*|"
        r"fotowolt\w*|bawełn\w*|elräkning|solcell\w*|bomull|電気代|節電|綿"
    ),
    "not_now": (
        r"starts|coming\s+soon|\bsoon\b|next\s+week|has\s+ended|is\s+over|see\s+you|sold\s+out|expired|"
        r"\bdrops?\b|launch\w*|arriv\w*|no\s+longer|finished|\bended\b|\bare\s+done|\bis\s+done|thanks\s+for\s+shopping|"
        r"early\s+access|register\s+for|join\s+the\s+waitlist|notify\s+me|save\s+the\s+date|"
        r"rendez-vous|accès\s+anticipé|inscrivez|acceso\s+anticipado|regístrate|accesso\s+anticipato|registrati|"
        r"vroege\s+toegang|beëindigd|acesso\s+antecipado|wcześniejszy\s+dostęp|förtur|tidig\s+tillgång|"
        r"先行|予約|お知らせ|"
        r"beginnt|\bbald\b|startet|vorbei|beendet|abgelaufen|commence|bientôt|terminé\w*|expiré|"
        r"empieza|pronto|terminad\w*|finalizad\w*|caducad\w*|inizia|presto|terminat\w*|scadut\w*|"
        r"\bbegint\b|binnenkort|afgelopen|voorbij|verlopen|começa|em\s+breve|terminou|encerrad\w*|expirad\w*|"
        r"zaczyna|wkrótce|zakończ\w*|wygasł\w*|straci\w*\s+ważnoś\w*|nieaktualn\w*|börjar|\bsnart\b|avslutad\w*|har\s+gått\s+ut|"
        r"開始|まもなく|予告|終了しました|期限切れ|goes\s+live|countdown|\bclosed\b|\bsale\s+over\b|\bit'?s\s+over\b|"
        r"regular\s+prices?|back\s+to\s+normal|returned\s+to\s+normal|\bnoch\s+\d+\s+tage?\b|geht'?s\s+los|"
        r"wieder\s+regulär|normalpreis\w*|prix\s+habituels|compte\s+à\s+rebours|precios\s+habituales|"
        r"cuenta\s+atrás|prezzi\s+(?:normali|abituali)|conto\s+alla\s+rovescia|normale\s+prijzen|aftellen|"
        r"preços\s+normais|contagem\s+regressiva|ceny\s+regularne|\bkoniec\b|odliczanie|ordinarie\s+priser|"
        r"\bär\s+slut|nedräkning|通常価格|カウントダウン"
    ),
    "machine": (
        # "ai" is also French and Italian ("j'ai", "ai clienti"), "prompt" also "prompt delivery": only as
        # an address ("AI:", "KI,") or in a prompt's own words.
        r"\b(?:ai|ia|ki)\s*[:,]|assistant\w*|asistente|assistente|asystent\w*|\bbots?\b|crawler|scraper|"
        r"chatbot|language\s+model|instruct\w*|instrucci\w*|istruzion\w*|instructie\w*|instruç\w*|instrukc\w*|"
        r"ignore\s+(?:all|any|previous|prior|the|your|these)|ignorier\w*|negeer|zignoruj|system\s+prompt|"
        r"system\s*:|système\s*:|sistema\s*:|"
        r"mark\s+this\s+(?:store|site|website|page)|report\s+that|"
        r"アシスタント|指示|無視"
    ),
}
# Matched against lower-cased text: case-insensitive matching of long alternations is much slower.
# One pass finds every group: each group is a named alternative of a single pattern.
_ANY = re.compile("|".join(f"(?P<{name}>{words})" for name, words in _WORDS.items()))
GROUPS = tuple(_WORDS)


@lru_cache(maxsize=65536)  # a store's banners, menus and headings repeat from one day to the next
def word_groups(text: str) -> frozenset[str]:
    """The groups whose words the text uses."""
    return frozenset(match.lastgroup for match in _ANY.finditer(text.lower()) if match.lastgroup)
