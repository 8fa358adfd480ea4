"""``build_product``: one Domeggook item → one Naver product payload, or every reason it cannot be.

Images are *inputs*: the caller asks ``image_sources(item)`` which supplier URLs to download,
validate and upload, then passes ``image_urls`` (source URL → Naver upload URL). The
representative image must be in the map (IMAGE_NOT_UPLOADED otherwise, because Naver rejects
external URLs); detail images missing from it are dropped from the HTML. The function is pure and
total: for any parsed item it returns ``Transformed`` or ``TransformRejected`` and never raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import ValidationError

from schemas.domeggook import DomeggookItem
from schemas.naver import (
    AfterServiceInfo,
    DetailAttribute,
    Images,
    ImageUrl,
    OriginProduct,
    ProductPayload,
    PurchaseQuantityInfo,
    SellerCodeInfo,
    SellerTag,
    SeoInfo,
    SmartstoreChannelProduct,
)
from storebridge.transform.bundle import bundle_item, bundle_label, bundle_size
from storebridge.transform.category import CategoryMatch, map_category
from storebridge.transform.content import build_detail, clean_name, detail_image_sources, seller_tags
from storebridge.transform.delivery import DeliveryPlan, build_delivery
from storebridge.transform.gates import GatePlan, plan_gates
from storebridge.transform.notice import build_notice, build_origin, tax_type
from storebridge.transform.options import OptionsOutcome, build_options
from storebridge.transform.price import compute_price, order_quantity
from storebridge.transform.result import (
    Adjustment,
    AdjustmentCode,
    Rejection,
    RejectionCode,
    Transformed,
    TransformRejected,
    TransformResult,
    adjust,
    reject,
)
from storebridge.transform.rules import LeafRules, Market, TransformRules
from storebridge.transform.text import clean_text, decode_entities, truncate

SELLER_CODE_PREFIX = "DG"


def seller_management_code(market: Market | str, item_no: int) -> str:
    """Deterministic Naver ``sellerManagementCode``: ``DG-{market}-{no}`` (the duplicate-prevention key)."""
    return f"{SELLER_CODE_PREFIX}-{market}-{item_no}"


@dataclass(frozen=True)
class ImageSources:
    """Supplier image URLs (already HTML-decoded) the caller must re-host before ``build_product``."""

    representative: str | None
    detail: tuple[str, ...]

    @property
    def all(self) -> tuple[str, ...]:
        """Representative first, then detail images, without repeats."""
        ordered = ((self.representative,) if self.representative else ()) + self.detail
        return tuple(dict.fromkeys(ordered))


def representative_source(item: DomeggookItem) -> str | None:
    """The largest thumbnail available (``original`` 760 px, else ``large``, else ``small``)."""
    thumb = item.thumb
    if thumb is None:
        return None
    for url in (thumb.original, thumb.large, thumb.small):
        decoded = decode_entities(url).strip()
        if decoded.startswith(("https://", "http://")):
            return decoded
    return None


def image_sources(item: DomeggookItem) -> ImageSources:
    """What to download: the representative image, plus detail images when licensed."""
    return ImageSources(representative=representative_source(item), detail=detail_image_sources(item))


def _gates(item: DomeggookItem, rules: TransformRules) -> list[Rejection]:
    no, market, found = item.no, rules.market, []
    listed = (
        None if item.channel is None else (item.channel.dome if market == "dome" else item.channel.supply)
    )
    if listed is False:
        found.append(
            reject(no, RejectionCode.MARKET_UNAVAILABLE, f"channel.{market}", f"not listed on {market}")
        )
    if item.basis.adult and not rules.allow_adult:
        found.append(reject(no, RejectionCode.ADULT_ONLY, "basis.adult", "adult-only item"))
    moq = order_quantity(item, market)
    if moq > rules.max_moq:
        cause = f"minimum order quantity {moq} exceeds {rules.max_moq}"
        found.append(reject(no, RejectionCode.MOQ_TOO_HIGH, "qty.domeMoq", cause))
    unit = (item.qty.dome_unit if market == "dome" else item.qty.supply_unit) if item.qty else None
    if unit is not None and unit > 1:
        cause = f"supplier sells in multiples of {unit}, which Naver cannot express"
        found.append(reject(no, RejectionCode.ORDER_UNIT_UNSUPPORTED, f"qty.{market}Unit", cause))
    return found


def _leaf_parts(
    item: DomeggookItem, category: CategoryMatch | Rejection, rules: TransformRules
) -> tuple[GatePlan | list[Rejection], LeafRules | None]:
    """The leaf's gate fields (or why it cannot pass them) and Naver's rules for it, if known."""
    if isinstance(category, Rejection):
        return GatePlan(), None
    leaf_id = category.leaf_category_id
    return plan_gates(item, leaf_id, rules), rules.leaves.get(leaf_id)


def bundle_code(code: str, per_unit: int) -> str:
    """``DG-{market}-{no}-x{N}``: the seller code that says one unit is a bundle of N pieces.

    Sent as ``sellerCustomCode1``; ``sellerManagementCode`` stays ``DG-{market}-{no}``, the key the
    sync claims *before* it fetches the item and reconciles by, so a changed MOQ never loses it.
    """
    return f"{code}-x{per_unit}"


def _bundled(item: DomeggookItem, rules: TransformRules) -> tuple[DomeggookItem, int, list[Adjustment]]:
    """The item as bundles of its MOQ when MOQ_POLICY=bundle applies, the bundle size, and a note."""
    per_unit = bundle_size(item, rules)
    if per_unit <= 1:
        return item, 1, []
    what = f"minimum order of {per_unit} pieces listed as one unit ({bundle_label(per_unit)})"
    note = adjust(item.no, AdjustmentCode.MOQ_BUNDLED, "qty.domeMoq", what)
    return bundle_item(item, per_unit, rules.market), per_unit, [note]


def _priced(
    delivery: DeliveryPlan | list[Rejection], options: OptionsOutcome, sale_price_won: int
) -> DeliveryPlan | list[Rejection]:
    """CONDITIONAL_FREE's amount from the dearest orderable unit (sale price + largest surcharge)."""
    if not isinstance(delivery, DeliveryPlan):
        return delivery
    info = options.option_info
    surcharges = [row.price for row in info.option_combinations if row.usable] if info is not None else []
    return delivery.priced((options.sale_price_won or sale_price_won) + max([0, *surcharges]))


