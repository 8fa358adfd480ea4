"""Product name, detail HTML and seller tags (business-rules §7, §8).

- Names: the title as a shopper reads it (``text.clean_text`` with markup: real tags stripped,
  entities decoded, control characters and emoji/decorative symbols removed, unit symbols such as
  ℃ and ㎖ kept), Smart Store's forbidden characters replaced (``policy.NAME_FORBIDDEN``: "<신상>"
  becomes "(신상)", never deleted), word rules applied, cut to 100 chars without leaving half a
  bracket. A name with no letter or digit left lists nothing and goes to review (NAME_EMPTY).
- Detail HTML: only ``desc.contents.item``, and only when ``desc.license.usable`` is explicitly
  true; sanitised with ``nh3`` (allow-list: no script/style/iframe, no ``on*`` attributes, no
  ``javascript:``/``data:`` URLs, no links). ``src`` values are HTML-decoded (``&amp;`` → ``&``)
  before use. Supplier image hosts are hotlink-protected, so each detail ``<img>`` is rewritten to
  the caller's re-hosted URL; images the caller did not re-host are dropped (adjustment).
  Without a licence, or when nothing usable is left, a plain description is generated.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass

import nh3

from schemas.domeggook import DomeggookItem
from storebridge.transform.policy import NAME_FORBIDDEN, replace_forbidden
from storebridge.transform.result import (
    Adjustment,
    AdjustmentCode,
    Rejection,
    RejectionCode,
    adjust,
    reject,
)
from storebridge.transform.rules import TransformRules
from storebridge.transform.text import (
    clean_text,
    decode_entities,
    has_listable_text,
    is_placeholder,
    truncate,
)
from storebridge.transform.words import apply_word_rules, first_hit

#: Detail HTML larger than this (characters) is not worth sanitising; a description is generated.
MAX_DETAIL_CHARS = 1_000_000

_ALLOWED_TAGS = frozenset(
    {"div", "p", "span", "br", "hr", "center", "img", "b", "strong", "i", "em", "u", "s", "font", "small"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre"}
    | {"table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "col", "colgroup"}
)
_REMOVED_WITH_CONTENT = frozenset(
    {"script", "style", "iframe", "object", "embed", "noscript", "template", "svg"}
)
_ALLOWED_ATTRIBUTES = {
    "*": {"style", "align"},
    "img": {"src", "alt", "width", "height"},
    "font": {"color", "size", "face"},
    "table": {"width", "border", "cellpadding", "cellspacing"},
    "td": {"colspan", "rowspan", "width", "valign"},
    "th": {"colspan", "rowspan", "width", "valign"},
}
_ALLOWED_STYLES = frozenset(
    {"text-align", "color", "background-color", "font-size", "font-weight", "font-style", "text-decoration"}
    | {"width", "max-width", "height", "margin", "padding", "line-height", "vertical-align", "border"}
)
_PROTOCOL_RELATIVE_SRC = re.compile(r"""(<img\b[^>]*?\bsrc\s*=\s*["']?)//""", re.IGNORECASE)
_IMG_WITHOUT_SRC = re.compile(r'<img(?![^>]*\ssrc=")[^>]*>')
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class NameOutcome:
    """Cleaned product name, or rejections."""

    name: str | None
    rejections: tuple[Rejection, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()


def clean_name(item: DomeggookItem, rules: TransformRules) -> NameOutcome:
    """The Naver product name: cleaned, word rules applied, at most ``rules.name_max_chars``."""
    no, path = item.no, "basis.title"
    cleaned, removed = clean_text(item.basis.title, markup=True)
    text = replace_forbidden(cleaned, NAME_FORBIDDEN)
    adjustments: list[Adjustment] = []
    if removed or text != cleaned:
        what = f"{removed} characters removed, forbidden characters replaced: {text[:60]!r}"
        adjustments.append(adjust(no, AdjustmentCode.NAME_CHARS_REMOVED, path, what))
    words = apply_word_rules(text, rules.word_rules)
    adjustments += word_adjustments(no, path, words.replaced, words.warned)
    if words.blocked:
        cause = f"banned word(s) {', '.join(words.blocked)} in the name {text[:60]!r}"
        return NameOutcome(None, (reject(no, RejectionCode.BANNED_WORD, path, cause),), tuple(adjustments))
    name = truncate(_SPACE.sub(" ", words.text).strip(), rules.name_max_chars)
    if len(name) < len(words.text.strip()):
        what = f"name cut from {len(words.text.strip())} to {len(name)} characters"
        adjustments.append(adjust(no, AdjustmentCode.NAME_TRUNCATED, path, what))
    if not has_listable_text(name):
        # Naver would take "'()" as a name; no shopper could find or read it, so a person decides.
        title = item.basis.title[:60]
        what = (
            f"the name is empty after cleaning {title!r}"
            if not name
            else f"the title {title!r} became {name!r}, with no letter or digit"
        )
        cause = f"{what}: nothing listable left after replacing forbidden characters and removing symbols"
        return NameOutcome(None, (reject(no, RejectionCode.NAME_EMPTY, path, cause),), tuple(adjustments))
    return NameOutcome(name, (), tuple(adjustments))


def word_adjustments(
    no: int, path: str, replaced: tuple[str, ...], warned: tuple[str, ...]
) -> list[Adjustment]:
    """Adjustments recording which replace/warn rules fired."""
    result = [adjust(no, AdjustmentCode.WORD_REPLACED, path, f"replaced {word!r}") for word in replaced]
    return result + [adjust(no, AdjustmentCode.WORD_WARNING, path, f"contains {word!r}") for word in warned]


# --------------------------------------------------------------------------- HTML


@dataclass(frozen=True)
class SanitisedHtml:
    """Sanitised HTML, the decoded image URLs met (in order), and the ones dropped."""

    html: str
    image_urls: tuple[str, ...]
    dropped_urls: tuple[str, ...]


def sanitise_html(raw: str, image_map: Mapping[str, str] | None = None) -> SanitisedHtml:
    """Allow-list sanitising with ``nh3``; optionally rewrite ``<img src>`` through ``image_map``.

    With ``image_map=None`` image URLs are kept (decoded) and collected. With a map, a URL found
    in it is replaced by the mapped URL, and one missing from it is dropped with its ``<img>``.
    """
    seen: list[str] = []
    dropped: list[str] = []

    def attribute_filter(element: str, attribute: str, value: str) -> str | None:
        if attribute in ("alt", "title"):
            return value.replace("<", "").replace(">", "")
        if element != "img" or attribute != "src":
            return value
        url = decode_entities(value).strip()
        if url not in seen:
            seen.append(url)
        if image_map is None:
            return url
        mapped = image_map.get(url)
        if not mapped:
            dropped.append(url)
        return mapped or None

    prepared = _PROTOCOL_RELATIVE_SRC.sub(r"\1https://", raw)
    cleaned = nh3.clean(
        prepared,
        tags=set(_ALLOWED_TAGS),
        clean_content_tags=set(_REMOVED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in _ALLOWED_ATTRIBUTES.items()},
        attribute_filter=attribute_filter,
        url_schemes={"http", "https"},
        url_relative="deny",
        filter_style_properties=set(_ALLOWED_STYLES),
        link_rel=None,
    )
    cleaned = _IMG_WITHOUT_SRC.sub("", cleaned)
    return SanitisedHtml(html=cleaned.strip(), image_urls=tuple(seen), dropped_urls=tuple(dropped))


def has_visible_content(fragment: str) -> bool:
    """True when the fragment shows an image or some text."""
    return "<img" in fragment or bool(clean_text(fragment, markup=True)[0])


def _licensed_detail(item: DomeggookItem) -> str | None:
    desc = item.desc
    if desc is None or desc.license is None or not desc.license.usable or desc.contents is None:
        return None
    raw = desc.contents.item
    return raw if raw.strip() and len(raw) <= MAX_DETAIL_CHARS else None


def detail_image_sources(item: DomeggookItem) -> tuple[str, ...]:
    """Decoded detail-image URLs the caller must re-host (empty without a licence)."""
    raw = _licensed_detail(item)
    return () if raw is None else sanitise_html(raw).image_urls


def generated_description(item: DomeggookItem, name: str, representative_url: str | None) -> str:
    """A plain description for items whose detail page may not be copied."""
    detail = item.detail
    specs = [
        ("원산지", detail.country.replace("_", " ") if detail else ""),
        ("제조사", detail.manufacturer if detail else ""),
        ("모델명", detail.model if detail else ""),
        ("크기", detail.size if detail else ""),
        ("중량", detail.weight if detail else ""),
    ]
    rows = "".join(
        f"<tr><th>{html.escape(label)}</th><td>{html.escape(value)}</td></tr>"
        for label, value in specs
        if not is_placeholder(value)
    )
    image = f'<p><img src="{html.escape(representative_url)}" alt=""></p>' if representative_url else ""
    table = f"<table>{rows}</table>" if rows else ""
    notice = "<p>상세 정보는 판매자에게 문의해 주세요.</p>"
    return f'<div style="text-align:center"><h3>{html.escape(name)}</h3>{image}{table}{notice}</div>'


@dataclass(frozen=True)
class DetailOutcome:
    """The ``detailContent`` HTML, or rejections."""

    html: str | None
    rejections: tuple[Rejection, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()


def build_detail(
    item: DomeggookItem,
    name: str,
    rules: TransformRules,
    image_urls: Mapping[str, str],
    representative_url: str | None,
) -> DetailOutcome:
    """``detailContent``: the licensed supplier HTML (images re-hosted) or a generated description."""
    no, path = item.no, "desc.contents.item"
    adjustments: list[Adjustment] = []
    content: str | None = None
    raw = _licensed_detail(item)
    if raw is not None:
        sanitised = sanitise_html(raw, image_urls)
        for url in sanitised.dropped_urls:
            what = f"detail image {url[:100]!r} dropped (not re-hosted)"
            adjustments.append(adjust(no, AdjustmentCode.DETAIL_IMAGE_DROPPED, path, what))
        if has_visible_content(sanitised.html):
            content = sanitised.html
    if content is None:
        reason = "licensed detail is empty" if raw is not None else "detail images not licensed for reuse"
        adjustments.append(
            adjust(no, AdjustmentCode.DETAIL_GENERATED, path, f"description generated: {reason}")
        )
        content = sanitise_html(generated_description(item, name, representative_url)).html
    # Replace in the HTML, then judge what the shopper reads: tags stripped, entities decoded, so
    # "무조<b>건</b>" and "반드시&nbsp;효과" are caught. A replace word split by markup cannot be
    # rewritten safely, so it blocks like a banned word.
    words = apply_word_rules(content, rules.word_rules)
    shown = apply_word_rules(clean_text(words.text, markup=True)[0], rules.word_rules)
    adjustments += word_adjustments(no, path, words.replaced, shown.warned)
    blocked = [*shown.blocked, *(f"{word} (split by markup)" for word in shown.replaced)]
    if blocked:
        cause = f"banned word(s) {', '.join(blocked)} in the detail page text"
        return DetailOutcome(None, (reject(no, RejectionCode.BANNED_WORD, path, cause),), tuple(adjustments))
    return DetailOutcome(words.text, (), tuple(adjustments))


def seller_tags(item: DomeggookItem, rules: TransformRules) -> tuple[tuple[str, ...], tuple[Adjustment, ...]]:
    """Up to ``max_seller_tags`` search tags from the supplier keywords.

    Tags lose spaces and symbols and must fit ``seller_tag_max_chars``; a tag hitting a block or
    replace word is dropped rather than rewritten (a rewritten tag is a different search term).
    """
    keywords = item.basis.keywords.kw if item.basis.keywords is not None else ()
    tags: list[str] = []
    adjustments: list[Adjustment] = []
    for keyword in keywords:
        tag = re.sub(r"[^0-9A-Za-z가-힣]", "", clean_text(keyword, markup=True)[0])
        hit = first_hit(tag, rules.word_rules)
        if hit is not None:
            what = f"tag {tag!r} dropped for {hit!r}"
            adjustments.append(adjust(item.no, AdjustmentCode.TAG_DROPPED, "basis.keywords.kw", what))
        elif tag in rules.restricted_tags:  # Naver's restricted tags (GET /v2/tags/restricted-tags)
            what = f"tag {tag!r} dropped: Naver restricts it"
            adjustments.append(adjust(item.no, AdjustmentCode.TAG_DROPPED, "basis.keywords.kw", what))
        elif tag and len(tag) <= rules.seller_tag_max_chars and tag not in tags:
            tags.append(tag)
    return tuple(tags[: rules.max_seller_tags]), tuple(adjustments)
