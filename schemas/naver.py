"""Pydantic v2 models of the Naver Commerce API product payloads and responses.

Over 400 lines because it is one wire format (requests and responses), kept whole so it has
exactly one parser; split it by resource when it grows further.

Request models (``NaverRequest``) forbid unknown fields and carry the documented limits, so a bug
in our own transform fails here, naming the field, instead of as a Naver 400 at 2 calls/s.
``to_wire()`` (``model_dump(by_alias=True, exclude_none=True, mode="json")``) produces the exact
camelCase JSON of the reference (naver-commerce-api.md §2). Response models ignore unknown keys:
Naver adds fields (the create response now echoes the product) and clients must read only what
they need. They are what ``storebridge.naver`` parses every answer body with; numbers Naver may
send as strings or leave out are ``LenientInt`` (``None`` when unusable) so that one odd field
does not cost a successful write its answer.

Over 400 lines because the product document is one nested wire format; its parts are not useful
apart.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

#: Largest sale price and option surcharge Naver accepts (won).
MAX_PRICE_WON = 999_999_990
#: Largest stock quantity (product and per option).
MAX_STOCK = 99_999_999
#: Largest base delivery fee (won).
MAX_BASE_FEE_WON = 100_000
#: Largest Jeju / island surcharge (won).
MAX_AREA_FEE_WON = 200_000
#: Largest return / exchange fee (won).
MAX_CLAIM_FEE_WON = 1_000_000
#: Most optional images besides the representative one.
MAX_OPTIONAL_IMAGES = 9
#: Longest product name we send (chars); the API states none, third parties report 100.
MAX_NAME_CHARS = 100

StatusType = Literal[
    "WAIT", "SALE", "OUTOFSTOCK", "UNADMISSION", "REJECTION", "SUSPENSION", "CLOSE", "PROHIBITION", "DELETE"
]
DeliveryFeeType = Literal["FREE", "CONDITIONAL_FREE", "PAID", "UNIT_QUANTITY_PAID", "RANGE_QUANTITY_PAID"]
NoticeType = Literal[
    "WEAR", "SHOES", "BAG", "FASHION_ITEMS", "SLEEPING_GEAR", "FURNITURE", "IMAGE_APPLIANCES",
    "HOME_APPLIANCES", "SEASON_APPLIANCES", "OFFICE_APPLIANCES", "OPTICS_APPLIANCES", "MICROELECTRONICS",
    "CELLPHONE", "NAVIGATION", "CAR_ARTICLES", "MEDICAL_APPLIANCES", "KITCHEN_UTENSILS", "COSMETIC",
    "JEWELLERY", "FOOD", "GENERAL_FOOD", "DIET_FOOD", "KIDS", "MUSICAL_INSTRUMENT", "SPORTS_EQUIPMENT",
    "BOOKS", "LODGMENT_RESERVATION", "TRAVEL_PACKAGE", "AIRLINE_TICKET", "RENT_CAR", "RENTAL_HA",
    "RENTAL_ETC", "DIGITAL_CONTENTS", "GIFT_CARD", "MOBILE_COUPON", "MOVIE_SHOW", "ETC_SERVICE",
    "BIOCHEMISTRY", "BIOCIDAL", "ETC",
]  # fmt: skip
MultiUpdateType = Literal[
    "SALE_PRICE", "IMMEDIATE_DISCOUNT", "STOCK", "PRODUCT_STATUS_SALE", "PRODUCT_STATUS_SUSPENSION"
]  # fmt: skip
SearchKeywordType = Literal["CHANNEL_PRODUCT_NO", "PRODUCT_NO", "GROUP_PRODUCT_NO", "SELLER_CODE"]

Won = int
Stock = int


def _int_or_none(value: object) -> int | None:
    """An int from an int or a digit string (Naver numbers are int64), else None; bools are not numbers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _blank_if_none(value: object) -> object:
    return "" if value is None else value