def _purchase_quantity(moq: int, max_per_order: int | None) -> PurchaseQuantityInfo | None:
    if moq <= 1 and max_per_order is None:
        return None
    return PurchaseQuantityInfo(
        min_purchase_quantity=moq if moq > 1 else None, max_purchase_quantity_per_order=max_per_order
    )


def _representative(item: DomeggookItem, image_urls: Mapping[str, str]) -> str | Rejection:
    source = representative_source(item)
    if source is None:
        return reject(item.no, RejectionCode.IMAGE_MISSING, "thumb.original", "no representative image URL")
    mapped = image_urls.get(source, "")
    if not mapped.startswith(("https://", "http://")):
        cause = f"representative image {source[:100]!r} has no uploaded Naver URL"
        return reject(item.no, RejectionCode.IMAGE_NOT_UPLOADED, "thumb.original", cause)
    return mapped


def build_product(
    item: DomeggookItem, rules: TransformRules, image_urls: Mapping[str, str]
) -> TransformResult:
    """Validate and transform one item (business-rules §1 steps 3–4); see the module docstring."""
    no, code = item.no, seller_management_code(rules.market, item.no)
    # MOQ_POLICY=bundle: from here on one unit is ``per_unit`` supplier pieces (transform.bundle).
    item, per_unit, notes = _bundled(item, rules)
    rejections = _gates(item, rules)

    named = clean_name(item, rules)
    rejections += named.rejections
    notes += named.adjustments
    # The title may hold HTML (as in ``clean_name``): the notice and generated description get what
    # a shopper reads, never a tag turned into "(b)".
    name = (
        named.name or truncate(clean_text(item.basis.title, markup=True)[0], rules.name_max_chars) or str(no)
    )

    category = map_category(item, rules.category_map)
    if isinstance(category, Rejection):
        rejections.append(category)
    else:
        if not category.exact:
            what = f"category {category.source_code} mapped through {category.matched_code}"
            notes.append(adjust(no, AdjustmentCode.CATEGORY_FALLBACK, "category.current.code", what))
    # Per-leaf gates (certification, unit price) from Naver's reference data: see transform.gates.
    gated, leaf = _leaf_parts(item, category, rules)
    if not isinstance(gated, GatePlan):
        rejections += gated

    delivery = build_delivery(item, rules, order_quantity(item, rules.market), per_unit)
    rejections += [] if isinstance(delivery, DeliveryPlan) else delivery
    notes += delivery.adjustments if isinstance(delivery, DeliveryPlan) else ()
    share = delivery.shipping_share_won if isinstance(delivery, DeliveryPlan) else 0

    price = compute_price(item, rules, share)
    rejections += price.rejections
    notes += price.adjustments
    options = None
    if price.cost_won is not None and price.sale_price_won is not None:
        options = build_options(
            item,
            rules,
            cost_won=price.cost_won,
            sale_price_won=price.sale_price_won,
            seller_code=code,
            leaf_category_id=None if isinstance(category, Rejection) else category.leaf_category_id,
        )
        rejections += options.rejections
        notes += options.adjustments
        delivery = _priced(delivery, options, price.sale_price_won)

    notice = build_notice(item, name, rules, None if leaf is None else leaf.notice_types)
    origin, tax = build_origin(item, rules), tax_type(item)
    rejections += [part for part in (notice, origin, tax) if isinstance(part, Rejection)]

    representative = _representative(item, image_urls)
    if isinstance(representative, Rejection):
        rejections.append(representative)
    detail = build_detail(
        item, name, rules, image_urls, None if isinstance(representative, Rejection) else representative
    )
    rejections += detail.rejections
    notes += detail.adjustments
    tags, tag_notes = seller_tags(item, rules)
    notes += tag_notes

    if (
        rejections
        or isinstance(category, Rejection)
        or not isinstance(gated, GatePlan)
        or not isinstance(delivery, DeliveryPlan)
        or options is None
        or price.sale_price_won is None
        or isinstance(notice, Rejection)
        or isinstance(origin, Rejection)
        or isinstance(tax, Rejection)
        or isinstance(representative, Rejection)
        or detail.html is None
    ):
        # Every failure above also appended a rejection; the checks narrow the types below.
        if not rejections:  # invariant guard: never return a rejection without a reason
            rejections.append(reject(no, RejectionCode.PAYLOAD_INVALID, "payload", "incomplete transform"))
        return TransformRejected(item_no=no, rejections=tuple(rejections), adjustments=tuple(notes))
    try:
        payload = ProductPayload(
            origin_product=OriginProduct(
                status_type="SALE",
                sale_type="NEW",
                leaf_category_id=category.leaf_category_id,
                name=name,
                detail_content=detail.html,
                images=Images(representative_image=ImageUrl(url=representative)),
                sale_price=options.sale_price_won or price.sale_price_won,
                stock_quantity=options.stock_quantity,
                delivery_info=delivery.info,
                detail_attribute=DetailAttribute(
                    after_service_info=AfterServiceInfo(
                        after_service_telephone_number=rules.as_phone,
                        after_service_guide_content=rules.as_guide,
                    ),
                    origin_area_info=origin,
                    seller_code_info=SellerCodeInfo(
                        seller_management_code=code,
                        seller_custom_code1=bundle_code(code, per_unit) if per_unit > 1 else None,
                    ),
                    option_info=options.option_info,
                    product_info_provided_notice=notice,
                    minor_purchasable=not item.basis.adult,
                    tax_type=tax,
                    purchase_quantity_info=_purchase_quantity(
                        order_quantity(item, rules.market), delivery.max_order_units
                    ),
                    seo_info=SeoInfo(seller_tags=[SellerTag(text=tag) for tag in tags]) if tags else None,
                    product_certification_infos=list(gated.certifications) or None,
                    certification_target_exclude_content=gated.exclusion,
                    unit_capacity=gated.unit_capacity,
                ),
            ),
            smartstore_channel_product=SmartstoreChannelProduct(
                naver_shopping_registration=rules.naver_shopping_registration,
                channel_product_display_status_type="ON",
            ),
        )
    except ValidationError as exc:
        cause = f"payload failed validation: {_first_errors(exc)}"
        failure = reject(no, RejectionCode.PAYLOAD_INVALID, "payload", cause)
        return TransformRejected(item_no=no, rejections=(failure,), adjustments=tuple(notes))
    return Transformed(
        item_no=no,
        payload=payload,
        seller_management_code=code,
        leaf_category_id=category.leaf_category_id,
        adjustments=tuple(notes),
    )


def _first_errors(exc: ValidationError, limit: int = 3) -> str:
    parts = [
        f"{'.'.join(str(loc) for loc in error['loc'])}: {error['msg']}" for error in exc.errors()[:limit]
    ]
    return "; ".join(parts)
