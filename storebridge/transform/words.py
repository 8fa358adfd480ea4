"""Banned-word rules (business-rules §7): block (send to review), replace (rewrite, continue), warn.

Plain words match case-insensitively and ignore spacing and zero-width characters between any two
letters ("병 치료" also matches "병치료", "무조건" also "무 조 건"), because suppliers dodge filters
with spacing and Naver's own detection is not that literal either. A rule
may instead be a regular expression. Blocks are checked *after* replacements, so a replacement that
introduces a blocked word (an operator mistake) is still caught.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

WordAction = Literal["block", "replace", "warn"]


#: What may sit between the letters of a plain word and still read as that word: spacing and
#: zero-width characters ("무 조 건", "완\u200b치"; ``\s`` covers the no-break space of ``&nbsp;``).
_GAP = r"[\s\u200b-\u200f\u2060\ufeff]*"


@lru_cache(maxsize=4096)
def _compile(word: str, regex: bool) -> re.Pattern[str]:
    if regex:
        return re.compile(word, re.IGNORECASE)
    letters = [re.escape(ch) for ch in word if not ch.isspace()]
    return re.compile(_GAP.join(letters), re.IGNORECASE)


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
    WordRule("가품", "replace", replacement="제품", category="trademark"),
    WordRule("최저가", "replace", replacement="합리적 가격"),
    WordRule("명품", "replace", replacement="고급", category="trademark"),
    WordRule("정품", "warn", category="trademark"),
)


def _literal(replacement: str) -> Callable[[re.Match[str]], str]:
    # A function, not a template string, so backslashes in a replacement are never interpreted.
    return lambda _match: replacement


def apply_word_rules(text: str, rules: tuple[WordRule, ...]) -> WordOutcome:
    """Apply replacements, then report blocks and warnings on the rewritten text."""
    replaced: list[str] = []
    for rule in rules:
        if rule.action == "replace":
            pattern = _compile(rule.word, rule.regex)
            text, count = pattern.subn(_literal(rule.replacement), text)
            if count:
                replaced.append(rule.word)
    blocked = [
        rule.word for rule in rules if rule.action == "block" and _compile(rule.word, rule.regex).search(text)
    ]
    warned = [
        rule.word for rule in rules if rule.action == "warn" and _compile(rule.word, rule.regex).search(text)
    ]
    return WordOutcome(text=text, blocked=tuple(blocked), replaced=tuple(replaced), warned=tuple(warned))


def first_hit(text: str, rules: tuple[WordRule, ...]) -> str | None:
    """The first block or replace rule that matches, for dropping a tag instead of rewriting it."""
    for rule in rules:
        if rule.action in ("block", "replace") and _compile(rule.word, rule.regex).search(text):
            return rule.word
    return None
