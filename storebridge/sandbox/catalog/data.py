"""Static data behind the sandbox catalog: a small Domeggook category tree and word pools.

Over 400 lines only because it is pure data that the formatter spreads one field per line.

Kept apart from the generator so the data reads as data and the tests can map the tree without
going through a generated catalog. Category names and the code format (five 2-digit levels,
``대_중_소_세_세세``) follow the reference (``domeggook-api.md`` §2.6); the concrete tree is a
trimmed, invented-but-plausible subset of the real one (``01`` 패션잡화 › ``07`` 남성가방 › ``03``
서류가방 and ``04`` 생활용품 › ``01`` 주방용품 › ``03`` 텀블러 appear in the reference).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Every category the simulated ``getCategoryList`` serves, code → name, parents before children.
DOMEGGOOK_CATEGORIES: dict[str, str] = {
    "01_00_00_00_00": "패션잡화",
    "01_02_00_00_00": "지갑/벨트",
    "01_02_01_00_00": "지갑",
    "01_02_04_00_00": "벨트",
    "01_04_00_00_00": "모자",
    "01_04_01_00_00": "야구모자",
    "01_07_00_00_00": "남성가방",
    "01_07_03_00_00": "서류가방",
    "01_07_05_00_00": "백팩",
    "02_00_00_00_00": "의류",
    "02_01_00_00_00": "여성의류",
    "02_01_02_00_00": "티셔츠",
    "02_01_05_00_00": "원피스",
    "02_03_00_00_00": "남성의류",
    "02_03_01_00_00": "티셔츠",
    "02_03_04_00_00": "바지",
    "02_06_00_00_00": "언더웨어",
    "02_06_02_00_00": "양말",
    "03_00_00_00_00": "화장품/미용",
    "03_01_00_00_00": "스킨케어",
    "03_01_01_00_00": "스킨/토너",
    "03_01_04_00_00": "마스크팩",
    "03_05_00_00_00": "헤어케어",
    "03_05_02_00_00": "샴푸",
    "04_00_00_00_00": "생활용품",
    "04_01_00_00_00": "주방용품",
    "04_01_03_00_00": "텀블러",
    "04_01_05_00_00": "밀폐용기",
    "04_01_05_02_00": "유리밀폐용기",
    "04_01_08_00_00": "조리도구",
    "04_02_00_00_00": "욕실용품",
    "04_02_01_00_00": "수건",
    "04_02_03_00_00": "욕실소품",
    "04_05_00_00_00": "수납/정리",
    "04_05_02_00_00": "수납박스",
    "05_00_00_00_00": "디지털/가전",
    "05_02_00_00_00": "휴대폰액세서리",
    "05_02_01_00_00": "충전기",
    "05_02_03_00_00": "케이스",
    "05_04_00_00_00": "생활가전",
    "05_04_02_00_00": "선풍기",
    "05_04_06_00_00": "가습기",
    "06_00_00_00_00": "문구/사무",
    "06_01_00_00_00": "필기구",
    "06_01_01_00_00": "볼펜",
    "06_03_00_00_00": "사무용품",
    "06_03_02_00_00": "파일/바인더",
    "07_00_00_00_00": "스포츠/레저",
    "07_02_00_00_00": "캠핑",
    "07_02_01_00_00": "캠핑의자",
    "07_02_04_00_00": "랜턴",
    "07_05_00_00_00": "헬스/요가",
    "07_05_01_00_00": "요가매트",
    "07_07_00_00_00": "등산용품",
    "08_00_00_00_00": "완구/취미",
    "08_01_00_00_00": "인형/피규어",
    "08_01_02_00_00": "봉제인형",
    "08_04_00_00_00": "교육완구",
    "08_04_01_00_00": "블록",
    "09_00_00_00_00": "반려동물",
    "09_01_00_00_00": "강아지용품",
    "09_01_03_00_00": "장난감",
    "09_01_05_00_00": "배변용품",
    "09_02_00_00_00": "고양이용품",
    "09_02_01_00_00": "스크래쳐",
}

#: Categories flagged ``locked: "true"`` in getCategoryList (meaning unknown, [GUESS] "cannot
#: register here"); ``isReg=true`` leaves them out.
LOCKED_CATEGORIES: frozenset[str] = frozenset({"03_05_02_00_00"})

#: A code that looks valid but is not in the tree: items tagged ``unmapped_category`` use it.
UNMAPPED_CATEGORY_CODE = "13_05_02_00_00"
UNMAPPED_CATEGORY_NAME = "기타잡화"

COLOURS = ("블랙", "화이트", "네이비", "그레이", "베이지", "핑크", "민트", "레드", "옐로우", "브라운")
CLOTHING_SIZES = ("S", "M", "L", "XL", "2XL")
AXIS_COLOUR = ("색상", COLOURS)
AXIS_SIZE = ("사이즈", CLOTHING_SIZES)
AXIS_PACK = ("구성", ("1개", "2개입", "5개입", "10개입"))
AXIS_CAPACITY = ("용량", ("300ml", "500ml", "750ml", "1L"))
AXIS_TYPE = ("타입", ("A형", "B형", "C형"))


@dataclass(frozen=True)
class LeafProfile:
    """What items in one leaf category look like: nouns for titles, price band, option axes.

    ``info_duty_type`` is the 상품정보제공고시 group code put in ``detail.infoDuty.type``; the real
    numbering is unknown ([GUESS]), only the field's presence matters to clients.
    """

    nouns: tuple[str, ...]
    specs: tuple[str, ...]
    price_won: tuple[int, int]
    axes: tuple[tuple[str, tuple[str, ...]], ...]
    info_duty_type: str
    info_duty_extra: tuple[str, ...] = ()


_CLOTHES_DUTY = ("제품소재", "색상", "치수", "세탁방법 및 취급시 주의사항")
_BAG_DUTY = ("종류", "소재", "색상", "크기")
_COSMETIC_DUTY = ("용량 또는 중량", "제품 주요 사양", "사용기한", "사용방법", "주요성분")
_KITCHEN_DUTY = ("재질", "구성품", "크기", "수입식품안전관리특별법에 따른 수입 기구·용기의 문구")
_DIGITAL_DUTY = ("KC 인증정보", "정격전압, 소비전력", "출시년월", "크기, 무게")
_GENERIC_DUTY = ("KC 인증정보", "크기, 중량")

LEAF_PROFILES: dict[str, LeafProfile] = {
    "01_02_01_00_00": LeafProfile(
        ("반지갑", "장지갑", "카드지갑"), ("소가죽", "PU"), (3000, 25000), (AXIS_COLOUR,), "4", _BAG_DUTY
    ),
    "01_02_04_00_00": LeafProfile(
        ("남성 벨트", "자동 벨트", "캔버스 벨트"),
        ("110cm", "125cm"),
        (2500, 15000),
        (AXIS_COLOUR,),
        "4",
        _BAG_DUTY,
    ),
    "01_04_01_00_00": LeafProfile(
        ("볼캡", "야구모자", "버킷햇"), ("면", "워싱"), (2000, 9000), (AXIS_COLOUR,), "4", _BAG_DUTY
    ),
    "01_07_03_00_00": LeafProfile(
        ("서류가방", "브리프케이스", "노트북가방"),
        ("15인치", "대용량"),
        (9000, 45000),
        (AXIS_COLOUR,),
        "3",
        _BAG_DUTY,
    ),
    "01_07_05_00_00": LeafProfile(
        ("백팩", "노트북 백팩", "여행용 백팩"),
        ("방수", "USB포트"),
        (8000, 39000),
        (AXIS_COLOUR,),
        "3",
        _BAG_DUTY,
    ),
    "02_01_02_00_00": LeafProfile(
        ("반팔 티셔츠", "라운드 티", "루즈핏 티셔츠"),
        ("면100%", "오버핏"),
        (2500, 12000),
        (AXIS_COLOUR, AXIS_SIZE),
        "1",
        _CLOTHES_DUTY,
    ),
    "02_01_05_00_00": LeafProfile(
        ("롱 원피스", "셔츠 원피스", "니트 원피스"),
        ("플라워", "린넨"),
        (6000, 29000),
        (AXIS_COLOUR, AXIS_SIZE),
        "1",
        _CLOTHES_DUTY,
    ),
    "02_03_01_00_00": LeafProfile(
        ("남성 반팔티", "기능성 티셔츠", "헨리넥 티"),
        ("쿨링", "빅사이즈"),
        (2500, 11000),
        (AXIS_COLOUR, AXIS_SIZE),
        "1",
        _CLOTHES_DUTY,
    ),
    "02_03_04_00_00": LeafProfile(
        ("슬랙스", "카고바지", "트레이닝 바지"),
        ("밴딩", "스판"),
        (5000, 25000),
        (AXIS_COLOUR, AXIS_SIZE),
        "1",
        _CLOTHES_DUTY,
    ),
    "02_06_02_00_00": LeafProfile(
        ("발목양말", "스포츠 양말", "덧신"),
        ("10켤레", "무지"),
        (500, 3000),
        (AXIS_COLOUR, AXIS_PACK),
        "1",
        _CLOTHES_DUTY,
    ),
    "03_01_01_00_00": LeafProfile(
        ("수분 토너", "스킨 토너", "진정 토너"),
        ("200ml", "500ml"),
        (2000, 15000),
        (AXIS_CAPACITY,),
        "20",
        _COSMETIC_DUTY,
    ),
    "03_01_04_00_00": LeafProfile(
        ("마스크팩", "시트 마스크", "수면팩"),
        ("10매", "알로에"),
        (300, 9000),
        (AXIS_PACK,),
        "20",
        _COSMETIC_DUTY,
    ),
    "03_05_02_00_00": LeafProfile(
        ("탈모 샴푸", "약산성 샴푸", "대용량 샴푸"),
        ("1000ml", "쿨링"),
        (3000, 14000),
        (AXIS_CAPACITY,),
        "20",
        _COSMETIC_DUTY,
    ),
    "04_01_03_00_00": LeafProfile(
        ("스텐 진공 텀블러", "보온보냉 텀블러", "빨대 텀블러"),
        ("500ml", "보온보냉"),
        (2500, 15000),
        (AXIS_COLOUR, AXIS_CAPACITY),
        "19",
        _KITCHEN_DUTY,
    ),
    "04_01_05_00_00": LeafProfile(
        ("밀폐용기", "반찬통", "김치통"),
        ("6종세트", "BPA프리"),
        (1500, 12000),
        (AXIS_PACK,),
        "19",
        _KITCHEN_DUTY,
    ),
    "04_01_05_02_00": LeafProfile(
        ("유리 밀폐용기", "내열유리 용기", "오븐용기"),
        ("사각", "원형"),
        (2500, 16000),
        (AXIS_TYPE,),
        "19",
        _KITCHEN_DUTY,
    ),
    "04_01_08_00_00": LeafProfile(
        ("실리콘 뒤집개", "스텐 국자", "집게"),
        ("내열", "업소용"),
        (800, 6000),
        (AXIS_COLOUR,),
        "19",
        _KITCHEN_DUTY,
    ),
    "04_02_01_00_00": LeafProfile(
        ("호텔수건", "세면타올", "극세사 타올"),
        ("40수", "200g"),
        (1200, 6000),
        (AXIS_COLOUR, AXIS_PACK),
        "35",
        _GENERIC_DUTY,
    ),
    "04_02_03_00_00": LeafProfile(
        ("칫솔꽂이", "비누받침", "욕실 선반"),
        ("흡착식", "무타공"),
        (900, 9000),
        (AXIS_COLOUR,),
        "35",
        _GENERIC_DUTY,
    ),
    "04_05_02_00_00": LeafProfile(
        ("리빙박스", "수납함", "폴딩 박스"),
        ("대형", "뚜껑포함"),
        (1500, 12000),
        (AXIS_COLOUR, AXIS_TYPE),
        "35",
        _GENERIC_DUTY,
    ),
    "05_02_01_00_00": LeafProfile(
        ("고속 충전기", "PD 충전기", "무선 충전 패드"),
        ("15W", "C타입"),
        (1800, 16000),
        (AXIS_COLOUR,),
        "12",
        _DIGITAL_DUTY,
    ),
    "05_02_03_00_00": LeafProfile(
        ("젤리 케이스", "범퍼 케이스", "카드 케이스"),
        ("투명", "아이폰15"),
        (700, 6000),
        (AXIS_COLOUR, AXIS_TYPE),
        "35",
        _GENERIC_DUTY,
    ),
    "05_04_02_00_00": LeafProfile(
        ("탁상용 선풍기", "써큘레이터", "넥밴드 선풍기"),
        ("USB", "무선"),
        (5000, 35000),
        (AXIS_COLOUR,),
        "12",
        _DIGITAL_DUTY,
    ),
    "05_04_06_00_00": LeafProfile(
        ("미니 가습기", "초음파 가습기", "무드등 가습기"),
        ("300ml", "USB"),
        (4000, 28000),
        (AXIS_COLOUR,),
        "12",
        _DIGITAL_DUTY,
    ),
    "06_01_01_00_00": LeafProfile(
        ("중성펜", "볼펜 세트", "3색 볼펜"),
        ("0.5mm", "12자루"),
        (300, 5000),
        (AXIS_COLOUR, AXIS_PACK),
        "35",
        _GENERIC_DUTY,
    ),
    "06_03_02_00_00": LeafProfile(
        ("클리어 파일", "링 바인더", "정리 폴더"),
        ("A4", "20매"),
        (400, 4000),
        (AXIS_COLOUR,),
        "35",
        _GENERIC_DUTY,
    ),
    "07_02_01_00_00": LeafProfile(
        ("캠핑 의자", "릴렉스 체어", "접이식 의자"),
        ("경량", "수납가방"),
        (9000, 45000),
        (AXIS_COLOUR,),
        "35",
        _GENERIC_DUTY,
    ),
    "07_02_04_00_00": LeafProfile(
        ("LED 랜턴", "캠핑 랜턴", "충전식 랜턴"),
        ("USB충전", "방수"),
        (3000, 22000),
        (AXIS_COLOUR,),
        "12",
        _DIGITAL_DUTY,
    ),
    "07_05_01_00_00": LeafProfile(
        ("요가매트", "TPE 매트", "NBR 매트"),
        ("10mm", "미끄럼방지"),
        (4000, 19000),
        (AXIS_COLOUR,),
        "35",
        _GENERIC_DUTY,
    ),
    # A level-2 leaf: its single parent makes ``category.parents.elem`` collapse to an object.
    "07_07_00_00_00": LeafProfile(
        ("등산 스틱", "등산 장갑", "아이젠"),
        ("초경량", "접이식"),
        (2500, 19000),
        (AXIS_COLOUR,),
        "35",
        _GENERIC_DUTY,
    ),
    "08_01_02_00_00": LeafProfile(
        ("곰인형", "애착인형", "쿠션 인형"),
        ("30cm", "대형"),
        (2500, 18000),
        (AXIS_COLOUR, AXIS_TYPE),
        "30",
        _GENERIC_DUTY,
    ),
    "08_04_01_00_00": LeafProfile(
        ("블록 세트", "자석 블록", "원목 블록"),
        ("100pcs", "교구"),
        (5000, 30000),
        (AXIS_TYPE,),
        "30",
        _GENERIC_DUTY,
    ),
    "09_01_03_00_00": LeafProfile(
        ("강아지 장난감", "노즈워크 장난감", "터그 로프"),
        ("삑삑이", "내구성"),
        (900, 8000),
        (AXIS_COLOUR,),
        "35",
        _GENERIC_DUTY,
    ),
    "09_01_05_00_00": LeafProfile(
        ("배변패드", "배변봉투", "배변판"),
        ("100매", "대형"),
        (1500, 19000),
        (AXIS_PACK,),
        "35",
        _GENERIC_DUTY,
    ),
    "09_02_01_00_00": LeafProfile(
        ("고양이 스크래쳐", "골판지 스크래쳐", "숨숨집 스크래쳐"),
        ("대형", "리필"),
        (1800, 15000),
        (AXIS_TYPE,),
        "35",
        _GENERIC_DUTY,
    ),
}

ADJECTIVES = (
    "고급",
    "국산",
    "대용량",
    "휴대용",
    "초경량",
    "프리미엄",
    "심플",
    "베이직",
    "실속형",
    "신상",
    "데일리",
    "북유럽풍",
    "업소용",
    "가정용",
    "미니",
)
TITLE_PREFIXES = ("", "", "", "", "[무료배송] ", "(당일발송) ", "[도매] ", "1+1 ", "[묶음할인] ")

COMPANY_STEMS = (
    ("한일", "hanil"),
    ("대성", "daesung"),
    ("미래", "mirae"),
    ("새롬", "saerom"),
    ("오름", "oreum"),
    ("다온", "daon"),
    ("가온", "gaon"),
    ("하나", "hana"),
    ("누리", "nuri"),
    ("세진", "sejin"),
    ("태양", "taeyang"),
    ("동방", "dongbang"),
    ("청솔", "cheongsol"),
    ("으뜸", "eutteum"),
    ("보람", "boram"),
)
COMPANY_SUFFIXES = (
    ("상사", "sangsa"),
    ("유통", "dist"),
    ("무역", "trade"),
    ("리빙", "living"),
    ("코리아", "korea"),
    ("컴퍼니", "company"),
    ("트레이딩", "trading"),
)
BOSS_NAMES = (
    "김민수",
    "이서연",
    "박지훈",
    "최유진",
    "정현우",
    "강수빈",
    "조은지",
    "윤성호",
    "장하늘",
    "임도윤",
)
ADDRESSES = (
    ("10391", "경기도 고양시 일산동구 중앙로 1234"),
    ("04542", "서울특별시 중구 을지로 100"),
    ("22836", "인천광역시 서구 가좌로 55"),
    ("14527", "경기도 부천시 오정로 200"),
    ("46978", "부산광역시 사상구 학장로 77"),
    ("41585", "대구광역시 북구 산격로 12"),
)
COUNTRIES = (("아시아_중국", "중국"), ("대한민국", "대한민국"), ("아시아_베트남", "베트남"))

#: Words from the banned-word seeds (business-rules §7); ``banned_word_title`` items carry one.
BANNED_TITLE_WORDS = ("짝퉁", "100% 효과", "질병 완치", "치료제")

#: Values for the four-axis and many-combination hostile items (Naver allows at most three
#: option groups and the business rules at most 100 combinations).
FOUR_AXES = (
    ("색상", ("블랙", "화이트")),
    ("사이즈", ("M", "L")),
    ("타입", ("A형", "B형")),
    ("구성", ("단품", "세트")),
)
MANY_AXES = (
    ("색상", (*COLOURS, "오렌지", "퍼플")),
    ("사이즈", ("230", "235", "240", "245", "250", "255", "260", "265", "270", "275")),
)


def category_depth(code: str) -> int:
    """Number of non-``00`` levels of a five-level code (``04_01_03_00_00`` → 3)."""
    parts = code.split("_")
    depth = 0
    for part in parts:
        if part == "00":
            break
        depth += 1
    return depth


def category_ancestors(code: str) -> list[str]:
    """Codes of every ancestor of ``code``, top level first (``04_01_03_00_00`` → 04…, 04_01…)."""
    parts = code.split("_")
    return ["_".join(parts[:level] + ["00"] * (5 - level)) for level in range(1, category_depth(code))]


def category_name(code: str) -> str:
    """Name of ``code``; the unmapped code gets its own name and unknown codes ``기타``."""
    if code == UNMAPPED_CATEGORY_CODE:
        return UNMAPPED_CATEGORY_NAME
    return DOMEGGOOK_CATEGORIES.get(code, "기타")
