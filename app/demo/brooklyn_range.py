"""The Brooklyn store's wider demo range, besides its first products.

Listings read like the store's own (English first, Chinese alongside), with the HS code of
what the thing is made of and where it was made (some made abroad), sizes and colours only
where a real shop would offer them, and stock in both warehouses. `photo` names a render in
app/demo/photos/.

A variant is (SKU, price in the store currency, options, fixed prices, stock by warehouse).
"""

from __future__ import annotations

from typing import Any

BROOKLYN_RANGE: list[dict[str, Any]] = [
    # Beauty --------------------------------------------------------------------------------
    {
        "title": "Matte liquid-free lipstick", "title_zh": "哑光丝绒口红",
        "description": "Creamy matte bullet with shea and jojoba, vegan and fragrance-free. "
                       "Made in New Jersey.",
        "description_zh": "含乳木果与荷荷巴油的奶油哑光膏体，纯素无香精。新泽西制造。",
        "category": "beauty", "brand_name": "Brooklyn Goods", "hs_code": "3304.10",
        "origin_country": "US", "weight_grams": 40, "photo": "matte-lipstick",
        "options": [{"name": "Shade", "values": ["Brick", "Berry", "Rosewood"]}],
        "variants": [
            (f"LIP-MATTE-{shade[:4].upper()}", "22.00", {"Shade": shade}, {"CNY": "158.00"},
             {"US": stock, "LA": 10})
            for shade, stock in (("Brick", 26), ("Berry", 20), ("Rosewood", 15))
        ],
    },
    {
        "title": "Vitamin C brightening serum", "title_zh": "维C亮肤精华",
        "description": "15% ascorbic acid with ferulic acid and vitamin E, in an amber "
                       "dropper bottle; 30 ml.",
        "description_zh": "15%左旋维C，配阿魏酸与维E，琥珀色滴管瓶，30毫升。",
        "category": "beauty", "brand_name": "Brooklyn Goods", "hs_code": "3304.99",
        "origin_country": "US", "weight_grams": 110, "photo": "vitamin-c-serum",
        "variants": [("SERUM-VITC-30", "38.00", {}, {"CNY": "268.00", "JPY": "5600"},
                      {"US": 34, "LA": 20})],
    },
    {
        "title": "Pink clay face mask", "title_zh": "玫瑰粉泥面膜",
        "description": "French pink clay, rose water and colloidal oat; a ten-minute mask "
                       "for tired skin.",
        "description_zh": "法国粉色黏土、玫瑰水与燕麦，十分钟舒缓疲惫肌肤。",
        "category": "beauty", "brand_name": "Brooklyn Goods", "hs_code": "3304.99",
        "origin_country": "US", "weight_grams": 180, "photo": "rose-clay-mask",
        "variants": [("MASK-CLAY-100", "26.00", {}, {"CNY": "188.00"}, {"US": 28, "LA": 14})],
    },
    {
        "title": "Cold-process olive oil soap, pair", "title_zh": "冷制橄榄油手工皂 两块",
        "description": "Olive, coconut and shea, cured six weeks; lightly scented with "
                       "rosemary.",
        "description_zh": "橄榄油、椰子油与乳木果油，熟成六周，淡淡迷迭香。",
        "category": "beauty", "brand_name": "Brooklyn Goods", "hs_code": "3401.11",
        "origin_country": "US", "weight_grams": 260, "photo": "olive-soap",
        "variants": [("SOAP-OLIVE-2", "16.00", {}, {"CNY": "118.00"}, {"US": 50, "LA": 30})],
    },
    # Home ----------------------------------------------------------------------------------
    {
        "title": "Stoneware pour-over set", "title_zh": "粗陶手冲咖啡滤杯套装",
        "description": "Speckled stoneware dripper on a glass server, for two cups.",
        "description_zh": "斑点粗陶滤杯配玻璃分享壶，一次两杯。",
        "category": "home", "brand_name": "Brooklyn Goods", "hs_code": "6912.00",
        "origin_country": "US", "weight_grams": 780, "photo": "coffee-dripper",
        "variants": [("POUROVER-SET", "48.00", {}, {"CNY": "348.00", "JPY": "7200"},
                      {"US": 14, "LA": 8})],
    },
    {
        "title": "Striped linen tea towels, set of 2", "title_zh": "条纹亚麻茶巾 两条装",
        "description": "Stonewashed Lithuanian linen, woven stripe, 50 × 70 cm.",
        "description_zh": "立陶宛亚麻石洗处理，色织条纹，50×70厘米。",
        # Kitchen linen of flax (not cotton, not man-made): 6302.99; woven in Lithuania.
        "category": "home", "brand_name": "Brooklyn Goods", "hs_code": "6302.99",
        "origin_country": "LT", "weight_grams": 240, "photo": "linen-towels",
        "variants": [("TOWEL-LINEN-2", "28.00", {}, {"EUR": "26.00"}, {"US": 30, "LA": 12})],
    },
    {
        "title": "Walnut serving board", "title_zh": "胡桃木餐板",
        "description": "Black walnut from Pennsylvania, oiled with beeswax; 38 × 20 cm.",
        "description_zh": "宾夕法尼亚黑胡桃木，蜂蜡油养护，38×20厘米。",
        # Tableware and kitchenware of wood (other than bamboo or tropical wood).
        "category": "home", "brand_name": "Brooklyn Goods", "hs_code": "4419.90",
        "origin_country": "US", "weight_grams": 900, "photo": "walnut-board",
        "variants": [("BOARD-WALNUT", "58.00", {}, {"CNY": "418.00"}, {"US": 12, "LA": 6})],
    },
    {
        "title": "Speckled stoneware bud vase", "title_zh": "斑点粗陶花瓶",
        "description": "Wheel-thrown in Red Hook with an oatmeal glaze, 21 cm tall.",
        "description_zh": "红钩工作室手拉坯，燕麦色釉，高21厘米。",
        # Ornamental ceramic articles, other than porcelain.
        "category": "home", "brand_name": "Brooklyn Goods", "hs_code": "6913.90",
        "origin_country": "US", "weight_grams": 650, "photo": "stoneware-vase",
        "variants": [("VASE-SPECKLE", "44.00", {}, {}, {"US": 9, "LA": 3})],
    },
    {
        "title": "Beeswax taper candles, pair", "title_zh": "蜂蜡长烛 一对",
        "description": "Pure beeswax, hand-dipped, 10 inches; brass holders sold "
                       "together.",
        "description_zh": "纯蜂蜡手工浸制，长25厘米，附黄铜烛台。",
        "category": "home", "brand_name": "Brooklyn Goods", "hs_code": "3406.00",
        "origin_country": "US", "weight_grams": 520, "photo": "taper-candles",
        "variants": [("TAPER-BEESWAX-2", "36.00", {}, {"CNY": "258.00"},
                      {"US": 20, "LA": 10})],
    },
    # Coffee --------------------------------------------------------------------------------
    {
        "title": "Ethiopia Guji coffee beans", "title_zh": "埃塞俄比亚古吉咖啡豆",
        "description": "Washed heirloom Ethiopian coffee roasted in Brooklyn: peach, "
                       "jasmine, black tea. 12 oz.",
        "description_zh": "埃塞俄比亚原生种水洗豆，布鲁克林烘焙：桃子、茉莉、红茶风味，340克。",
        # Roasted coffee, not decaffeinated; the beans' origin is Ethiopia.
        "category": "tea_coffee", "brand_name": "Brooklyn Goods", "hs_code": "0901.21",
        "origin_country": "ET", "weight_grams": 380, "photo": "coffee-beans",
        "options": [{"name": "Grind", "values": ["Whole bean", "Pour-over grind"]}],
        "variants": [("BEANS-GUJI-WB", "21.00", {"Grind": "Whole bean"},
                      {"CNY": "150.00", "JPY": "3200"}, {"US": 40, "LA": 20}),
                     ("BEANS-GUJI-PO", "21.00", {"Grind": "Pour-over grind"},
                      {"CNY": "150.00"}, {"US": 25, "LA": 10})],
    },
    {
        "title": "Cold brew concentrate", "title_zh": "冷萃咖啡浓缩液",
        "description": "Steeped 18 hours, shelf-stable; mix one part with two of milk or "
                       "water. 32 oz.",
        "description_zh": "冷泡18小时，常温保存；1份兑2份牛奶或水，946毫升。",
        # Extracts, essences and concentrates of coffee.
        "category": "tea_coffee", "brand_name": "Brooklyn Goods", "hs_code": "2101.11",
        "origin_country": "US", "weight_grams": 1300, "photo": "cold-brew",
        "variants": [("COLDBREW-32", "24.00", {}, {}, {"US": 36, "LA": 24})],
    },
    # Food ----------------------------------------------------------------------------------
    {
        "title": "Vermont maple syrup, grade A dark", "title_zh": "佛蒙特枫糖浆 A级深色",
        "description": "Robust-taste syrup from a family sugarhouse in Vermont; 250 ml "
                       "glass.",
        "description_zh": "佛蒙特家庭糖屋出品，浓郁风味，250毫升玻璃瓶。",
        # Maple sugar and maple syrup.
        "category": "food_snacks", "brand_name": "Brooklyn Goods", "hs_code": "1702.20",
        "origin_country": "US", "weight_grams": 560, "photo": "maple-syrup",
        "variants": [("MAPLE-DARK-250", "19.00", {}, {"CNY": "138.00", "JPY": "2900"},
                      {"US": 44, "LA": 20})],
    },
    {
        "title": "Sea salt dark chocolate bar", "title_zh": "海盐黑巧克力",
        "description": "72% bean-to-bar chocolate with Maine sea salt, made in Brooklyn.",
        "description_zh": "72%从可可豆到巧克力自制，缅因海盐，布鲁克林制造。",
        # Chocolate in bars, not filled.
        "category": "food_snacks", "brand_name": "Brooklyn Goods", "hs_code": "1806.32",
        "origin_country": "US", "weight_grams": 90, "photo": "sea-salt-chocolate",
        "variants": [("CHOC-SEASALT-72", "9.00", {}, {"CNY": "68.00"}, {"US": 80, "LA": 40})],
    },
    {
        "title": "Maple pecan granola", "title_zh": "枫糖碧根果燕麦脆",
        "description": "Rolled oats, pecans and maple, baked in small batches; 12 oz jar.",
        "description_zh": "燕麦片、碧根果与枫糖，小批量烘烤，340克罐装。",
        # Prepared foods obtained from unroasted cereal flakes (muesli-type).
        "category": "food_snacks", "brand_name": "Brooklyn Goods", "hs_code": "1904.20",
        "origin_country": "US", "weight_grams": 520, "photo": "granola",
        "variants": [("GRANOLA-PECAN", "14.00", {}, {"CNY": "98.00"}, {"US": 36, "LA": 18})],
    },
    {
        "title": "Raw wildflower honey", "title_zh": "生野花蜂蜜",
        "description": "Unfiltered honey from hives upstate; it crystallises, as raw honey "
                       "should.",
        "description_zh": "纽约州上州蜂场未过滤生蜜，会自然结晶。",
        "category": "food_snacks", "brand_name": "Brooklyn Goods", "hs_code": "0409.00",
        "origin_country": "US", "weight_grams": 480, "photo": "wildflower-honey",
        "restricted_countries": ["AU"],
        "variants": [("HONEY-WILD-12", "17.00", {}, {"CNY": "120.00"}, {"US": 30, "LA": 12})],
    },
    # Fashion -------------------------------------------------------------------------------
    {
        "title": "Merino rib beanie", "title_zh": "美利奴罗纹毛线帽",
        "description": "Extra-fine merino, knitted in Portugal; one size.",
        "description_zh": "超细美利奴羊毛，葡萄牙针织，均码。",
        # Hats, knitted: heading 6505 (not chapter 61).
        "category": "fashion", "brand_name": "Brooklyn Goods", "hs_code": "6505.00",
        "origin_country": "PT", "weight_grams": 90, "photo": "merino-beanie",
        "options": [{"name": "Colour", "values": ["Rust", "Charcoal"]}],
        "variants": [("BEANIE-RUST", "32.00", {"Colour": "Rust"}, {"GBP": "27.00"},
                      {"US": 20, "LA": 10}),
                     ("BEANIE-CHAR", "32.00", {"Colour": "Charcoal"}, {"GBP": "27.00"},
                      {"US": 16, "LA": 8})],
    },
    {
        "title": "Selvedge denim jeans", "title_zh": "赤耳原色牛仔裤",
        "description": "14 oz raw selvedge denim, straight leg; cut and sewn in Los "
                       "Angeles.",
        "description_zh": "14盎司赤耳原色丹宁，直筒版型，洛杉矶裁剪缝制。",
        # HS 6203.42: men's trousers of cotton, woven (chapter 62).
        "category": "fashion", "brand_name": "Brooklyn Goods", "hs_code": "6203.42",
        "origin_country": "US", "weight_grams": 850, "photo": "selvedge-jeans",
        "options": [{"name": "Waist", "values": ["30", "32", "34"]}],
        "variants": [(f"JEANS-SELV-{waist}", "128.00", {"Waist": waist}, {"JPY": "19800"},
                      {"US": 6, "LA": 4}) for waist in ("30", "32", "34")],
    },
    {
        "title": "Cotton crew socks, 3 pairs", "title_zh": "纯棉中筒袜 三双装",
        "description": "Combed cotton with a striped cuff, knitted in North Carolina.",
        "description_zh": "精梳棉，条纹袜口，北卡罗来纳州织造。",
        # HS 6115.95: socks of cotton, knitted (chapter 61).
        "category": "fashion", "brand_name": "Brooklyn Goods", "hs_code": "6115.95",
        "origin_country": "US", "weight_grams": 180, "photo": "crew-socks",
        "options": [{"name": "Size", "values": ["S/M", "L/XL"]}],
        "variants": [("SOCKS-CREW-SM", "24.00", {"Size": "S/M"}, {}, {"US": 30, "LA": 15}),
                     ("SOCKS-CREW-LX", "24.00", {"Size": "L/XL"}, {}, {"US": 30, "LA": 15})],
    },
    {
        "title": "Leather card wallet", "title_zh": "真皮卡包",
        "description": "Vegetable-tanned leather, four card slots, hand-stitched.",
        "description_zh": "植鞣皮革，四个卡位，手工缝线。",
        # Articles carried in the pocket or handbag, outer surface of leather.
        "category": "fashion", "brand_name": "Brooklyn Goods", "hs_code": "4202.31",
        "origin_country": "US", "weight_grams": 60, "photo": "card-wallet",
        "variants": [("WALLET-CARD-TAN", "45.00", {}, {"CNY": "318.00"},
                      {"US": 18, "LA": 8})],
    },
    # Sports --------------------------------------------------------------------------------
    {
        "title": "Insulated steel water bottle", "title_zh": "不锈钢保温水瓶",
        "description": "Double-wall vacuum bottle, cold 24 hours and hot 12; 750 ml.",
        "description_zh": "双层真空，保冷24小时、保温12小时，750毫升。",
        # Vacuum flasks and other vacuum vessels, complete.
        "category": "sports_outdoors", "brand_name": "Brooklyn Goods", "hs_code": "9617.00",
        "origin_country": "CN", "weight_grams": 420, "photo": "steel-bottle",
        "variants": [("BOTTLE-STEEL-750", "34.00", {}, {"CNY": "238.00"},
                      {"US": 40, "LA": 25})],
    },
    {
        "title": "Cork yoga mat", "title_zh": "软木瑜伽垫",
        "description": "Natural cork on a rubber base, grippier when you sweat; 183 × 61 "
                       "cm, with a strap.",
        "description_zh": "天然软木面配橡胶底，出汗更防滑，183×61厘米，附绑带。",
        # Articles of agglomerated cork.
        "category": "sports_outdoors", "brand_name": "Brooklyn Goods", "hs_code": "4504.90",
        "origin_country": "PT", "weight_grams": 2300, "length_mm": 640, "width_mm": 130,
        "height_mm": 130, "photo": "cork-yoga-mat",
        "variants": [("YOGA-CORK", "88.00", {}, {"CNY": "628.00"}, {"US": 10, "LA": 8})],
    },
    # Stationery ----------------------------------------------------------------------------
    {
        "title": "Dot-grid notebook, A5", "title_zh": "A5点阵笔记本",
        "description": "160 pages of 100 gsm paper that takes fountain pens; lay-flat "
                       "binding.",
        "description_zh": "160页100克纸，钢笔不洇，可平摊装订。",
        "category": "books_stationery", "brand_name": "Brooklyn Goods", "hs_code": "4820.10",
        "origin_country": "US", "weight_grams": 320, "photo": "dot-notebook",
        "variants": [("NOTEBOOK-DOT-A5", "18.00", {}, {"CNY": "128.00"},
                      {"US": 45, "LA": 20})],
    },
]
