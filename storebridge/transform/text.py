"""Supplier text as a shopper reads it: entities decoded, markup and unreadable characters removed.

Two kinds of field, because ``<`` means different things in them:

- **Fields that may hold HTML** (the title, the detail page, keywords): ``clean_text(value,
  markup=True)`` strips *real* markup only: comments, doctypes and tags named after an HTML element
  that are well-formed as markup: a closing tag, a void element (``<br>``, ``<img …>``), a tag with
  attributes or ``/>``, or an opening tag whose closing tag follows. Anything else in angle brackets
  is text: "<신상>" and "<XL>" are not elements, and a lone "<S>" or "<B>" (HTML's strike-through and
  bold) is a size or a type, so each keeps its word as "(신상)", "(XL)", "(S)".
- **Plain-text fields** (option values and group names, notice values such as the model name,
  certificate names): ``clean_text(value)`` parses no markup at all. ``<``/``>`` are characters Naver
  refuses there (``policy.NAME_FORBIDDEN``), so they are replaced like the others, never read as tag
  delimiters: "ABC-100<XL>" becomes "ABC-100(XL)". Round brackets, not deletion, because Smart Store
  shows the brackets' word and "XL" alone would merge into the model number.

Both decode entities (after markup, so "&lt;특가&gt;" is text and keeps its word) and remove what
Naver's unpublished character rules most likely refuse and what no shopper needs: control and
format characters (zero-width spaces included) and emoji/symbols (Unicode So/Sk: ★ ♥ 🎁 ™; fidelity
N2, research §7.13: integrators strip such symbols). Unit symbols are not decoration and stay: the
degree signs ° ˚ ℃ ℉ and the squared unit signs of the CJK Compatibility block (㎖ ㎏ ㎝ ㎡ ㏄ …);
Naver's only documented refusals are ``\\ * ? " < >`` (and ``/`` in option values), and
"0~4℃" must not become "0~4". Everything else (%, ~, ±, ×, currency, letters of any script) is
kept.
"""

from __future__ import annotations

import html
import re
import unicodedata

#: HTML element names; ``<name …>`` markup is stripped only for these (and only when well-formed).
HTML_ELEMENTS = frozenset(
    {"a", "abbr", "address", "article", "aside", "audio", "b", "bdi", "bdo", "big", "blink"}
    | {"blockquote", "body", "button", "canvas", "caption", "center", "cite", "code", "data"}
    | {"dd", "del", "details", "dfn", "dialog", "div", "dl", "dt", "em", "fieldset", "figcaption"}
    | {"figure", "font", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header"}
    | {"html", "i", "iframe", "ins", "kbd", "label", "legend", "li", "main", "map", "mark"}
    | {"marquee", "nav", "nobr", "noscript", "object", "ol", "optgroup", "option", "p", "picture"}
    | {"pre", "q", "s", "samp", "script", "section", "select", "small", "span", "strike", "strong"}
    | {"style", "sub", "summary", "sup", "svg", "table", "tbody", "td", "template", "textarea"}
    | {"tfoot", "th", "thead", "title", "tr", "tt", "u", "ul", "var", "video", "colgroup"}
)
#: Elements that never have a closing tag, so ``<br>`` alone is markup.
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source"}
    | {"track", "wbr"}
)
#: A comment, a doctype, or a tag: (``/``) (name) (attributes, ``/`` included).
_MARKUP = re.compile(r"<!--.*?-->|<![A-Za-z][^<>]*>|<(/?)([A-Za-z][A-Za-z0-9]*)((?:\s[^<>]*)?/?)>", re.DOTALL)
#: Brackets a cut must not leave open: opener → closer.
_BRACKETS = {"(": ")", "[": "]", "{": "}", "（": "）", "【": "】", "「": "」", "『": "』", "〔": "〕"}
_SPACE = re.compile(r"\s+")
_REMOVED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "So", "Sk"})
#: Symbols (So/Sk) that carry a measurement; the CJK squared units are matched by range (``_keep``).
_UNIT_SIGNS = frozenset("°˚℃℉")
#: CJK Compatibility squared units: ㍱ (hPa) … ㏟ (A∕m), e.g. ㎖ ㎏ ㎝ ㎡ ㏄.
_SQUARED_UNITS = ("\u3371", "\u33df")
_PLACEHOLDERS = frozenset(
    {"", "-", "없음", "상세정보별도표기", "상세페이지참조", "상세설명참조", "상세정보참조"}
)