def _empty_if_none(value: object) -> object:
    return [] if value is None else value


#: A number read leniently: int or digit string, anything else (missing, null, garbage) is None.
LenientInt = Annotated[int | None, BeforeValidator(_int_or_none)]
#: A text whose ``null`` reads as empty.
Text = Annotated[str, BeforeValidator(_blank_if_none)]


class NaverRequest(BaseModel):
    """Base of everything we send: camelCase aliases, unknown fields forbidden, immutable."""

    model_config = ConfigDict(
        alias_generator=to_camel, validate_by_name=True, validate_by_alias=True, extra="forbid", frozen=True
    )

    def to_wire(self) -> dict[str, Any]:
        """The exact JSON body: camelCase keys, ``None`` fields left out."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class NaverResponse(BaseModel):
    """Base of everything we read: camelCase aliases, unknown fields ignored."""

    model_config = ConfigDict(
        alias_generator=to_camel, validate_by_name=True, validate_by_alias=True, extra="ignore", frozen=True
    )


# --------------------------------------------------------------------------- images


class ImageUrl(NaverRequest):
    """An image reference; the URL must come from the image-upload API."""

    url: str = Field(min_length=1)


class Images(NaverRequest):
    """Representative image plus up to nine optional images."""

    representative_image: ImageUrl
    optional_images: list[ImageUrl] | None = Field(default=None, max_length=MAX_OPTIONAL_IMAGES)


# --------------------------------------------------------------------------- delivery


class DeliveryFeeByArea(NaverRequest):
    """Jeju / island surcharges: ``AREA_2`` uses one fee for both, ``AREA_3`` one each."""

    delivery_area_type: Literal["AREA_2", "AREA_3"]
    area2_extra_fee: Won | None = Field(default=None, ge=0, le=MAX_AREA_FEE_WON, alias="area2extraFee")
    area3_extra_fee: Won | None = Field(default=None, ge=0, le=MAX_AREA_FEE_WON, alias="area3extraFee")


class DeliveryFee(NaverRequest):
    """Shipping fee rule."""

    delivery_fee_type: DeliveryFeeType
    base_fee: Won | None = Field(default=None, ge=0, le=MAX_BASE_FEE_WON)
    free_conditional_amount: Won | None = Field(default=None, ge=0, le=MAX_PRICE_WON)
    repeat_quantity: int | None = Field(default=None, ge=1)
    second_base_quantity: int | None = Field(default=None, ge=1)
    second_extra_fee: Won | None = Field(default=None, ge=0)
    third_base_quantity: int | None = Field(default=None, ge=1)
    third_extra_fee: Won | None = Field(default=None, ge=0)
    delivery_fee_pay_type: Literal["COLLECT", "PREPAID", "COLLECT_OR_PREPAID"] | None = None
    delivery_fee_by_area: DeliveryFeeByArea | None = None

    @model_validator(mode="after")
    def _fee_matches_type(self) -> DeliveryFee:
        if self.delivery_fee_type != "FREE" and not self.base_fee:
            raise ValueError(f"{self.delivery_fee_type} delivery needs a positive baseFee")
        if self.delivery_fee_type == "UNIT_QUANTITY_PAID" and self.repeat_quantity is None:
            raise ValueError("UNIT_QUANTITY_PAID delivery needs repeatQuantity")
        if self.delivery_fee_type == "CONDITIONAL_FREE" and not self.free_conditional_amount:
            raise ValueError("CONDITIONAL_FREE delivery needs freeConditionalAmount")
        return self


class ClaimDeliveryInfo(NaverRequest):
    """Return and exchange fees and addresses (address-book numbers)."""

    return_delivery_fee: Won = Field(ge=0, le=MAX_CLAIM_FEE_WON)
    exchange_delivery_fee: Won = Field(ge=0, le=MAX_CLAIM_FEE_WON)
    return_delivery_company_priority_type: str | None = None
    shipping_address_id: int | None = None
    return_address_id: int | None = None
    free_return_insurance_yn: bool | None = None


class DeliveryInfo(NaverRequest):
    """How the product ships; omitted entirely means "no delivery"."""

    delivery_type: Literal["DELIVERY", "DIRECT"]
    delivery_attribute_type: Literal["NORMAL"] = "NORMAL"
    delivery_company: str | None = None
    delivery_bundle_group_usable: bool | None = None
    delivery_bundle_group_id: int | None = None
    delivery_fee: DeliveryFee
    claim_delivery_info: ClaimDeliveryInfo

    @model_validator(mode="after")
    def _company_for_parcel(self) -> DeliveryInfo:
        if self.delivery_type == "DELIVERY" and not self.delivery_company:
            raise ValueError("deliveryCompany is required for DELIVERY")
        return self


# --------------------------------------------------------------------------- detail attribute


class AfterServiceInfo(NaverRequest):
    """A/S phone and guide; Naver rejects placeholders."""

    after_service_telephone_number: str = Field(min_length=1)
    after_service_guide_content: str = Field(min_length=1)


class OriginAreaInfo(NaverRequest):
    """Origin code (``00`` domestic, ``0200037`` China, ``03``/``04`` other) and importer."""

    origin_area_code: str = Field(min_length=2)
    importer: str | None = None
    content: str | None = None
    plural: bool | None = None

    @model_validator(mode="after")
    def _required_companions(self) -> OriginAreaInfo:
        if self.origin_area_code.startswith("02") and not self.importer:
            raise ValueError("imported origin (02…) needs importer")
        if self.origin_area_code == "04" and not self.content:
            raise ValueError("origin code 04 (직접 입력) needs content")
        return self


class SellerCodeInfo(NaverRequest):
    """Our keys; ``sellerManagementCode`` is how we find the product again."""

    seller_management_code: str | None = Field(default=None, max_length=100)
    seller_barcode: str | None = None
    seller_custom_code1: str | None = None
    seller_custom_code2: str | None = None


class OptionCombinationGroupNames(NaverRequest):
    """Names of up to three option axes."""

    option_group_name1: str = Field(min_length=1)
    option_group_name2: str | None = None
    option_group_name3: str | None = None


class OptionCombination(NaverRequest):
    """One variant row; note ``sellerManagerCode`` (not ``…Management…``) on options."""

    id: int | None = None
    option_name1: str = Field(min_length=1)
    option_name2: str | None = None
    option_name3: str | None = None
    stock_quantity: Stock = Field(default=0, ge=0, le=MAX_STOCK)
    price: Won = Field(default=0, ge=-MAX_PRICE_WON, le=MAX_PRICE_WON)
    usable: bool = True
    seller_manager_code: str | None = None


class OptionInfo(NaverRequest):
    """Combination options; the product stock must equal the sum of the rows."""

    option_combination_sort_type: Literal["CREATE", "ABC", "LOW_PRICE", "HIGH_PRICE"] | None = None
    option_combination_group_names: OptionCombinationGroupNames
    option_combinations: list[OptionCombination] = Field(min_length=1)
    use_stock_management: bool | None = None

    @model_validator(mode="after")
    def _names_match_axes(self) -> OptionInfo:
        names = self.option_combination_group_names
        axes = 1 + (names.option_group_name2 is not None) + (names.option_group_name3 is not None)
        for row in self.option_combinations:
            row_axes = 1 + (row.option_name2 is not None) + (row.option_name3 is not None)
            if row_axes != axes:
                raise ValueError(f"option row {row.option_name1!r} has {row_axes} names for {axes} groups")
        return self


class _PolicyAnswers(NaverRequest):
    """The five policy answers of every notice type: "0" standard wording, "1" 상품상세 참조, or free text."""

    return_cost_reason: str = Field(min_length=1)
    no_refund_reason: str = Field(min_length=1)
    quality_assurance_standard: str = Field(min_length=1)
    compensation_procedure: str = Field(min_length=1)
    trouble_shooting_contents: str = Field(min_length=1)


class EtcNotice(_PolicyAnswers):
    """상품정보제공고시 '기타 재화'; needs an A/S director or a customer-service phone."""

    item_name: str = Field(min_length=1, max_length=50)
    model_name: str = Field(min_length=1, max_length=50)
    manufacturer: str = Field(min_length=1, max_length=200)
    certificate_details: str | None = Field(default=None, max_length=500)
    after_service_director: str | None = Field(default=None, max_length=200)
    customer_service_phone_number: str | None = Field(default=None, max_length=30)

    @model_validator(mode="after")
    def _service_contact(self) -> EtcNotice:
        if not (self.after_service_director or self.customer_service_phone_number):
            raise ValueError("ETC notice needs afterServiceDirector or customerServicePhoneNumber")
        return self


class WearNotice(_PolicyAnswers):
    """상품정보제공고시 '의류' (``wear``) [DOC create-product-product.md]."""

    material: str = Field(min_length=1, max_length=1500)
    color: str = Field(min_length=1, max_length=200)
    size: str = Field(min_length=1, max_length=200)
    manufacturer: str = Field(min_length=1, max_length=200)
    caution: str = Field(min_length=1, max_length=1500)
    pack_date_text: str = Field(min_length=1, max_length=300)
    warranty_policy: str = Field(min_length=1, max_length=1500)
    after_service_director: str = Field(min_length=1, max_length=200)


class CosmeticNotice(_PolicyAnswers):
    """상품정보제공고시 '화장품' (``cosmetic``) [DOC create-product-product.md]."""

    capacity: str = Field(min_length=1, max_length=200)
    specification: str = Field(min_length=1, max_length=1500)
    expiration_date_text: str = Field(min_length=1, max_length=300)
    usage: str = Field(min_length=1, max_length=1500)
    manufacturer: str = Field(min_length=1, max_length=200)
    producer: str = Field(min_length=1, max_length=200)
    distributor: str = Field(min_length=1, max_length=200)
    main_ingredient: str = Field(min_length=1, max_length=1500)
    certification_type: str = Field(min_length=1, max_length=200)
    caution: str = Field(min_length=1, max_length=1500)
    warranty_policy: str = Field(min_length=1, max_length=1500)
    customer_service_phone_number: str = Field(min_length=1, max_length=30)


class FoodNotice(_PolicyAnswers):
    """상품정보제공고시 '식품(농수축산물)' (``food``) [DOC create-product-product.md]."""

    food_item: str = Field(min_length=1, max_length=200)
    weight: str = Field(min_length=1, max_length=50)
    amount: str = Field(min_length=1, max_length=200)
    size: str = Field(min_length=1, max_length=200)
    pack_date_text: str = Field(min_length=1, max_length=300)
    consumption_date_text: str = Field(min_length=1, max_length=300)
    producer: str = Field(min_length=1, max_length=200)
    relevant_law_content: str | None = Field(default=None, min_length=1, max_length=200)
    product_composition: str = Field(min_length=1, max_length=200)
    keep: str = Field(min_length=1, max_length=500)
    ad_caution: str = Field(min_length=1, max_length=500)
    customer_service_phone_number: str = Field(min_length=1, max_length=30)


class ProductInfoProvidedNotice(NaverRequest):
    """The legal notice: ``ETC``, ``WEAR``, ``COSMETIC`` and ``FOOD`` bodies are modelled (what we fill)."""

    product_info_provided_notice_type: NoticeType
    etc: EtcNotice | None = None
    wear: WearNotice | None = None
    cosmetic: CosmeticNotice | None = None
    food: FoodNotice | None = None

    @model_validator(mode="after")
    def _body_for_type(self) -> ProductInfoProvidedNotice:
        bodies = {"ETC": self.etc, "WEAR": self.wear, "COSMETIC": self.cosmetic, "FOOD": self.food}
        kind = self.product_info_provided_notice_type
        if bodies.get(kind) is None or sum(b is not None for b in bodies.values()) != 1:
            raise ValueError(f"notice type {kind} needs its own body and no other ({', '.join(bodies)})")
        return self


CertificationKindType = Literal[
    "KC_CERTIFICATION", "CHILD_CERTIFICATION", "GREEN_PRODUCTS", "PARALLEL_IMPORT", "OVERSEAS", "ETC"
]


class ProductCertificationInfo(NaverRequest):
    """One certificate (``productCertificationInfos[]``) [DOC create-product-product.md].

    ``certificationInfoId`` is a ``certificationInfos[].id`` of the leaf (``GET /v1/categories/{id}``).
    """

    certification_info_id: int
    certification_kind_type: CertificationKindType | None = None
    name: str | None = Field(default=None, max_length=100)
    certification_number: str | None = Field(default=None, max_length=100)
    certification_mark: bool | None = None
    company_name: str | None = Field(default=None, max_length=100)
    certification_date: str | None = None


class CertificationTargetExcludeContent(NaverRequest):
    """Whether the product is outside a certification gate of its leaf [DOC create-product-product.md]."""

    child_certified_product_exclusion_yn: bool | None = None
    kc_exemption_type: Literal["OVERSEAS", "SAFE_CRITERION", "PARALLEL_IMPORT"] | None = None
    kc_certified_product_exclusion_yn: Literal["FALSE", "KC_EXEMPTION_OBJECT", "TRUE"] | None = None
    green_certified_product_exclusion_yn: bool | None = None


class UnitCapacity(NaverRequest):
    """가격표시제 unit price (``unitCapacity``) [DOC create-product-product.md; values INFERRED]."""

    unit_price_yn: bool
    total_capacity_value: float | None = Field(default=None, gt=0)
    unit_capacity: int | None = Field(default=None, ge=1)
    indication_unit: str | None = None


class SellerTag(NaverRequest):
    """Search tag (≤ 10 per product)."""

    code: int | None = None
    text: str = Field(min_length=1, max_length=10)


class SeoInfo(NaverRequest):
    """SEO: page title, meta description, seller tags."""

    page_title: str | None = Field(default=None, max_length=100)
    meta_description: str | None = Field(default=None, max_length=160)
    seller_tags: list[SellerTag] | None = Field(default=None, max_length=10)


class PurchaseQuantityInfo(NaverRequest):
    """Per-order quantity limits (used for supplier minimum order quantities)."""

    min_purchase_quantity: int | None = Field(default=None, ge=1, le=10_000)
    max_purchase_quantity_per_id: int | None = Field(default=None, ge=1, le=MAX_STOCK)
    max_purchase_quantity_per_order: int | None = Field(default=None, ge=1, le=10_000)


class ProductAttribute(NaverRequest):
    """A category attribute value (IDs from the attribute APIs)."""

    attribute_seq: int
    attribute_value_seq: int
    attribute_real_value: str | None = None
    attribute_real_value_unit_code: str | None = None


class DetailAttribute(NaverRequest):
    """Everything legal and structural about the product besides price and content."""

    after_service_info: AfterServiceInfo
    origin_area_info: OriginAreaInfo
    seller_code_info: SellerCodeInfo | None = None
    option_info: OptionInfo | None = None
    product_info_provided_notice: ProductInfoProvidedNotice
    minor_purchasable: bool
    tax_type: Literal["TAX", "DUTYFREE", "SMALL"] | None = None
    purchase_quantity_info: PurchaseQuantityInfo | None = None
    product_attributes: list[ProductAttribute] | None = None
    seo_info: SeoInfo | None = None
    product_certification_infos: list[ProductCertificationInfo] | None = None
    certification_target_exclude_content: CertificationTargetExcludeContent | None = None
    unit_capacity: UnitCapacity | None = None


# --------------------------------------------------------------------------- product


class OriginProduct(NaverRequest):
    """The common product document (``originProduct``)."""

    status_type: StatusType
    sale_type: Literal["NEW", "OLD"] | None = None
    leaf_category_id: str = Field(pattern=r"^\d{1,12}$")
    name: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    detail_content: str = Field(min_length=1)
    images: Images
    sale_price: Won = Field(ge=1, le=MAX_PRICE_WON)
    stock_quantity: Stock = Field(ge=0, le=MAX_STOCK)
    delivery_info: DeliveryInfo | None = None
    detail_attribute: DetailAttribute

    @model_validator(mode="after")
    def _stock_is_option_sum(self) -> OriginProduct:
        options = self.detail_attribute.option_info
        if options is not None:
            total = sum(row.stock_quantity for row in options.option_combinations)
            if total != self.stock_quantity:
                raise ValueError(f"stockQuantity {self.stock_quantity} != sum of option stocks {total}")
        return self


class SmartstoreChannelProduct(NaverRequest):
    """Smart Store channel settings; only ``ON``/``SUSPENSION`` may be sent."""

    channel_product_name: str | None = None
    naver_shopping_registration: bool
    channel_product_display_status_type: Literal["ON", "SUSPENSION"]
    store_keep_exclusive_product: bool | None = None


class ProductPayload(NaverRequest):
    """Body of ``POST /v2/products`` and ``PUT /v2/products/origin-products/{no}`` (full replace)."""

    origin_product: OriginProduct
    smartstore_channel_product: SmartstoreChannelProduct


# --------------------------------------------------------------------------- price / stock / status (§4.5)


class ChangeStatusRequest(NaverRequest):
    """``PUT …/change-status``: leaving OUTOFSTOCK for SALE needs a stock quantity."""

    status_type: Literal["SALE", "OUTOFSTOCK", "SUSPENSION"]
    stock_quantity: Stock | None = Field(default=None, ge=0, le=MAX_STOCK)


class SalePrice(NaverRequest):
    """``productSalePrice`` wrapper."""

    sale_price: Won = Field(ge=1, le=MAX_PRICE_WON)


class OptionStockRow(NaverRequest):
    """Row of an option-stock update; omitted stock/price are saved as 0, so always send both."""

    id: int
    stock_quantity: Stock = Field(ge=0, le=MAX_STOCK)
    price: Won = Field(ge=-MAX_PRICE_WON, le=MAX_PRICE_WON)
    usable: bool = True


class OptionStockInfo(NaverRequest):
    """``optionInfo`` of an option-stock update."""

    option_combinations: list[OptionStockRow] = Field(min_length=1)
    use_stock_management: bool | None = None


class OptionStockRequest(NaverRequest):
    """``PUT …/option-stock``: price and per-option stock without a full replace."""

    product_sale_price: SalePrice | None = None
    option_info: OptionStockInfo


class MultiUpdateItem(NaverRequest):
    """One product of a multi-update."""

    origin_product_no: int
    multi_update_types: list[MultiUpdateType] = Field(min_length=1)
    product_sale_price: SalePrice | None = None
    stock_quantity: Stock | None = Field(default=None, ge=0, le=MAX_STOCK)


class MultiUpdateRequest(NaverRequest):
    """``PATCH …/multi-update``: different price/stock/status per product in one call."""

    multi_product_update_request_vos: list[MultiUpdateItem] = Field(min_length=1)


class ProductSearchRequest(NaverRequest):
    """``POST /v1/products/search``; we search by seller code before every create."""

    search_keyword_type: (
        Literal["CHANNEL_PRODUCT_NO", "PRODUCT_NO", "GROUP_PRODUCT_NO", "SELLER_CODE"] | None
    ) = None
    channel_product_nos: list[int] | None = None
    origin_product_nos: list[int] | None = None
    seller_management_code: str | None = None
    product_status_types: list[StatusType] | None = None
    page: int = Field(default=1, ge=1)
    size: int = Field(default=50, ge=1, le=500)


# --------------------------------------------------------------------------- responses


class CreateProductResponse(NaverResponse):
    """Create and update (full replace, option stock) success: only the numbers matter.

    The echoed product is ignored. An update's answer may leave ``originProductNo`` out (the caller
    knows it); a create's must carry it.
    """

    origin_product_no: LenientInt = None
    smartstore_channel_product_no: LenientInt = None
    window_channel_product_no: LenientInt = None


class InvalidInput(NaverResponse):
    """One field error: dot-path ``name`` (may be empty), rule ``type``, message; may be imprecise."""

    name: Text = ""
    type: Text = ""
    message: Text = ""


class NaverErrorBody(NaverResponse):
    """Product-API (``BAD_REQUEST`` …) and gateway (``GW.*``) error bodies, and token errors."""

    code: Text = ""
    message: Text = ""
    invalid_inputs: Annotated[list[InvalidInput], BeforeValidator(_empty_if_none)] = Field(
        default_factory=list
    )
    timestamp: str | None = None
    trace_id: str | None = None

    @property
    def is_gateway(self) -> bool:
        """Gateway errors (``GW.AUTHN``, ``GW.RATE_LIMIT`` …) come from Naver's edge, not the product API."""
        return self.code.startswith("GW.")


