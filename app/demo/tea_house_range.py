"""The Hangzhou tea house's wider demo range, besides its first eight products.

Listings read like the store's own (Chinese first, English alongside), with the HS code of
what the thing is made of and where it was made, sizes only where a real shop would offer
them, and stock in both warehouses. `photo` names a render in app/demo/photos/.

A variant is (SKU, price in the store currency, options, fixed prices, stock by warehouse).
"""

from __future__ import annotations

from typing import Any


def _sizes(prefix: str, price: str, stock: dict[str, int], fixed: dict[str, str] | None = None,
           sizes: tuple[str, ...] = ("S", "M", "L"), extra: dict[str, str] | None = None
           ) -> list[tuple]:
    return [(f"{prefix}-{size}", price, {**(extra or {}), "Size": size}, fixed or {},
             dict(stock)) for size in sizes]


TEA_HOUSE_RANGE: list[dict[str, Any]] = [
    # Tea -----------------------------------------------------------------------------------
    {
        "title": "福鼎白毫银针", "title_en": "Fuding Silver Needle white tea",
        "description": "福鼎大白茶春季头采单芽，日光萎凋，毫香蜜韵，可存可饮。",
        "description_en": "Single spring buds from Fuding, sun-withered: downy, honeyed and "
                          "good for ageing.",
        "category": "tea_coffee", "brand_name": "杭州茶舍", "hs_code": "0902.10",
        "origin_country": "CN", "weight_grams": 130, "photo": "silver-needle",
        "options": [{"name": "Weight", "values": ["50g", "100g"]}],
        "variants": [("WHITE-SN-50", "158.00", {"Weight": "50g"}, {"USD": "22.00"},
                      {"CN": 30, "HK": 8}),
                     ("WHITE-SN-100", "288.00", {"Weight": "100g"}, {}, {"CN": 18, "HK": 4})],
    },
    {
        "title": "云南勐海普洱熟茶饼 357克", "title_en": "Menghai ripe pu-erh cake, 357 g",
        "description": "2019年勐海大叶种渥堆熟茶，棉纸包装，汤色红浓，陈香顺滑。",
        "description_en": "2019 Menghai large-leaf ripe pu-erh pressed into a 357 g cake and "
                          "wrapped in cotton paper: dark, smooth and earthy.",
        # Post-fermented tea is classed with black tea in packings of 3 kg or less.
        "category": "tea_coffee", "brand_name": "杭州茶舍", "hs_code": "0902.30",
        "origin_country": "CN", "weight_grams": 400, "photo": "puerh-cake",
        "variants": [("PUERH-2019-357", "238.00", {}, {"USD": "34.00"}, {"CN": 22, "HK": 9})],
    },
    {
        "title": "武夷山正山小种红茶", "title_en": "Wuyi Lapsang souchong black tea",
        "description": "桐木关松烟熏制，桂圆干香，适合加奶。",
        "description_en": "Pine-smoked in Tongmu village: longan sweetness, lovely with milk.",
        "category": "tea_coffee", "brand_name": "杭州茶舍", "hs_code": "0902.30",
        "origin_country": "CN", "weight_grams": 140, "photo": "lapsang",
        "variants": [("LAPSANG-100", "128.00", {}, {"USD": "18.00", "GBP": "15.00"},
                      {"CN": 40, "HK": 12})],
    },
    {
        "title": "茉莉龙珠花茶", "title_en": "Jasmine dragon pearls",
        "description": "福州烘青绿茶手工揉捻成珠，七次窨制茉莉鲜花。",
        "description_en": "Green tea hand-rolled into pearls and scented seven times with "
                          "fresh Fuzhou jasmine.",
        "category": "tea_coffee", "brand_name": "杭州茶舍", "hs_code": "0902.10",
        "origin_country": "CN", "weight_grams": 180, "photo": "jasmine-pearls",
        "variants": [("JASMINE-PEARL-80", "118.00", {}, {"USD": "17.00"},
                      {"CN": 35, "HK": 10})],
    },
    # Food ----------------------------------------------------------------------------------
    {
        "title": "西湖藕粉", "title_en": "West Lake lotus root starch",
        "description": "手工削制藕粉，开水冲调成琥珀色羹，可加桂花与坚果。",
        "description_en": "Hand-shaved lotus root starch: stir in hot water for an amber "
                          "pudding, with osmanthus and nuts.",
        # Flour of the roots and tubers of heading 07.14 (lotus root).
        "category": "food_snacks", "brand_name": "杭州茶舍", "hs_code": "1106.20",
        "origin_country": "CN", "weight_grams": 380, "photo": "lotus-root-powder",
        "variants": [("LOTUS-STARCH-300", "68.00", {}, {"USD": "10.00"},
                      {"CN": 50, "HK": 15})],
    },
    {
        "title": "桂花糕礼盒", "title_en": "Osmanthus rice cake gift box",
        "description": "糯米粉与糖桂花蒸制，十二枚独立包装，保质期60天。",
        "description_en": "Steamed glutinous rice cakes with candied osmanthus; twelve "
                          "individually wrapped, keeps 60 days.",
        "category": "food_snacks", "brand_name": "杭州茶舍", "hs_code": "1905.90",
        "origin_country": "CN", "weight_grams": 520, "photo": "osmanthus-cakes",
        "variants": [("OSM-CAKE-12", "88.00", {}, {"USD": "13.00"}, {"CN": 45, "HK": 10})],
    },
    {
        "title": "临安手剥山核桃仁", "title_en": "Lin'an hickory nut kernels",
        "description": "临安山核桃，淡盐焙炒，手工剥仁，罐装200克。",
        "description_en": "Lin'an hickory nuts roasted with a little salt and shelled by "
                          "hand; 200 g tin.",
        # Nuts otherwise prepared (roasted, salted) other than groundnuts.
        "category": "food_snacks", "brand_name": "杭州茶舍", "hs_code": "2008.19",
        "origin_country": "CN", "weight_grams": 300, "photo": "hickory-nuts",
        "variants": [("HICKORY-200", "98.00", {}, {"USD": "14.00"}, {"CN": 32, "HK": 8})],
    },
    {
        "title": "秦岭洋槐蜂蜜", "title_en": "Qinling acacia honey",
        "description": "秦岭山区洋槐花期单一花蜜，水白透亮，不易结晶。",
        "description_en": "Single-flower acacia honey from the Qinling mountains: pale, "
                          "clear and slow to set.",
        "category": "food_snacks", "brand_name": "杭州茶舍", "hs_code": "0409.00",
        "origin_country": "CN", "weight_grams": 650, "photo": "acacia-honey",
        # Honey needs an import permit in Australia.
        "restricted_countries": ["AU"],
        "variants": [("HONEY-ACACIA-500", "78.00", {}, {}, {"CN": 28, "HK": 6})],
    },
    {
        "title": "西湖月饼铁盒", "title_en": "West Lake mooncake tin",
        "description": "苏式酥皮月饼六枚：桂花、龙井、豆沙，附手绘西湖铁盒。",
        "description_en": "Six flaky Suzhou-style mooncakes (osmanthus, Longjing, red bean) "
                          "in a tin painted with West Lake.",
        "category": "food_snacks", "brand_name": "杭州茶舍", "hs_code": "1905.90",
        "origin_country": "CN", "weight_grams": 700, "photo": "moon-cake-tin",
        "variants": [("MOONCAKE-TIN-6", "168.00", {}, {"USD": "24.00"}, {"CN": 40, "HK": 12})],
    },
    # Beauty --------------------------------------------------------------------------------
    {
        "title": "雕花丝绒口红", "title_en": "Carved velvet lipstick",
        "description": "浮雕牡丹膏体，丝绒哑光质地，含山茶花籽油不拔干。",
        "description_en": "A bullet carved with peonies; velvet-matte and kept soft with "
                          "camellia seed oil.",
        "category": "beauty", "brand_name": "花间", "hs_code": "3304.10",
        "origin_country": "CN", "weight_grams": 60, "photo": "carved-lipstick",
        "options": [{"name": "Shade", "values": ["Palace red 宫墙红", "Peony 牡丹",
                                                 "Maple 枫叶"]}],
        "variants": [
            (f"LIP-CARVED-{code}", "179.00", {"Shade": shade}, {"USD": "26.00"},
             {"CN": stock, "HK": 6})
            for code, shade, stock in (("RED", "Palace red 宫墙红", 30),
                                       ("PEONY", "Peony 牡丹", 24),
                                       ("MAPLE", "Maple 枫叶", 18))
        ],
    },
    {
        "title": "珍珠玉容面膜 10片", "title_en": "Pearl and jade sheet masks, 10 pack",
        "description": "天丝面膜布浸润珍珠水解液与积雪草，补水提亮。",
        "description_en": "Tencel sheets soaked in hydrolysed pearl and centella, for "
                          "hydration and glow.",
        "category": "beauty", "brand_name": "花间", "hs_code": "3304.99",
        "origin_country": "CN", "weight_grams": 320, "photo": "sheet-masks",
        "variants": [("MASK-PEARL-10", "129.00", {}, {"USD": "19.00"}, {"CN": 60, "HK": 20})],
    },
    {
        "title": "山茶花氨基酸洁面", "title_en": "Camellia amino-acid cleanser",
        "description": "温和氨基酸表活，山茶花提取物，敏感肌可用，150毫升。",
        "description_en": "Gentle amino-acid surfactants with camellia extract, fine for "
                          "sensitive skin; 150 ml.",
        "category": "beauty", "brand_name": "花间", "hs_code": "3304.99",
        "origin_country": "CN", "weight_grams": 200, "photo": "camellia-cleanser",
        "variants": [("CLEANSER-CAM-150", "89.00", {}, {"USD": "13.00"},
                      {"CN": 45, "HK": 12})],
    },
    {
        "title": "和田碧玉手镯", "title_en": "Hetian green jade bangle",
        "description": "新疆和田碧玉整料掏制，附检测证书，内径56–58毫米。",
        "description_en": "Carved from one piece of Hetian nephrite, with a lab certificate; "
                          "inner diameter 56–58 mm.",
        # Articles of precious or semi-precious stones (nephrite jade).
        "category": "fashion", "brand_name": "杭州茶舍", "hs_code": "7116.20",
        "origin_country": "CN", "weight_grams": 150, "photo": "jade-bracelet",
        "options": [{"name": "Inner diameter", "values": ["56 mm", "58 mm"]}],
        "variants": [("JADE-BANGLE-56", "1280.00", {"Inner diameter": "56 mm"},
                      {"USD": "178.00"}, {"CN": 3, "HK": 1}),
                     ("JADE-BANGLE-58", "1280.00", {"Inner diameter": "58 mm"},
                      {"USD": "178.00"}, {"CN": 2, "HK": 1})],
    },
    # Home and teaware ----------------------------------------------------------------------
    {
        "title": "汝窑天青茶叶罐", "title_en": "Ru-ware sky-blue tea caddy",
        "description": "汝窑天青釉开片，胡桃木盖密封，可存放100克茶叶。",
        "description_en": "Crackled sky-blue Ru glaze with a sealed walnut lid; holds 100 g "
                          "of leaf.",
        "category": "home", "brand_name": "景德镇窑", "hs_code": "6912.00",
        "origin_country": "CN", "weight_grams": 480, "photo": "ru-caddy",
        "variants": [("CADDY-RU-100", "198.00", {}, {"USD": "29.00"}, {"CN": 16, "HK": 4})],
    },
    {
        "title": "青花瓷饭碗 两只装", "title_en": "Blue-and-white porcelain bowls, pair",
        "description": "景德镇手绘缠枝莲青花，4.5寸，可进洗碗机。",
        "description_en": "Hand-painted lotus scroll in cobalt blue from Jingdezhen; "
                          "11 cm, dishwasher safe.",
        "category": "home", "brand_name": "景德镇窑", "hs_code": "6911.10",
        "origin_country": "CN", "weight_grams": 700, "photo": "blue-white-bowls",
        "variants": [("BOWL-QH-2", "128.00", {}, {"USD": "19.00"}, {"CN": 25, "HK": 6})],
    },
    {
        "title": "白瓷青花盖碗", "title_en": "Porcelain gaiwan with blue glaze",
        "description": "薄胎白瓷盖碗，130毫升，出汤利落不烫手。",
        "description_en": "Thin-walled porcelain gaiwan, 130 ml: pours cleanly and stays cool "
                          "at the rim.",
        "category": "home", "brand_name": "景德镇窑", "hs_code": "6911.10",
        "origin_country": "CN", "weight_grams": 350, "photo": "gaiwan",
        "variants": [("GAIWAN-130", "88.00", {}, {"USD": "13.00"}, {"CN": 30, "HK": 10})],
    },
    {
        "title": "南部铸铁壶 1.2升", "title_en": "Cast-iron kettle, 1.2 l",
        "description": "内壁珐琅防锈，可明火与电陶炉加热，煮水更柔和。",
        "description_en": "Enamel-lined against rust; works on a flame or induction and "
                          "softens the water.",
        # Household articles of cast iron, enamelled.
        "category": "home", "brand_name": "杭州茶舍", "hs_code": "7323.92",
        "origin_country": "CN", "weight_grams": 1900, "length_mm": 200, "width_mm": 180,
        "height_mm": 200, "photo": "iron-teapot",
        "variants": [("KETTLE-IRON-12", "420.00", {}, {"USD": "59.00"}, {"CN": 10, "HK": 3})],
    },
    # Fashion -------------------------------------------------------------------------------
    {
        "title": "宋锦手拿包", "title_en": "Song brocade clutch",
        "description": "苏州宋锦面料，金色搭扣，可放手机与口红。",
        "description_en": "Suzhou Song brocade with a gold clasp; fits a phone and a "
                          "lipstick.",
        # Handbags with an outer surface of textile materials.
        "category": "fashion", "brand_name": "杭州茶舍", "hs_code": "4202.22",
        "origin_country": "CN", "weight_grams": 280, "photo": "brocade-clutch",
        "options": [{"name": "Colour", "values": ["Indigo 靛蓝", "Crimson 朱红"]}],
        "variants": [("CLUTCH-BROCADE-IND", "298.00", {"Colour": "Indigo 靛蓝"},
                      {"USD": "42.00"}, {"CN": 12, "HK": 4}),
                     ("CLUTCH-BROCADE-RED", "298.00", {"Colour": "Crimson 朱红"},
                      {"USD": "42.00"}, {"CN": 9, "HK": 3})],
    },
    {
        "title": "香云纱真丝衬衫", "title_en": "Gambiered silk blouse",
        "description": "顺德香云纱，薯莨染色，越穿越软，V领宽松版。",
        "description_en": "Shunde gambiered silk dyed with yam juice, softer with every wear; "
                          "relaxed V-neck.",
        # HS 6206.10: women's blouses and shirts of silk (woven, chapter 62).
        "category": "fashion", "brand_name": "杭州茶舍", "hs_code": "6206.10",
        "origin_country": "CN", "weight_grams": 180, "photo": "silk-blouse",
        "options": [{"name": "Size", "values": ["S", "M", "L"]}],
        "variants": _sizes("BLOUSE-SILK", "598.00", {"CN": 8, "HK": 2}, {"USD": "85.00"}),
    },
    {
        "title": "亚麻阔腿裤", "title_en": "Linen wide-leg trousers",
        "description": "100%亚麻，松紧腰，九分长度，苔绿色。",
        "description_en": "100% linen, elasticated waist, cropped length, in moss green.",
        # HS 6204.69: women's trousers of other textile materials (flax), woven.
        "category": "fashion", "brand_name": "杭州茶舍", "hs_code": "6204.69",
        "origin_country": "CN", "weight_grams": 320, "photo": "linen-trousers",
        "options": [{"name": "Size", "values": ["S", "M", "L"]}],
        "variants": _sizes("TROUSER-LINEN", "358.00", {"CN": 10, "HK": 3}, {"USD": "50.00"}),
    },
    # Stationery ----------------------------------------------------------------------------
    {
        "title": "宣纸线装手账本", "title_en": "Thread-bound Xuan paper notebook",
        "description": "泾县半生熟宣纸，蓝色布面线装，适合小楷与水彩。",
        "description_en": "Semi-sized Jingxian Xuan paper, thread-bound in blue cloth: for "
                          "brush writing and watercolour.",
        "category": "books_stationery", "brand_name": "杭州茶舍", "hs_code": "4820.10",
        "origin_country": "CN", "weight_grams": 260, "photo": "xuan-notebook",
        "variants": [("NOTEBOOK-XUAN", "68.00", {}, {"USD": "10.00"}, {"CN": 40, "HK": 10})],
    },
    {
        "title": "湖笔毛笔四支套装", "title_en": "Huzhou writing brush set of four",
        "description": "湖州善琏兼毫毛笔，大中小楷各一，竹杆手工制作。",
        "description_en": "Mixed-hair brushes from Shanlian, Huzhou, in four sizes, with "
                          "hand-cut bamboo handles.",
        # Artists', writing and similar brushes.
        "category": "books_stationery", "brand_name": "杭州茶舍", "hs_code": "9603.30",
        "origin_country": "CN", "weight_grams": 150, "photo": "brush-set",
        "variants": [("BRUSH-HU-4", "158.00", {}, {"USD": "23.00"}, {"CN": 20, "HK": 5})],
    },
]
