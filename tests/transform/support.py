"""What the whole-product transform tests share: their rules and the sample item's uploaded images."""

from __future__ import annotations

from storebridge.transform import TransformRules

#: Three mapped Domeggook categories (the samples' among them) and a real-looking A/S phone.
RULES = TransformRules(
    category_map={"04_01_00_00_00": "50000803", "05_00_00_00_00": "50001234", "01_07_00_00_00": "50000830"},
    as_phone="02-1234-5678",
)
#: The images of ``item_view_single.json``, and where Naver's upload put them.
REPRESENTATIVE = "https://cdn1.domeggook.com/upload/item/2024/03/05/HASH/HASH_img_760?hash=..."
DETAIL = "https://supplier.example-hosting.com/detail/tumbler_01.jpg"
UPLOADED = {
    REPRESENTATIVE: "https://shop-phinf.pstatic.net/20250416_220/17447754382289HkU1_JPEG/2.jpg",
    DETAIL: "https://shop-phinf.pstatic.net/20250416_20/1744775438576zxPIu_JPEG/1.jpg",
}