class TokenResponse(BaseModel):
    """OAuth2 token; snake_case on the wire, unlike everything else."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    access_token: str = Field(min_length=1)
    #: Seconds the token lives (10800 for a fresh one; less when Naver hands back the current one).
    expires_in: float = Field(gt=0)
    token_type: str = "Bearer"  # noqa: S105 - a scheme name, not a secret


class UploadedImage(NaverResponse):
    """One uploaded image: the URL that may be used in a product."""

    url: str = Field(min_length=1)


class ImageUploadResponse(NaverResponse):
    """Uploaded image URLs, one per file, in upload order."""

    images: list[UploadedImage]


class NaverCategory(NaverResponse):
    """One entry of ``GET /v1/categories``; only leaves (``last``) may carry products."""

    model_config = ConfigDict(coerce_numbers_to_str=True)

    id: str = Field(min_length=1)
    name: Text = ""
    whole_category_name: Text = ""
    last: bool = False


def _list_if_none(value: object) -> object:
    return [] if value is None else value


#: A list whose ``null`` reads as empty.
LenientList = BeforeValidator(_list_if_none)


class CertificationInfo(NaverResponse):
    """One certification a category accepts (``certificationInfos`` of ``GET /v1/categories/{id}``).

    ``id`` is what a product sends as ``productCertificationInfos[].certificationInfoId``
    [DOC get-category-product.md, create-product-product.md].
    """

    id: LenientInt = None
    name: Text = ""
    kind_types: Annotated[list[str], LenientList] = Field(default_factory=list)
    green: bool | None = None
    certification_mark_type: str | None = None
    non_essential: bool | None = None


class NaverCategoryDetail(NaverCategory):
    """``GET /v1/categories/{id}``: the category plus its gates (KC_CERTIFICATION, GREEN_PRODUCTS …)."""

    exceptional_categories: Annotated[list[str], LenientList] = Field(default_factory=list)
    certification_infos: Annotated[list[CertificationInfo], LenientList] = Field(default_factory=list)


class NoticeField(NaverResponse):
    """One field of a notice type (``productInfoProvidedNoticeContents[]``)."""

    field_type: Text = ""
    field_name: Text = ""
    field_description: Text = ""
    field_max_length: LenientInt = None


class NoticeTypeInfo(NaverResponse):
    """One entry of ``GET /v1/products-for-provided-notice``: a notice type and its fields."""

    product_info_provided_notice_type: Text = ""
    product_info_provided_notice_type_name: Text = ""
    product_info_provided_notice_contents: Annotated[list[NoticeField], LenientList] = Field(
        default_factory=list
    )


class OriginArea(NaverResponse):
    """One origin-area code and its name (``originAreaCodeNames[]``)."""

    code: Text = ""
    name: Text = ""


class OriginAreasResponse(NaverResponse):
    """``GET /v1/product-origin-areas`` [DOC get-all-origin-area-list-product.md]."""

    origin_area_code_names: Annotated[list[OriginArea], LenientList] = Field(default_factory=list)


class RestrictedTag(NaverResponse):
    """One answer of ``GET /v2/tags/restricted-tags``: is ``tag`` restricted.

    [DOC is-restrict-tags-product.md]
    """

    tag: Text = ""
    restricted: bool = False


class ChannelProductSummary(NaverResponse):
    """A search hit's channel product."""

    origin_product_no: LenientInt = None
    channel_product_no: LenientInt = None
    channel_service_type: str | None = None
    category_id: str | None = None
    name: str | None = None
    seller_management_code: str | None = None
    status_type: str | None = None
    channel_product_display_status_type: str | None = None
    sale_price: LenientInt = None
    stock_quantity: LenientInt = None


