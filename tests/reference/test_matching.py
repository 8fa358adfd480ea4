"""The category proposal: Korean path matching, confidences, runner-ups (pure)."""

from __future__ import annotations

from storebridge.reference.matching import Category, normalise, propose, score, tokens, word_similarity

LEAVES = [
    Category("50000803", "생활/건강>주방용품>텀블러"),
    Category("50000808", "생활/건강>주방용품>수저/커트러리"),
    Category("50000251", "디지털/가전>휴대폰액세서리>휴대폰케이스"),
    Category("50000252", "디지털/가전>휴대폰액세서리>휴대폰충전기"),
    Category("50000683", "패션의류>여성의류>티셔츠"),
    Category("50000710", "패션의류>남성의류>티셔츠"),
]


def test_spacing_punctuation_and_width_do_not_matter() -> None:
    assert normalise("휴대폰 케이스") == normalise("휴대폰-케이스") == normalise("휴대폰케이스")
    assert normalise("ＵＳＢ 허브") == "usb허브"
    assert tokens("패션잡화>지갑/벨트>기타") == ["패션잡화", "지갑", "벨트"]


def test_compound_words_are_similar_and_unrelated_ones_are_not() -> None:
    assert word_similarity("텀블러", "텀블러") == 1.0
    assert word_similarity("케이스", "휴대폰케이스") == 0.85
    assert 0.5 < word_similarity("충전기", "휴대폰충전기") < 1.0
    assert word_similarity("텀블러", "티셔츠") == 0.0


def test_the_path_breaks_a_tie_between_equal_leaf_names() -> None:
    women, men = score("의류>여성의류>티셔츠", LEAVES[4].path), score("의류>여성의류>티셔츠", LEAVES[5].path)
    assert women > men


def test_each_source_gets_its_best_leaf_with_a_confidence_and_a_runner_up() -> None:
    sources = [
        Category("04_01_03_00_00", "생활용품>주방용품>텀블러"),
        Category("05_02_03_00_00", "디지털/가전>휴대폰액세서리>케이스"),
        Category("02_03_01_00_00", "의류>남성의류>티셔츠"),
    ]
    tumbler, case, tshirt = propose(sources, LEAVES)

    assert tumbler.leaf is not None
    assert tumbler.leaf.key == "50000803"
    assert tumbler.confidence >= 0.9
    assert not tumbler.ambiguous
    assert case.leaf is not None
    assert case.leaf.key == "50000251"
    assert case.runner_up is None, "only leaves sharing a syllable pair with 케이스 are candidates"
    assert tshirt.leaf is not None
    assert tshirt.leaf.key == "50000710"
    assert tshirt.runner_up is not None
    assert tshirt.runner_up.key == "50000683"


def test_a_category_with_no_similar_leaf_gets_a_low_confidence() -> None:
    (proposal,) = propose([Category("09_02_01_00_00", "반려동물>고양이용품>스크래쳐")], LEAVES)
    assert proposal.confidence < 0.5


def test_no_leaves_means_no_proposal() -> None:
    (proposal,) = propose([Category("04_01_03_00_00", "텀블러")], [])
    assert proposal.leaf is None
    assert proposal.confidence == 0.0