def decode_entities(value: str) -> str:
    """HTML-decode until stable (``&amp;amp;`` → ``&``), bounded against hostile input."""
    for _ in range(3):
        decoded = html.unescape(value)
        if decoded == value:
            break
        value = decoded
    return value


def strip_markup(value: str) -> str:
    """``value`` with real HTML markup replaced by spaces; "<XL>", "<신상>" and a lone "<S>" stay."""
    lowered = value.lower()

    def replace(match: re.Match[str]) -> str:
        closing, name, rest = match.group(1, 2, 3)
        if name is None:  # a comment or a doctype
            return " "
        element = name.lower()
        if element in VOID_ELEMENTS:
            return " "
        if element not in HTML_ELEMENTS:
            return match.group(0)
        if closing or rest.strip() or f"</{element}" in lowered[match.end() :]:
            return " "
        return match.group(0)

    return _MARKUP.sub(replace, value)


def clean_text(value: str, *, markup: bool = False) -> tuple[str, int]:
    """What a shopper reads (see the module docstring), and how many characters were removed.

    ``markup=True`` for fields that may hold HTML; the default treats ``<``/``>`` as characters.
    Either way the ``<``/``>`` left become ``(``/``)``. The count excludes stripped markup, so the
    caller can report the characters a shopper would have seen.
    """
    text = decode_entities(strip_markup(value) if markup else value)
    kept = [ch for ch in text if _keep(ch)]
    removed = len(text) - len(kept)
    return _SPACE.sub(" ", "".join(kept).replace("<", "(").replace(">", ")")).strip(), removed


def _keep(ch: str) -> bool:
    if ch in _UNIT_SIGNS or _SQUARED_UNITS[0] <= ch <= _SQUARED_UNITS[1]:
        return True
    variation_selector = "\ufe00" <= ch <= "\ufe0f"
    return unicodedata.category(ch) not in _REMOVED_CATEGORIES and not variation_selector


def has_listable_text(text: str) -> bool:
    """Whether ``text`` has a letter or a digit: a name of only symbols ("'()") lists nothing."""
    return any(ch.isalnum() for ch in text)


def is_placeholder(value: str) -> bool:
    """Supplier filler such as "상세정보별도표기" that carries no information."""
    return _SPACE.sub("", value) in _PLACEHOLDERS


def meaningful(value: str) -> str | None:
    """Cleaned plain-text ``value``, or ``None`` for filler and for text with no letter or digit ("***")."""
    text = clean_text(value)[0]
    return None if is_placeholder(text) or not has_listable_text(text) else text


def truncate(text: str, limit: int) -> str:
    """Cut to ``limit`` characters, at a word boundary when one is reasonably close.

    A cut never leaves half a bracket: "사이즈 (지름 30cm)" cut inside the brackets becomes
    "사이즈", not "사이즈 (지름".
    """
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space >= limit * 0.6:
        cut = cut[:space]
    return close_brackets(cut).rstrip(" ,/-|·")


def close_brackets(text: str) -> str:
    """``text`` up to its first bracket left open (its opener removed if nothing precedes it)."""
    open_at: list[int] = []
    for index, ch in enumerate(text):
        if ch in _BRACKETS:
            open_at.append(index)
        elif open_at and ch == _BRACKETS[text[open_at[-1]]]:
            open_at.pop()
    if not open_at:
        return text
    first = open_at[0]
    head = text[:first].rstrip()
    if head:
        return head
    return text[:first] + close_brackets(text[first + 1 :])
