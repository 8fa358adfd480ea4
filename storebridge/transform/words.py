"""Banned-word rules (business-rules §7): block (send to review), replace (rewrite, continue), warn.

Plain words match case-insensitively and ignore spacing and zero-width characters between any two
letters ("병 치료" also matches "병치료", "무조건" also "무 조 건"), because suppliers dodge filters
with spacing and Naver's own detection is not that literal either. Spacing the rule does not spell
counts only when the spaced word stands alone (no letter or digit glued to either end): "무 조 건"
and "(가 품)" match, but "특가 품절" and "3명 품절" do not read "가품" or "명품" and are left alone
(the old rule rewrote them to "특제품절" and "3고급절"). A rule may instead be a regular expression,
matched as written. Blocks are checked *after* replacements, so a replacement that introduces a
blocked word (an operator mistake) is still caught.

What each kind of word gets, decided by whether a rewrite keeps what the sentence says:

- **Claims** — efficacy ("완치", "의약품": category ``prohibited``) and authenticity ("짝퉁", "가품":
  category ``trademark``): block, so a person reviews the item. No rewrite is safe: "가품 아님" (not
  a fake) became "제품 아님" (not a product) under the old 가품 → 제품 rule, and "가품 시 보상" lost
  its sense. A ``replace`` rule in a claim category (``CLAIM_CATEGORIES``; business-rules §7 seeded
  가품 → 제품, so operators' tables may hold one) is therefore never applied: it blocks, and the
  review reason says "(trademark claim: not rewritten)".
- **Exaggeration** ("최저가", "명품": category ``exaggeration``): replace with a toned-down word that
  fits the same place ("최저가 보장" → "합리적 가격 보장"): the claim is weakened, never reversed.
- **Spam** (search stuffing an operator lists, e.g. "무료배송" in a name): a ``replace`` rule with an
  empty replacement drops the word; the rest of the sentence stands on its own. (The database's
  ``kind`` is block/replace/warn, so "drop" is spelled as an empty replacement.)
- **Warn** ("정품"): kept and recorded; a seller may truthfully sell genuine goods.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

WordAction = Literal["block", "replace", "warn"]


#: What may sit between the letters of a plain word and still read as that word: spacing and
#: zero-width characters ("무 조 건", "완\u200b치"; ``\s`` covers the no-break space of ``&nbsp;``).
_GAP = r"[\s\u200b-\u200f\u2060\ufeff]*"


#: Name prefix of the groups capturing a gap the rule itself does not spell with a space.
_ADDED_GAP = "added"
#: Categories whose words are claims about the product: a ``replace`` rule in one is never applied.
CLAIM_CATEGORIES = frozenset({"trademark"})


@lru_cache(maxsize=4096)
def _compile(word: str, regex: bool) -> re.Pattern[str]:
    if regex:
        return re.compile(word, re.IGNORECASE)
    pattern = ""
    for index, ch in enumerate(word.strip()):
        if ch.isspace():
            continue
        if pattern:
            spelled = word.strip()[index - 1].isspace()
            pattern += _GAP if spelled else f"(?P<{_ADDED_GAP}{index}>{_GAP})"
        pattern += re.escape(ch)
    return re.compile(pattern, re.IGNORECASE)


def _stands_alone(match: re.Match[str]) -> bool:
    """False for a match that needs spacing the rule lacks while glued to a word ("특가 품절")."""
    spaced = any(
        name.startswith(_ADDED_GAP) and any(ch.isspace() for ch in gap or "")
        for name, gap in match.groupdict().items()
    )
    if not spaced:
        return True
    text, start, end = match.string, match.start(), match.end()
    glued_before = start > 0 and text[start - 1].isalnum()
    glued_after = end < len(text) and text[end].isalnum()
    return not glued_before and not glued_after


def _matches(rule: WordRule, text: str) -> list[re.Match[str]]:
    found = _compile(rule.word, rule.regex).finditer(text)
    return [m for m in found if rule.regex or _stands_alone(m)]


@dataclass(frozen=True)
class WordRule:
    """One banned-word entry; ``replacement`` is used only by ``replace`` rules."""

    word: str
    action: WordAction
    replacement: str = ""
    regex: bool = False
    category: str = "prohibited"

    def __post_init__(self) -> None:
        if not self.word.strip():
            raise ValueError("a word rule needs a non-empty word")
        _compile(self.word, self.regex)  # fail at configuration time, not per item


@dataclass(frozen=True)
class WordOutcome:
    """Text after replacements, and which rules fired (by their ``word``)."""

    text: str
    blocked: tuple[str, ...]
    replaced: tuple[str, ...]
    warned: tuple[str, ...]


#: Seeds from the earlier design (business-rules §7). Operators extend these from review feedback.
DEFAULT_WORD_RULES: tuple[WordRule, ...] = (
    *(
        WordRule(word, "block")
        for word in (
            "병 치료",
            "질병 완치",
            "의약품",
            "처방전",
            "100% 효과",
            "무조건",
            "반드시 효과",
            "완치",
            "치료제",
        )
    ),
    WordRule("짝퉁", "block", category="trademark"),
    # Was 가품 → 제품 (business-rules §7 seed): "가품 아님" became "제품 아님". A claim goes to review.
    WordRule("가품", "block", category="trademark"),
    WordRule("최저가", "replace", replacement="합리적 가격", category="exaggeration"),
    WordRule("명품", "replace", replacement="고급", category="exaggeration"),
    WordRule("정품", "warn", category="trademark"),
)


def _blocks(rule: WordRule) -> bool:
    return rule.action == "block" or (rule.action == "replace" and rule.category in CLAIM_CATEGORIES)


def _rewrite(rule: WordRule, text: str) -> tuple[str, int]:
    matches = _matches(rule, text)
    if not matches:
        return text, 0
    parts: list[str] = []
    last = 0
    for match in matches:
        # Literal text, never a template: backslashes in a replacement are not interpreted.
        parts += [text[last : match.start()], rule.replacement]
        last = match.end()
    return "".join(parts) + text[last:], len(matches)


def apply_word_rules(text: str, rules: tuple[WordRule, ...]) -> WordOutcome:
    """Apply replacements, then report blocks (claims included) and warnings on the rewritten text."""
    replaced: list[str] = []
    for rule in rules:
        if rule.action == "replace" and not _blocks(rule):
            text, count = _rewrite(rule, text)
            if count:
                replaced.append(rule.word)
    blocked = [
        rule.word if rule.action == "block" else f"{rule.word} ({rule.category} claim: not rewritten)"
        for rule in rules
        if _blocks(rule) and _matches(rule, text)
    ]
    warned = [rule.word for rule in rules if rule.action == "warn" and _matches(rule, text)]
    return WordOutcome(text=text, blocked=tuple(blocked), replaced=tuple(replaced), warned=tuple(warned))


def first_hit(text: str, rules: tuple[WordRule, ...]) -> str | None:
    """The first block or replace rule that matches, for dropping a tag instead of rewriting it."""
    for rule in rules:
        if rule.action in ("block", "replace") and _matches(rule, text):
            return rule.word
    return None
