"""A fixed Naver-style category tree and the ``/v1/categories`` handlers of the simulator.

The tree is a hand-made subset shaped like Naver's (8-digit IDs, ``>``-separated
``wholeCategoryName``, ``last=true`` on leaves; reference §4.7). IDs follow Naver's 5000xxxx style
and a few are real (``50000000``… top levels, ``50004655``), but the tree is *not* a copy of the
production one: map Domeggook categories against this list in the sandbox, never in production.

Some leaves carry gates the product validation enforces (reference §7.10): ``KC_CERTIFICATION`` /
``CHILD_CERTIFICATION`` need certification fields, and "가격표시제" leaves need
``detailAttribute.unitCapacity.unitPriceYn``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

from storebridge.sandbox.naver.state import get_state
from storebridge.sandbox.naver.wire import product_error

#: Exceptional category type that requires KC certification data (or an exemption).
KC_CERTIFICATION = "KC_CERTIFICATION"
#: Exceptional category type that requires children's-product certification data (or an exemption).
CHILD_CERTIFICATION = "CHILD_CERTIFICATION"

#: Exceptional category type excluded from Smart Store's option-price bands [DOC get-category-product.md]
#: (the simulator then allows −50…+100 % at every price: INFERRED, see validation/policy.py).
OPTION_PRICE = "OPTION_PRICE"

#: More exceptional-category types [DOC get-category-product.md]; the simulator's product
#: validation checks only KC/CHILD (and UNIT_PRICE through ``UNIT_PRICE_CATEGORIES``), the others
#: are served by ``GET /v1/categories/{id}`` for the client's per-leaf gates (issue 8 §1).
GREEN_PRODUCTS = "GREEN_PRODUCTS"
ORIGINAREA_PRODUCTS = "ORIGINAREA_PRODUCTS"
UNIT_PRICE = "UNIT_PRICE"
ADULT = "ADULT"

#: Leaves with gates: id -> exceptional category types. Which leaves carry which type is INFERRED
#: (a real food leaf lists GREEN_PRODUCTS and ORIGINAREA_PRODUCTS: OBSERVED oyi77/naver-smartstore
#: docs/naver-api-example.md); the type names are DOC get-category-product.md.
_EXCEPTIONAL: dict[str, tuple[str, ...]] = {
    "50000252": (KC_CERTIFICATION,),
    "50000280": (KC_CERTIFICATION,),
    "50000281": (KC_CERTIFICATION,),
    "50000870": (KC_CERTIFICATION,),
    "50001500": (CHILD_CERTIFICATION,),
    "50001501": (CHILD_CERTIFICATION,),
    "50001502": (CHILD_CERTIFICATION, KC_CERTIFICATION),
    "50001510": (CHILD_CERTIFICATION,),
    "50004655": (GREEN_PRODUCTS, ORIGINAREA_PRODUCTS),
    "50001620": (GREEN_PRODUCTS,),
    "50001600": (UNIT_PRICE,),
    "50001610": (UNIT_PRICE,),
    "50000890": (ADULT,),
    "50000706": (OPTION_PRICE,),
}
#: "가격표시제" leaves: products must state ``unitCapacity.unitPriceYn`` (observed 400, reference §2.10).
UNIT_PRICE_CATEGORIES: frozenset[str] = frozenset(k for k, v in _EXCEPTIONAL.items() if UNIT_PRICE in v)

#: ``certificationInfos`` served per exceptional type: (id, name, kindTypes). The shape is DOC
#: get-category-product.md; ids and names are INFERRED (Korean certification names, made-up ids).
_CERTIFICATION_INFOS: dict[str, tuple[tuple[int, str, tuple[str, ...]], ...]] = {
    KC_CERTIFICATION: (
        (1001, "[생활용품] 안전확인", (KC_CERTIFICATION,)),
        (1002, "[전기용품] 안전인증", (KC_CERTIFICATION,)),
        (1003, "[생활용품] 공급자적합성확인", (KC_CERTIFICATION,)),
    ),
    CHILD_CERTIFICATION: (
        (2001, "[어린이제품] 안전인증", (CHILD_CERTIFICATION,)),
        (2002, "[어린이제품] 공급자적합성확인", (CHILD_CERTIFICATION,)),
    ),
    GREEN_PRODUCTS: ((3001, "친환경농산물 인증", (GREEN_PRODUCTS,)),),
}

# (id, parent id or "", name) in tree order: parents before their children.
_ROWS: tuple[tuple[str, str, str], ...] = (
    ("50000000", "", "패션의류"),
    ("50000167", "50000000", "여성의류"),
    ("50000683", "50000167", "티셔츠"),
    ("50000684", "50000167", "블라우스/셔츠"),
    ("50000685", "50000167", "니트/스웨터"),
    ("50000687", "50000167", "원피스"),
    ("50000690", "50000167", "바지"),
    ("50000169", "50000000", "남성의류"),
    ("50000710", "50000169", "티셔츠"),
    ("50000713", "50000169", "셔츠/남방"),
    ("50000716", "50000169", "바지"),
    ("50000717", "50000169", "점퍼"),
    ("50000168", "50000000", "여성언더웨어/잠옷"),
    ("50000706", "50000168", "잠옷/홈웨어"),
    ("50000001", "", "패션잡화"),
    ("50000166", "50000001", "양말"),
    ("50001319", "50000166", "여성양말"),
    ("50001320", "50000166", "남성양말"),
    ("50000174", "50000001", "여성가방"),
    ("50000571", "50000174", "숄더백"),
    ("50000573", "50000174", "크로스백"),
    ("50000576", "50000174", "백팩"),
    ("50000181", "50000001", "모자"),
    ("50000830", "50000181", "야구모자"),
    ("50000831", "50000181", "비니"),
    ("50000183", "50000001", "지갑"),
    ("50000840", "50000183", "여성지갑"),
    ("50000841", "50000183", "남성지갑"),
    ("50000185", "50000001", "벨트"),
    ("50000845", "50000185", "남성벨트"),
    ("50000175", "50000001", "남성가방"),
    ("50000577", "50000175", "서류가방"),
    ("50000002", "", "화장품/미용"),
    ("50000190", "50000002", "스킨케어"),
    ("50000437", "50000190", "스킨/토너"),
    ("50000438", "50000190", "로션"),
    ("50000440", "50000190", "크림"),
    ("50000441", "50000190", "마스크/팩"),
    ("50000193", "50000002", "클렌징"),
    ("50000470", "50000193", "클렌징폼"),
    ("50000194", "50000002", "바디케어"),
    ("50000480", "50000194", "바디로션"),
    ("50000481", "50000194", "바디워시"),
    ("50000195", "50000002", "헤어케어"),
    ("50000490", "50000195", "샴푸"),
    ("50000491", "50000195", "헤어에센스"),
    ("50000197", "50000002", "네일케어"),
    ("50000500", "50000197", "매니큐어"),
    ("50000003", "", "디지털/가전"),
    ("50000204", "50000003", "휴대폰액세서리"),
    ("50000251", "50000204", "휴대폰케이스"),
    ("50000252", "50000204", "휴대폰충전기"),
    ("50000253", "50000204", "휴대폰보호필름"),
    ("50000209", "50000003", "음향가전"),
    ("50000260", "50000209", "이어폰"),
    ("50000261", "50000209", "블루투스스피커"),
    ("50000151", "50000003", "PC주변기기"),
    ("50000270", "50000151", "마우스"),
    ("50000271", "50000151", "키보드"),
    ("50000272", "50000151", "USB허브"),
    ("50000213", "50000003", "생활가전"),
    ("50000280", "50000213", "가습기"),
    ("50000281", "50000213", "선풍기"),
    ("50000004", "", "가구/인테리어"),
    ("50000100", "50000004", "침구"),
    ("50001100", "50000100", "이불"),
    ("50001101", "50000100", "베개"),
    ("50000101", "50000004", "인테리어소품"),
    ("50001110", "50000101", "액자"),
    ("50001111", "50000101", "디퓨저"),
    ("50001112", "50000101", "벽시계"),
    ("50000102", "50000004", "수납가구"),
    ("50001120", "50000102", "수납함"),
    ("50001121", "50000102", "선반"),
    ("50000005", "", "출산/육아"),
    ("50000140", "50000005", "완구/인형"),
    ("50001500", "50000140", "블록"),
    ("50001501", "50000140", "인형"),
    ("50001502", "50000140", "RC카"),
    ("50000142", "50000005", "수유용품"),
    ("50001510", "50000142", "젖병"),
    ("50000006", "", "식품"),
    ("50000145", "50000006", "축산물"),
    ("50001171", "50000145", "쇠고기"),
    ("50004655", "50001171", "수입산쇠고기"),
    ("50000146", "50000006", "가공식품"),
    ("50001600", "50000146", "라면"),
    ("50001601", "50000146", "과자"),
    ("50001602", "50000146", "통조림"),
    ("50000147", "50000006", "음료"),
    ("50001610", "50000147", "생수"),
    ("50001611", "50000147", "커피"),
    ("50000148", "50000006", "건강식품"),
    ("50001620", "50000148", "비타민"),
    ("50000007", "", "스포츠/레저"),
    ("50000160", "50000007", "캠핑"),
    ("50001700", "50000160", "텐트"),
    ("50001701", "50000160", "캠핑의자"),
    ("50001702", "50000160", "랜턴"),
    ("50000163", "50000007", "등산"),
    ("50001730", "50000163", "등산용품"),
    ("50000161", "50000007", "헬스"),
    ("50001710", "50000161", "요가매트"),
    ("50001711", "50000161", "덤벨"),
    ("50000162", "50000007", "자전거"),
    ("50001720", "50000162", "자전거헬멧"),
    ("50000008", "", "생활/건강"),
    ("50000080", "50000008", "주방용품"),
    ("50000803", "50000080", "텀블러"),
    ("50000804", "50000080", "프라이팬"),
    ("50000805", "50000080", "냄비"),
    ("50000806", "50000080", "주방칼"),
    ("50000807", "50000080", "밀폐용기"),
    ("50000808", "50000080", "수저/커트러리"),
    ("50000081", "50000008", "생활용품"),
    ("50000820", "50000081", "수건"),
    ("50000821", "50000081", "욕실용품"),
    ("50000822", "50000081", "청소용품"),
    ("50000823", "50000081", "세탁용품"),
    ("50000082", "50000008", "반려동물"),
    ("50000850", "50000082", "강아지사료"),
    ("50000851", "50000082", "고양이모래"),
    ("50000852", "50000082", "반려동물장난감"),
    ("50000853", "50000082", "목줄/하네스"),
    ("50000854", "50000082", "배변용품"),
    ("50000083", "50000008", "문구/사무용품"),
    ("50000860", "50000083", "필기구"),
    ("50000861", "50000083", "노트/수첩"),
    ("50000862", "50000083", "파일/바인더"),
    ("50000863", "50000083", "데스크정리용품"),
    ("50000084", "50000008", "공구"),
    ("50000870", "50000084", "전동공구"),
    ("50000871", "50000084", "수공구"),
    ("50000085", "50000008", "자동차용품"),
    ("50000880", "50000085", "차량용방향제"),
    ("50000881", "50000085", "차량용거치대"),
    ("50000086", "50000008", "성인용품"),
    ("50000890", "50000086", "성인용품기타"),
)


@dataclass(frozen=True)
class SimNaverCategory:
    """One category: ``last`` marks a leaf, the only kind a product may use."""

    id: str
    name: str
    whole_name: str
    parent_id: str | None
    last: bool
    exceptional: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """List shape of ``GET /v1/categories``: ``{wholeCategoryName, id, name, last}``."""
        return {"wholeCategoryName": self.whole_name, "id": self.id, "name": self.name, "last": self.last}

    def detail_json(self) -> dict[str, Any]:
        """Shape of ``GET /v1/categories/{id}`` [DOC get-category-product.md]."""
        infos = [
            {"id": cid, "name": name, "kindTypes": list(kinds), "green": kind == GREEN_PRODUCTS}
            for kind in self.exceptional
            for cid, name, kinds in _CERTIFICATION_INFOS.get(kind, ())
        ]
        exceptional = list(self.exceptional)
        return {**self.as_json(), "exceptionalCategories": exceptional, "certificationInfos": infos}


def _build(rows: tuple[tuple[str, str, str], ...]) -> list[SimNaverCategory]:
    parents = {parent for _, parent, _ in rows if parent}
    built: dict[str, SimNaverCategory] = {}
    for node_id, parent_id, name in rows:
        parent = built[parent_id] if parent_id else None
        whole = name if parent is None else f"{parent.whole_name}>{name}"
        built[node_id] = SimNaverCategory(
            node_id, name, whole, parent_id or None, node_id not in parents, _EXCEPTIONAL.get(node_id, ())
        )
    return list(built.values())


#: Every category in tree order.
NAVER_CATEGORIES: tuple[SimNaverCategory, ...] = tuple(_build(_ROWS))
CATEGORIES_BY_ID: dict[str, SimNaverCategory] = {c.id: c for c in NAVER_CATEGORIES}
#: IDs of the leaves (the valid ``leafCategoryId`` values).
LEAF_CATEGORY_IDS: tuple[str, ...] = tuple(c.id for c in NAVER_CATEGORIES if c.last)

if len(CATEGORIES_BY_ID) != len(_ROWS) or any(len(c.id) != 8 for c in NAVER_CATEGORIES):
    raise RuntimeError("category tree has a duplicate or malformed id")


async def list_categories(request: web.Request) -> web.Response:
    """``GET /v1/categories?last=true|false`` — a JSON array; ``last=true`` keeps leaves only."""
    only_leaves = request.query.get("last", "false").lower() == "true"
    items = [c.as_json() for c in NAVER_CATEGORIES if c.last or not only_leaves]
    return web.json_response(items)


async def get_category(request: web.Request) -> web.Response:
    """``GET /v1/categories/{categoryId}``; unknown IDs answer 404 in the product-error shape."""
    category = CATEGORIES_BY_ID.get(request.match_info["categoryId"])
    if category is None:
        return _not_found(request)
    return web.json_response(category.detail_json())


async def list_sub_categories(request: web.Request) -> web.Response:
    """``GET /v1/categories/{categoryId}/sub-categories`` — the direct children, as a list."""
    parent_id = request.match_info["categoryId"]
    if parent_id not in CATEGORIES_BY_ID:
        return _not_found(request)
    return web.json_response([c.as_json() for c in NAVER_CATEGORIES if c.parent_id == parent_id])


def _not_found(request: web.Request) -> web.Response:
    return product_error(404, now_s=get_state(request).clock(), message="존재하지 않는 카테고리입니다.")
