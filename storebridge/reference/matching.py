"""Propose a Domeggook → Naver leaf for each Domeggook category by comparing Korean category paths.

Pure: no I/O. ``propose(sources, leaves)`` scores every plausible Naver leaf for each Domeggook
category and returns the best one with a confidence in [0, 1] and the runner-up, for a person to
confirm (``storebridge categories propose`` writes them as CSV; nothing is imported unconfirmed).

How a pair is scored:

- **Normalise** (``normalise``): NFKC, lower case, every character that is not a letter or digit
  removed, so "휴대폰 케이스", "휴대폰케이스" and "휴대폰-케이스" are one word.
- **Tokens** (``tokens``): the path split on ``>`` and inside a segment on ``/ · , &`` and spaces
  ("지갑/벨트" → 지갑, 벨트), each normalised; generic words (기타, 용품 alone) are dropped.
- **Two words** (``word_similarity``): 1 when equal; else the larger of the Dice coefficient of
  their character bigrams (Korean compounds share syllable pairs: 충전기 ~ 휴대폰충전기) and 0.85
  when one contains the other (케이스 in 휴대폰케이스).
- **Pair** (``score``): 0.65 × the best word similarity between the two *leaf* segments' tokens
  + 0.35 × the mean, over the Domeggook path's tokens, of their best similarity to any token of
  the Naver path. The leaf decides; the path breaks ties (여성의류>티셔츠 vs 남성의류>티셔츠).

A proposal whose runner-up scores within ``AMBIGUOUS_MARGIN`` is flagged ``ambiguous``. Candidates
are found through an index of syllable bigrams of the Naver leaves' names, so a real tree (~5,000
leaves) × a real Domeggook tree stays fast.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: Weight of the leaf segments' similarity; the path's similarity gets the rest.
LEAF_WEIGHT = 0.65
#: Similarity of two words when one contains the other (and they differ).
CONTAINMENT_SIMILARITY = 0.85
#: A runner-up this close to the best makes the proposal ``ambiguous``.
AMBIGUOUS_MARGIN = 0.05
#: Words that say nothing about a category on their own.
GENERIC_WORDS = frozenset({"기타", "용품", "잡화", "소품", "etc", "기타용품"})

_SPLIT = re.compile(r"[/·,&+|]|\s+")


@dataclass(frozen=True, slots=True)
class Category:
    """A category to match: its id or code and its ``>``-joined path of names."""

    key: str
    path: str


@dataclass(frozen=True, slots=True)
class Proposal:
    """The best Naver leaf for one Domeggook category, with the runner-up for the reviewer."""

    source: Category
    leaf: Category | None
    confidence: float
    runner_up: Category | None = None
    runner_up_confidence: float = 0.0

    @property
    def ambiguous(self) -> bool:
        """True when the runner-up is within ``AMBIGUOUS_MARGIN`` of the best (a person must choose)."""
        return self.runner_up is not None and self.confidence - self.runner_up_confidence < AMBIGUOUS_MARGIN


def normalise(text: str) -> str:
    """NFKC, lower case, letters and digits only."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if ch.isalnum())


def segments(path: str) -> list[str]:
    """The ``>``-separated names of a path, stripped (empty ones dropped)."""
    return [s.strip() for s in path.split(">") if s.strip()]


def tokens(text: str) -> list[str]:
    """The normalised words of a segment or path, generic words dropped, order kept, no repeats."""
    words = (normalise(w) for segment in segments(text) for w in _SPLIT.split(segment))
    return list(dict.fromkeys(w for w in words if w and w not in GENERIC_WORDS))


def _grams(word: str) -> frozenset[str]:
    if len(word) < 2:
        return frozenset({word}) if word else frozenset()
    return frozenset(word[i : i + 2] for i in range(len(word) - 1))


def word_similarity(a: str, b: str) -> float:
    """Similarity of two normalised words in [0, 1] (see the module doc)."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    ga, gb = _grams(a), _grams(b)
    dice = 2 * len(ga & gb) / (len(ga) + len(gb)) if ga and gb else 0.0
    contained = CONTAINMENT_SIMILARITY if min(len(a), len(b)) >= 2 and (a in b or b in a) else 0.0
    return max(dice, contained)


def _best(word: str, others: Sequence[str]) -> float:
    return max((word_similarity(word, o) for o in others), default=0.0)


def score(source_path: str, leaf_path: str) -> float:
    """Confidence that the Naver leaf at ``leaf_path`` is the Domeggook category at ``source_path``."""
    source_segments, leaf_segments = segments(source_path), segments(leaf_path)
    if not source_segments or not leaf_segments:
        return 0.0
    source_leaf = tokens(source_segments[-1]) or [normalise(source_segments[-1])]
    naver_leaf = tokens(leaf_segments[-1]) or [normalise(leaf_segments[-1])]
    leaf_similarity = max(_best(w, naver_leaf) for w in source_leaf)
    source_words, naver_words = tokens(source_path), tokens(leaf_path)
    path_similarity = (
        sum(_best(w, naver_words) for w in source_words) / len(source_words) if source_words else 0.0
    )
    return round(LEAF_WEIGHT * leaf_similarity + (1 - LEAF_WEIGHT) * path_similarity, 3)


class LeafIndex:
    """Naver leaves indexed by the syllable bigrams of their leaf names (candidate lookup)."""

    def __init__(self, leaves: Iterable[Category]) -> None:
        self.leaves = list(leaves)
        self._by_gram: dict[str, set[int]] = defaultdict(set)
        for index, leaf in enumerate(self.leaves):
            names = segments(leaf.path)
            for word in tokens(names[-1] if names else ""):
                for gram in _grams(word):
                    self._by_gram[gram].add(index)

    def candidates(self, source: Category) -> list[Category]:
        """Leaves sharing a bigram with the source's leaf words (all leaves when none does)."""
        names = segments(source.path)
        found: set[int] = set()
        for word in tokens(names[-1] if names else ""):
            for gram in _grams(word):
                found |= self._by_gram.get(gram, set())
        return [self.leaves[i] for i in sorted(found)] if found else self.leaves


def propose(sources: Iterable[Category], leaves: Iterable[Category]) -> list[Proposal]:
    """The best leaf (and runner-up) for every source, in the sources' order.

    Ties are broken by the leaf's key so the output is the same on every run.
    """
    index = LeafIndex(leaves)
    proposals: list[Proposal] = []
    for source in sources:
        ranked = sorted(
            ((score(source.path, leaf.path), leaf) for leaf in index.candidates(source)),
            key=lambda pair: (-pair[0], pair[1].key),
        )
        if not ranked:
            proposals.append(Proposal(source, None, 0.0))
            continue
        (best_score, best), *rest = ranked
        runner_score, runner = rest[0] if rest else (0.0, None)
        proposals.append(Proposal(source, best, best_score, runner, runner_score))
    return proposals