class SearchContent(NaverResponse):
    """One origin product of a search result (an entry without its number cannot be adopted)."""

    group_product_no: LenientInt = None
    origin_product_no: LenientInt = None
    channel_products: Annotated[list[ChannelProductSummary], BeforeValidator(_empty_if_none)] = Field(
        default_factory=list
    )


class ProductSearchResponse(NaverResponse):
    """Search result page; an empty result is ``contents: []``."""

    contents: Annotated[list[SearchContent], BeforeValidator(_empty_if_none)] = Field(default_factory=list)
    page: LenientInt = None
    size: LenientInt = None
    total_elements: LenientInt = None
    total_pages: LenientInt = None
    first: bool | None = None
    last: bool | None = None

    def with_seller_code(self, code: str) -> list[SearchContent]:
        """Exact-match post-filter: whether Naver matches seller codes exactly is unknown."""
        return [
            content
            for content in self.contents
            if any(channel.seller_management_code == code for channel in content.channel_products)
        ]


class CommonResponse(NaverResponse):
    """``{code, message, data}`` of status/multi/bulk updates and deletes."""

    code: str | None = None
    message: str | None = None
    data: Any = None


class ReadOptionCombination(NaverResponse):
    """An option row read back from Naver, with the ``id`` needed for option-stock updates."""

    id: LenientInt = None
    option_name1: str | None = None
    option_name2: str | None = None
    option_name3: str | None = None
    stock_quantity: LenientInt = None
    price: LenientInt = None
    usable: bool | None = None
    seller_manager_code: str | None = None


class ReadOptionInfo(NaverResponse):
    """``optionInfo`` as read back."""

    option_combinations: Annotated[list[ReadOptionCombination], BeforeValidator(_empty_if_none)] = Field(
        default_factory=list
    )


class ReadDetailAttribute(NaverResponse):
    """The parts of ``detailAttribute`` the sync reads back."""

    seller_code_info: dict[str, Any] | None = None
    option_info: ReadOptionInfo | None = None


class ReadOriginProduct(NaverResponse):
    """The parts of a stored origin product that price/stock sync needs."""

    status_type: str | None = None
    name: str | None = None
    sale_price: LenientInt = None
    stock_quantity: LenientInt = None
    detail_attribute: ReadDetailAttribute | None = None


class ProductReadResponse(NaverResponse):
    """``GET /v2/products/origin-products/{no}``; keep the raw JSON for a GET→modify→PUT."""

    origin_product: ReadOriginProduct
    smartstore_channel_product: dict[str, Any] | None = None
