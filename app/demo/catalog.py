"""Demo catalog: two cross-border stores with warehouses, bilingual products, stock and
photographs (app/demo/photos/); the wider range of each store is in tea_house_range.py and
brooklyn_range.py.

Idempotent: warehouses are found by name, products by their first SKU, and stock is
received only into levels that do not exist yet, so running the seed again changes
nothing (and never overwrites what a merchant edited in the demo).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.demo.brooklyn_range import BROOKLYN_RANGE
from app.demo.photo_library import photo
from app.demo.tea_house_range import TEA_HOUSE_RANGE
from app.extensions import db
from app.models import Store, User, Warehouse
from app.services import inventory
from app.services.catalog import products as catalog
from app.services.inventory import level_id_for

# Every destination of the rule book: the 27 EU member states, the UK, Korea and the rest.
SELLS_TO = ["AT", "AU", "BE", "BG", "CA", "CN", "CY", "CZ", "DE", "DK", "EE", "ES", "FI",
            "FR", "GB", "GR", "HK", "HR", "HU", "IE", "IT", "JP", "KR", "LT", "LU", "LV",
            "MT", "NL", "PL", "PT", "RO", "SE", "SG", "SI", "SK", "US"]

TEA_HOUSE: dict[str, Any] = {
    "return_policy": "Unopened tea and undamaged teaware can be returned within 30 days of "
                     "delivery. 未开封茶叶及完好茶具可在签收后30天内退货。",
    "warehouses": [
        {"name": "Hangzhou West Lake", "address_line1": "18 Longjing Road",
         "city": "Hangzhou", "region": "Zhejiang", "postal_code": "310013", "country": "CN"},
        {"name": "Hong Kong Kwai Chung", "address_line1": "Unit 12, 9/F, Goodman Interlink",
         "address_line2": "39 Tsing Yi Road", "city": "Hong Kong", "postal_code": "",
         "country": "HK"},
    ],
    "products": [
        {
            "title": "西湖龙井绿茶", "title_en": "West Lake Longjing green tea",
            "description": "明前、雨前头采龙井，手工炒制，豆香清雅。",
            "description_en": "Hand-fired first-flush Longjing from the West Lake hills: "
                              "chestnut aroma, sweet finish.",
            "category": "tea_coffee", "brand_name": "杭州茶舍", "hs_code": "0902.10",
            "origin_country": "CN", "weight_grams": 120, "length_mm": 160, "width_mm": 90,
            "height_mm": 90, "photo": "longjing-tin",
            "options": [{"name": "Grade", "values": ["Mingqian 明前", "Yuqian 雨前"]},
                        {"name": "Weight", "values": ["50g", "100g"]}],
            "variants": [
                ("LJ-MQ-50", "168.00", {"Grade": "Mingqian 明前", "Weight": "50g"},
                 {"USD": "24.00", "JPY": "3600"}, {"CN": 40, "HK": 12}),
                ("LJ-MQ-100", "298.00", {"Grade": "Mingqian 明前", "Weight": "100g"},
                 {"USD": "42.00"}, {"CN": 25, "HK": 6}),
                ("LJ-YQ-50", "98.00", {"Grade": "Yuqian 雨前", "Weight": "50g"},
                 {}, {"CN": 60, "HK": 20}),
                ("LJ-YQ-100", "178.00", {"Grade": "Yuqian 雨前", "Weight": "100g"},
                 {}, {"CN": 35, "HK": 10}),
            ],
        },
        {
            "title": "桂花乌龙", "title_en": "Osmanthus oolong",
            "description": "台式轻焙乌龙窨制金桂，花香馥郁。",
            "description_en": "Lightly roasted oolong scented with golden osmanthus flowers.",
            "category": "tea_coffee", "brand_name": "杭州茶舍", "hs_code": "090230",
            "origin_country": "CN", "weight_grams": 110, "photo": "osmanthus-oolong",
            # One low-stock SKU: 3 left in all, the threshold is 5.
            "variants": [("OOLONG-OSM-75", "88.00", {}, {"USD": "13.00"},
                          {"CN": 2, "HK": 1})],
        },
        {
            "title": "景德镇青瓷茶杯套装", "title_en": "Jingdezhen celadon teacup set",
            "description": "四只手拉坯青瓷品茗杯，附桐木礼盒。",
            "description_en": "Four wheel-thrown celadon tasting cups in a paulownia gift box.",
            "category": "home", "brand_name": "景德镇窑", "hs_code": "691110",
            "origin_country": "CN", "weight_grams": 650, "length_mm": 220, "width_mm": 220,
            "height_mm": 80, "photo": "celadon-cups",
            "variants": [
                ("CUP-CELADON-4", "228.00", {"Glaze": "Celadon 青瓷"}, {"USD": "32.00"},
                 {"CN": 15, "HK": 4}),
                ("CUP-IVORY-4", "228.00", {"Glaze": "Ivory 象牙白"}, {"USD": "32.00"},
                 {"CN": 9, "HK": 0}),
            ],
        },
        {
            "title": "宜兴紫砂壶", "title_en": "Yixing zisha clay teapot",
            "description": "原矿紫泥，适合冲泡乌龙与普洱。",
            "description_en": "Raw purple-clay teapot from Yixing, for oolong and pu-erh.",
            "category": "home", "brand_name": "宜兴紫砂", "hs_code": "691200",
            "origin_country": "CN", "weight_grams": 400, "photo": "zisha-teapot",
            "variants": [
                ("POT-ZISHA-150", "380.00", {"Capacity": "150ml"}, {}, {"CN": 8, "HK": 2}),
                ("POT-ZISHA-220", "460.00", {"Capacity": "220ml"}, {}, {"CN": 6, "HK": 2}),
            ],
        },
        {
            "title": "竹制干泡茶盘", "title_en": "Bamboo tea tray",
            "description": "整竹拼接，干泡设计，无需排水。",
            "description_en": "Solid bamboo dry-brewing tray; no drain needed.",
            "category": "home", "brand_name": "杭州茶舍", "hs_code": "441919",
            "origin_country": "CN", "weight_grams": 900, "length_mm": 350, "width_mm": 220,
            "height_mm": 30, "photo": "bamboo-tray",
            # Australian biosecurity rules make untreated bamboo a poor fit for parcels.
            "restricted_countries": ["AU"],
            "variants": [("TRAY-BAMBOO-35", "158.00", {}, {}, {"CN": 20, "HK": 5})],
        },
        {
            "title": "杭州真丝印花方巾", "title_en": "Hangzhou printed silk scarf",
            "description": "16姆米桑蚕丝，西湖荷花印花，手工卷边，70×70厘米。",
            "description_en": "16 momme mulberry silk printed with West Lake lotus, hand-rolled "
                              "hems, 70 × 70 cm.",
            # HS 6214.10: shawls, scarves and mufflers of silk (woven, chapter 62).
            "category": "fashion", "brand_name": "杭州茶舍", "hs_code": "6214.10",
            "origin_country": "CN", "weight_grams": 60, "length_mm": 200, "width_mm": 150,
            "height_mm": 20, "photo": "silk-scarf",
            "variants": [
                ("SCARF-LOTUS-70", "268.00", {"Print": "Lotus 荷花"}, {"USD": "38.00",
                                                                      "EUR": "35.00"},
                 {"CN": 18, "HK": 6}),
                ("SCARF-WILLOW-70", "268.00", {"Print": "Willow 柳浪"}, {"USD": "38.00"},
                 {"CN": 12, "HK": 4}),
            ],
        },
        {
            "title": "棉麻盘扣茶服上衣", "title_en": "Cotton-linen frog-button tea blouse",
            "description": "55%亚麻45%棉，立领盘扣，宽松版型，适合茶席与日常。",
            "description_en": "55% linen, 45% cotton; mandarin collar with frog buttons, "
                              "relaxed fit for tea ceremonies and every day.",
            # HS 6206.30: women's blouses and shirts of cotton (woven, chapter 62).
            "category": "fashion", "brand_name": "杭州茶舍", "hs_code": "6206.30",
            "origin_country": "CN", "weight_grams": 220, "length_mm": 300, "width_mm": 250,
            "height_mm": 30, "photo": "linen-blouse",
            "options": [{"name": "Size", "values": ["S", "M", "L"]}],
            "variants": [
                (f"BLOUSE-LINEN-{size}", "328.00", {"Size": size}, {"USD": "46.00"},
                 {"CN": stock, "HK": 3})
                for size, stock in (("S", 10), ("M", 14), ("L", 8))
            ],
        },
        {
            "title": "羊绒针织开衫", "title_en": "Cashmere knit cardigan",
            "description": "内蒙古山羊绒，12针平针织法，轻薄保暖。",
            "description_en": "Inner Mongolian cashmere in a fine 12-gauge knit: light and "
                              "warm.",
            # HS 6110.12: jerseys, cardigans and similar, of Kashmir goat hair (knitted, 61).
            "category": "fashion", "brand_name": "杭州茶舍", "hs_code": "6110.12",
            "origin_country": "CN", "weight_grams": 320, "photo": "cashmere-cardigan",
            "options": [{"name": "Size", "values": ["S", "M", "L"]}],
            "variants": [
                (f"CARDI-CASH-{size}", "880.00", {"Size": size}, {"USD": "125.00"},
                 {"CN": 5, "HK": 2})
                for size in ("S", "M", "L")
            ],
        },
        *TEA_HOUSE_RANGE,
    ],
}

BROOKLYN: dict[str, Any] = {
    "return_policy": "Returns accepted within 30 days in original condition; opened "
                     "skincare can be returned only if faulty.",
    "warehouses": [
        {"name": "Brooklyn Navy Yard", "address_line1": "63 Flushing Ave",
         "address_line2": "Building 3", "city": "Brooklyn", "region": "NY",
         "postal_code": "11205", "country": "US"},
        {"name": "Los Angeles Cross-border Hub", "address_line1": "2100 E 7th St",
         "city": "Los Angeles", "region": "CA", "postal_code": "90021", "country": "US"},
    ],
    "products": [
        {
            "title": "Whipped shea body butter", "title_zh": "乳木果身体霜",
            "description": "Raw shea and cold-pressed oils, whipped in small batches.",
            "description_zh": "生乳木果油与冷压植物油，小批量手工打发。",
            "category": "beauty", "brand_name": "Brooklyn Goods", "hs_code": "330499",
            "origin_country": "US", "weight_grams": 260, "photo": "shea-butter",
            "options": [{"name": "Scent", "values": ["Unscented", "Lavender", "Grapefruit"]},
                        {"name": "Size", "values": ["4 oz", "8 oz"]}],
            "variants": [
                (f"SHEA-{scent[:3].upper()}-{size[0]}", price,
                 {"Scent": scent, "Size": size}, fixed, stock)
                for scent in ("Unscented", "Lavender", "Grapefruit")
                for size, price, fixed, stock in (
                    ("4 oz", "18.00", {"CNY": "128.00", "GBP": "15.00"},
                     {"US": 30, "LA": 20}),
                    ("8 oz", "29.00", {"CNY": "208.00"}, {"US": 18, "LA": 12}))
            ],
        },
        {
            "title": "Soy wax candle", "title_zh": "大豆蜡香薰蜡烛",
            "description": "Hand-poured soy wax, cotton wick, about 50 hours.",
            "description_zh": "手工浇筑大豆蜡，棉芯，约可燃烧50小时。",
            "category": "home", "brand_name": "Brooklyn Goods", "hs_code": "340600",
            "origin_country": "US", "weight_grams": 420, "photo": "soy-candle",
            "variants": [
                ("CANDLE-FIG", "32.00", {"Scent": "Fig"}, {"CNY": "228.00"},
                 {"US": 25, "LA": 10}),
                ("CANDLE-CEDAR", "32.00", {"Scent": "Cedar"}, {}, {"US": 14, "LA": 9}),
                ("CANDLE-SEASALT", "32.00", {"Scent": "Sea salt"}, {},
                 {"US": 11, "LA": 0}),
            ],
        },
        {
            "title": "Enamel camp mug", "title_zh": "搪瓷露营杯",
            "description": "Steel with a glass-enamel finish, 12 oz.",
            "description_zh": "钢胎搪瓷，容量约350毫升。",
            "category": "home", "brand_name": "Brooklyn Goods", "hs_code": "732394",
            "origin_country": "US", "weight_grams": 230, "photo": "enamel-mug",
            "variants": [
                ("MUG-BLACK", "16.00", {"Colour": "Black"}, {"JPY": "2400"},
                 {"US": 40, "LA": 25}),
                ("MUG-CREAM", "16.00", {"Colour": "Cream"}, {}, {"US": 35, "LA": 20}),
                ("MUG-FOREST", "16.00", {"Colour": "Forest green"}, {}, {"US": 22, "LA": 8}),
            ],
        },
        {
            "title": "Beeswax lip balm trio", "title_zh": "蜂蜡润唇膏三支装",
            "description": "Local beeswax, three flavours: mint, honey, vanilla.",
            "description_zh": "本地蜂蜡，薄荷、蜂蜜、香草三种口味。",
            "category": "beauty", "brand_name": "Brooklyn Goods", "hs_code": "330410",
            "origin_country": "US", "weight_grams": 40, "photo": "lip-balm-trio",
            # The low-stock SKU: 4 left, threshold 5.
            "variants": [("BALM-TRIO", "12.00", {}, {"CNY": "88.00"}, {"US": 3, "LA": 1})],
        },
        {
            "title": "Small-batch hot sauce", "title_zh": "小批量辣椒酱",
            "description": "Fermented habanero and garlic, 5 oz bottle.",
            "description_zh": "发酵哈瓦那辣椒与大蒜，150毫升。",
            "category": "food_snacks", "brand_name": "Brooklyn Goods", "hs_code": "210390",
            "origin_country": "US", "weight_grams": 280, "photo": "hot-sauce",
            # Sauces with fresh chilli face import controls in both markets.
            "restricted_countries": ["AU", "CN"],
            "variants": [("SAUCE-HAB-5", "11.00", {}, {}, {"US": 48, "LA": 30})],
        },
        {
            "title": "Organic cotton crewneck tee", "title_zh": "有机棉圆领T恤",
            "description": "Heavyweight organic cotton jersey, garment-dyed. Designed in "
                           "Brooklyn, made in Vietnam.",
            "description_zh": "厚磅有机棉针织面料，成衣染色。布鲁克林设计，越南制造。",
            # HS 6109.10: T-shirts of cotton, knitted (chapter 61); made in VN, not the US.
            "category": "fashion", "brand_name": "Brooklyn Goods", "hs_code": "6109.10",
            "origin_country": "VN", "weight_grams": 210, "photo": "crewneck-tee",
            "options": [{"name": "Colour", "values": ["Navy", "Oat"]},
                        {"name": "Size", "values": ["S", "M", "L"]}],
            "variants": [
                (f"TEE-{colour[:3].upper()}-{size}", "34.00", {"Colour": colour, "Size": size},
                 {"EUR": "32.00", "GBP": "28.00"}, {"US": 12, "LA": 8})
                for colour in ("Navy", "Oat") for size in ("S", "M", "L")
            ],
        },
        {
            "title": "Cotton flannel shirt", "title_zh": "纯棉法兰绒衬衫",
            "description": "Brushed cotton flannel, woven and sewn in Mexico.",
            "description_zh": "磨毛纯棉法兰绒，墨西哥织造与缝制。",
            # HS 6205.20: men's shirts of cotton, woven (chapter 62); USMCA origin MX.
            "category": "fashion", "brand_name": "Brooklyn Goods", "hs_code": "6205.20",
            "origin_country": "MX", "weight_grams": 380, "photo": "flannel-shirt",
            "options": [{"name": "Size", "values": ["M", "L"]}],
            "variants": [
                (f"FLANNEL-RED-{size}", "68.00", {"Size": size}, {"CAD": "92.00"},
                 {"US": 9, "LA": 6})
                for size in ("M", "L")
            ],
        },
        {
            "title": "Waxed canvas tote", "title_zh": "蜡染帆布托特包",
            "description": "Waxed cotton canvas with leather handles, cut and sewn in Brooklyn.",
            "description_zh": "上蜡棉帆布配皮革提手，布鲁克林裁剪缝制。",
            # HS 4202.22: handbags with outer surface of textile materials.
            "category": "fashion", "brand_name": "Brooklyn Goods", "hs_code": "4202.22",
            "origin_country": "US", "weight_grams": 650, "photo": "waxed-tote",
            "variants": [("TOTE-WAXED", "78.00", {}, {"GBP": "64.00"}, {"US": 15, "LA": 5})],
        },
        *BROOKLYN_RANGE,
    ],
}


def _seed_store(store: Store, owner: User, spec: dict[str, Any], short_names: list[str]
                ) -> list[str]:
    if not store.sells_to:
        store.sells_to = list(SELLS_TO)
    if not store.return_policy:
        store.return_policy = spec["return_policy"]
    warehouses: dict[str, Warehouse] = {}
    for short, fields in zip(short_names, spec["warehouses"], strict=True):
        warehouse = db.session.scalar(select(Warehouse).where(
            Warehouse.store_id == store.id, Warehouse.name == fields["name"]))
        if warehouse is None:
            warehouse = Warehouse(store_id=store.id, **fields)
            db.session.add(warehouse)
            db.session.flush()
        warehouses[short] = warehouse

    created = 0
    for product_spec in spec["products"]:
        variants = product_spec["variants"]
        if catalog.variant_by_sku(store.id, variants[0][0]) is not None:
            continue
        fields = {k: v for k, v in product_spec.items() if k not in ("variants", "photo")}
        fields["status"] = "active"
        fields["variants"] = [
            {"sku": sku, "price": price, "options": options,
             "fixed_prices": [{"amount": amount, "currency": currency}
                              for currency, amount in fixed.items()]}
            for sku, price, options, fixed, _stock in variants]
        product = catalog.create_product(owner, store.id, fields)
        catalog.add_product_image(owner, store.id, product.id, photo(product_spec["photo"]),
                                  alt_text=product_spec.get("title_en") or product.title)
        created += 1
        for sku, _price, _options, _fixed, stock in variants:
            variant = catalog.variant_by_sku(store.id, sku)
            for short, units in stock.items():
                warehouse = warehouses[short]
                if units and level_id_for(variant.id, warehouse.id, create=False) is None:
                    inventory.receive_stock(owner, store.id, variant.id, warehouse.id, units,
                                            reference=("demo_seed", store.slug),
                                            reason="Opening stock")
    db.session.flush()
    return [f"{store.name}: {len(warehouses)} warehouses, {created} new products"]


def seed_catalog(tea_store: Store, tea_owner: User, brooklyn_store: Store,
                 brooklyn_owner: User) -> list[str]:
    """Warehouses, products, variants, fixed prices and stock for both demo stores."""
    db.session.flush()
    return [*_seed_store(tea_store, tea_owner, TEA_HOUSE, ["CN", "HK"]),
            *_seed_store(brooklyn_store, brooklyn_owner, BROOKLYN, ["US", "LA"])]
