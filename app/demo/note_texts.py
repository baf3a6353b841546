"""What the demo creators write: one Chinese and one English note per demo product, notes
about several products on one table (the photographed scenes) and a few gift lists.

Keys are the products' photo names (app/demo/photos/); a note tags the products it shows.
"""

from __future__ import annotations

# photo: (Chinese title, Chinese body, English title, English body)
PRODUCT_NOTES: dict[str, tuple[str, str, str, str]] = {
    "longjing-tin": (
        "西湖龙井开箱", "今年的明前龙井，豆香很浓，80度水玻璃杯冲泡刚好 #龙井 #茶",
        "Trying Longjing tea for the first time", "Nutty, bright, a little sweet. Brewed at "
        "80°C for two minutes in a glass so I could watch the leaves open. #tea #longjing"),
    "osmanthus-oolong": (
        "桂花乌龙，秋天的味道", "一开罐就是满屋桂花香，第二泡最好喝 #乌龙茶 #桂花",
        "Osmanthus oolong is autumn in a cup", "Roasty oolong with apricot-y osmanthus. "
        "Third steep is the sweetest. #tea #oolong"),
    "celadon-cups": (
        "入了一套青瓷品茗杯", "釉色像雨后的西湖，手拉坯每只都不一样 #茶器 #景德镇",
        "These celadon cups are so calm", "Each one is a slightly different green. Small "
        "enough for gongfu brewing, pretty enough to leave out. #ceramics #tea"),
    "zisha-teapot": (
        "第一把紫砂壶，开壶记录", "原矿紫泥，出水很顺，专门用来泡岩茶 #紫砂壶 #茶器",
        "My first Yixing teapot", "Seasoned it with oolong for a week. It pours like a "
        "dream and smells of tea even when empty. #teapot #yixing"),
    "bamboo-tray": (
        "干泡茶盘真的省心", "不用接水管，擦一擦就干净，小公寓也能摆茶席 #茶席 #家居",
        "A tea tray that doesn't need a drain", "Dry-brewing bamboo tray: wipe it down and "
        "you're done. Perfect for a tiny apartment tea corner. #tea #home"),
    "silk-scarf": (
        "西湖荷花真丝方巾", "系包、做发带、搭白衬衫都好看，手工卷边很精致 #丝巾 #穿搭",
        "The silk scarf I wear every day", "West Lake lotus print, hand-rolled hems. On a "
        "bag handle, in my hair, over a white shirt. #silkscarf #style"),
    "linen-blouse": (
        "棉麻盘扣茶服，上班也能穿", "立领盘扣不夸张，宽松透气，夏天喝茶必备 #新中式 #穿搭",
        "A frog-button blouse for real life", "Linen-cotton, mandarin collar, relaxed. "
        "Looks great with jeans, not just at a tea ceremony. #style #linen"),
    "cashmere-cardigan": (
        "薄羊绒开衫，春秋万能", "12针很细腻，不扎不起球，通勤空调房救星 #羊绒 #通勤穿搭",
        "The lightest cashmere cardigan", "Fine 12-gauge knit that fits under a coat. Zero "
        "itch, zero pilling so far. #cashmere #capsulewardrobe"),
    "silver-needle": (
        "白毫银针，越存越香", "毫香蜜韵，今年喝一半存一半 #白茶 #茶",
        "Silver Needle white tea, first try", "Fuzzy little buds that taste like honey and "
        "hay. Gentle enough for the afternoon. #whitetea #tea"),
    "puerh-cake": (
        "开一饼2019年熟普", "汤色红浓，陈香顺滑，冬天围炉必备 #普洱 #茶",
        "Breaking into a pu-erh cake", "Earthy, smooth and surprisingly sweet. A little pick "
        "and a gaiwan is all you need. #puerh #tea"),
    "lapsang": (
        "正山小种加奶，绝了", "松烟香配牛奶，像在喝篝火 #红茶 #奶茶",
        "Lapsang souchong with milk", "Smoky, like tea by a campfire. A splash of milk makes "
        "it a weekend breakfast. #blacktea #tea"),
    "jasmine-pearls": (
        "茉莉龙珠看它慢慢开", "一颗颗小珠子在杯里舒展，茉莉香很清 #花茶 #茉莉",
        "Watching jasmine pearls unfurl", "Hand-rolled green tea pearls that open in the "
        "glass. Smells like a summer evening. #jasminetea #tea"),
    "lotus-root-powder": (
        "杭州人的早餐：西湖藕粉", "开水一冲变成琥珀色，加桂花和坚果 #杭州美食 #早餐",
        "Lotus root pudding for breakfast", "Stir hot water into the powder and it turns "
        "into a glossy amber pudding. Osmanthus on top. #hangzhou #breakfast"),
    "osmanthus-cakes": (
        "桂花糕礼盒，送长辈刚好", "软糯不甜腻，独立包装方便分享 #伴手礼 #杭州美食",
        "Osmanthus rice cakes gift box", "Soft, chewy, not too sweet. Individually wrapped, "
        "which made sharing at the office easy. #snacks #gifts"),
    "hickory-nuts": (
        "临安山核桃，停不下来", "手剥的仁，淡淡椒盐味，追剧必备 #零食 #坚果",
        "Hickory nuts I can't stop eating", "Tiny, buttery and lightly salted, already "
        "shelled by hand. Dangerous on the sofa. #snacks #nuts"),
    "acacia-honey": (
        "洋槐蜜冲柠檬水", "水白透亮不结晶，早上一杯温水 #蜂蜜 #养生",
        "Acacia honey that stays clear", "Mild, floral and runny, perfect in lemon water "
        "first thing in the morning. #honey #morningroutine"),
    "moon-cake-tin": (
        "中秋月饼选这盒", "苏式酥皮一层层掉渣，铁盒画着西湖还能装茶 #中秋 #月饼",
        "The prettiest mooncake tin", "Flaky Suzhou-style mooncakes, and the West Lake tin "
        "now holds my tea bags. #midautumn #mooncake"),
    "carved-lipstick": (
        "这支口红太好看了", "秋冬必备的宫墙红，雕花膏体舍不得用，黄皮也能驾驭 #口红 #秋冬妆容",
        "A carved lipstick that's almost too pretty", "Peonies carved into the bullet, "
        "velvet matte on the lips. Palace red is my pick. #lipstick #cbeauty"),
    "sheet-masks": (
        "熬夜急救面膜", "珍珠积雪草，敷完第二天上妆很服帖 #面膜 #护肤",
        "Sheet masks for jet lag", "Pearl and centella, very soothing after a long flight. "
        "Skin looked rested the next morning. #skincare #sheetmask"),
    "camellia-cleanser": (
        "敏感肌的洗面奶", "氨基酸很温和，洗完不紧绷 #洁面 #敏感肌",
        "A cleanser my sensitive skin likes", "Low foam, no tight feeling afterwards. "
        "Camellia smells lovely. #skincare #cleanser"),
    "jade-bracelet": (
        "奶奶说玉要戴着养", "和田碧玉，颜色很正，附检测证书 #玉镯 #和田玉",
        "A jade bangle with a story", "Hetian green jade, one solid piece. My grandmother "
        "says jade gets better the more you wear it. #jade #jewellery"),
    "ru-caddy": (
        "汝窑茶叶罐，开片太美", "天青色配胡桃木盖，密封很好 #茶器 #汝窑",
        "The Ru-ware caddy on my desk", "Crackled sky-blue glaze and a walnut lid that "
        "actually seals. Holds my daily oolong. #ceramics #tea"),
    "blue-white-bowls": (
        "青花瓷碗，吃饭都香了", "手绘缠枝莲，还能进洗碗机 #餐具 #青花瓷",
        "Blue-and-white bowls for noodles", "Hand-painted lotus scroll, and they go in the "
        "dishwasher. Everyday rice and noodle bowls. #ceramics #kitchen"),
    "gaiwan": (
        "新手入门盖碗", "薄胎出汤快，130毫升一个人喝刚好 #盖碗 #茶",
        "Learning to brew with a gaiwan", "Thin porcelain, pours fast, and I've only burnt "
        "my fingers twice. 130 ml is perfect for one. #gaiwan #tea"),
    "iron-teapot": (
        "铸铁壶煮水真的更软", "冬天在电陶炉上慢慢煮，泡老白茶很好 #铁壶 #茶",
        "A cast-iron kettle for winter tea", "Heavy, slow and lovely. Water from it makes my "
        "white tea taste rounder. #tea #castiron"),
    "brocade-clutch": (
        "宋锦手拿包，婚礼伴娘都问链接", "靛蓝配金扣，刚好放手机和口红 #宋锦 #包包",
        "Song brocade clutch for a wedding", "Indigo brocade and a gold clasp. Fits my phone "
        "and a lipstick, and everyone asked where it's from. #bags #wedding"),
    "silk-blouse": (
        "香云纱衬衫，越穿越软", "薯莨染色的光泽很高级，夏天透气不贴身 #香云纱 #新中式",
        "Gambiered silk, softer every wear", "Yam-dyed silk with a lovely sheen. Airy in "
        "summer and never clingy. #silk #style"),
    "linen-trousers": (
        "苔绿亚麻阔腿裤", "松紧腰超舒服，九分长度显高 #亚麻 #穿搭",
        "Moss-green linen trousers", "Elastic waist, cropped wide leg. I'm wearing them "
        "three days a week. #linen #ootd"),
    "xuan-notebook": (
        "宣纸手账写小楷", "半生熟宣纸不洇墨，线装可以平摊 #手账 #书法",
        "A Xuan paper notebook for brush lettering", "Thread-bound, lies flat, and the paper "
        "takes ink and watercolour beautifully. #stationery #calligraphy"),
    "brush-set": (
        "湖笔四支，练字够用了", "兼毫软硬适中，大中小楷都能写 #书法 #毛笔",
        "My first Chinese calligraphy brushes", "Four sizes of Huzhou brushes. Starting with "
        "the character 永 like everyone. #calligraphy #newhobby"),
    "shea-butter": (
        "平价身体乳推荐", "乳木果打发成奶油状，秋冬涂完不干 #身体乳 #护肤",
        "Whipped shea, one year later", "Still the only thing that fixes my winter elbows. "
        "Unscented is great for sensitive skin. #bodycare #skincare"),
    "soy-candle": (
        "布鲁克林小众香薰蜡烛", "无花果味很温柔，棉芯不冒黑烟 #香薰 #家居",
        "The candle that makes my flat smell like autumn", "Fig is warm and soft, and the "
        "cotton wick burns clean for ages. #candles #home"),
    "enamel-mug": (
        "搪瓷杯露营超出片", "墨绿色配黑边，装咖啡装泡面都行 #露营 #好物",
        "Enamel mug, camp to kitchen", "Forest green with a black rim. Coffee at the "
        "campsite, tea at my desk. #camping #coffee"),
    "lip-balm-trio": (
        "蜂蜡润唇膏三支装", "薄荷、蜂蜜、香草，包里口袋里各放一支 #润唇膏 #平价",
        "Lip balms in every pocket", "Mint for the gym bag, honey for my desk, vanilla for "
        "bed. Local beeswax. #lipbalm #selfcare"),
    "hot-sauce": (
        "美国小批量辣椒酱", "发酵哈瓦那辣椒，配饺子比老干妈还上头 #辣椒酱 #美食",
        "Hot sauce on everything", "Fermented habanero and garlic: bright, fruity, properly "
        "hot. Dumplings, eggs, pizza. #hotsauce #food"),
    "crewneck-tee": (
        "厚磅有机棉T恤", "成衣染色的颜色很高级，洗了不变形 #T恤 #基础款",
        "The heavyweight tee I buy in every colour", "Organic cotton, garment-dyed, keeps "
        "its shape. Navy and oat are my two. #basics #tshirt"),
    "flannel-shirt": (
        "法兰绒格子衬衫，秋天到了", "磨毛很软，当外套穿也可以 #格子衬衫 #秋季穿搭",
        "Flannel season is here", "Brushed cotton, classic red plaid. Shirt or light "
        "jacket, depending on the day. #flannel #fallfashion"),
    "waxed-tote": (
        "一只帆布包用一年", "上蜡帆布越用越有味道，通勤装电脑没问题 #帆布包 #通勤包",
        "My Brooklyn tote, one year later", "Waxed canvas holds up beautifully. Still my "
        "daily bag, laptop and all. #bags #everyday"),
    "matte-lipstick": (
        "美国小众哑光口红", "砖红色秋冬很显白，不拔干 #口红 #哑光",
        "Lipsticks I love", "Three matte shades for autumn, from rosewood to brick. Brick is "
        "my everyday red. #lipstick #makeup"),
    "vitamin-c-serum": (
        "维C精华早上用", "15%浓度不刺激，配防晒一起用提亮很明显 #精华 #美白",
        "Minimal skincare routine", "Cleanser, vitamin C serum, moisturiser, sunscreen. "
        "That's it. #skincare #vitaminc"),
    "rose-clay-mask": (
        "粉泥面膜，周末仪式感", "十分钟洗掉，毛孔干净很多 #清洁面膜 #护肤",
        "Sunday pink clay mask", "Ten minutes, a cup of tea, and my skin feels clean but "
        "not stripped. #skincare #selfcare"),
    "olive-soap": (
        "冷制皂洗手好舒服", "橄榄油很滋润，迷迭香味淡淡的 #手工皂 #家居",
        "Cold-process soap by the sink", "Olive oil and rosemary. My hands stopped "
        "cracking this winter. #soap #handmade"),
    "coffee-dripper": (
        "手冲咖啡入门套装", "粗陶滤杯配玻璃分享壶，一次两杯 #手冲咖啡 #咖啡",
        "Slow mornings with a pour-over", "Speckled stoneware dripper on a glass server. "
        "Two cups, four minutes. #coffee #pourover"),
    "linen-towels": (
        "亚麻茶巾吸水好", "石洗亚麻软软的，条纹很好看 #厨房 #家居",
        "Linen tea towels, finally", "They actually dry glasses without lint, and the "
        "stripe is lovely. #kitchen #linen"),
    "walnut-board": (
        "胡桃木餐板拍照太出片", "放奶酪、水果、面包都好看 #餐具 #家居",
        "A walnut board for every snack", "Cheese on Friday, bread on Sunday. Oiled with "
        "beeswax and gorgeous grain. #kitchen #hosting"),
    "stoneware-vase": (
        "一支花就够的小花瓶", "燕麦色斑点釉，插一枝桂花 #花瓶 #家居",
        "A bud vase for one stem", "Oatmeal speckled glaze, thrown in Red Hook. One stem "
        "from the market is enough. #ceramics #home"),
    "taper-candles": (
        "蜂蜡长烛，晚餐氛围感", "点上之后有淡淡蜂蜜香 #烛光晚餐 #家居",
        "Beeswax tapers for dinner", "Brass holders, hand-dipped beeswax, a faint honey "
        "smell. Instant dinner party. #candles #hosting"),
    "coffee-beans": (
        "古吉咖啡豆，桃子味", "浅烘水洗，手冲有茉莉和红茶的味道 #咖啡豆 #手冲咖啡",
        "Guji beans that taste like peach", "Washed Ethiopian, light roast: peach, jasmine "
        "and black tea. #coffee #specialtycoffee"),
    "cold-brew": (
        "冷萃咖啡液，夏天续命", "1比2兑牛奶，五秒做好冰拿铁 #冷萃 #咖啡",
        "Five-second iced latte", "One part concentrate, two parts oat milk, ice. Summer "
        "sorted. #coldbrew #coffee"),
    "maple-syrup": (
        "佛蒙特枫糖浆", "深色风味很浓，淋松饼或者拌酸奶 #早餐 #美食",
        "Dark maple syrup on everything", "Grade A dark from a family sugarhouse. Pancakes, "
        "yoghurt, even my coffee. #breakfast #vermont"),
    "sea-salt-chocolate": (
        "海盐黑巧，一次只吃一格", "72%不太苦，海盐很提味 #巧克力 #零食",
        "Sea salt dark chocolate", "72% with flaky salt. One square after dinner (or "
        "three). #chocolate #snacks"),
    "granola": (
        "枫糖碧根果燕麦脆", "配酸奶当早餐，烤得很脆 #早餐 #燕麦",
        "Granola that's actually crunchy", "Maple and pecans, big clusters. On yoghurt "
        "every morning this month. #breakfast #granola"),
    "wildflower-honey": (
        "会结晶的生蜂蜜", "野花蜜味道很丰富，结晶了抹面包更好吃 #蜂蜜 #早餐",
        "Raw honey crystallises (that's good)", "Unfiltered wildflower honey from upstate. "
        "Spread it on toast when it sets. #honey #breakfast"),
    "merino-beanie": (
        "美利奴毛线帽，不扎头", "铁锈红很显白，冬天出门必戴 #毛线帽 #冬季穿搭",
        "The beanie that doesn't itch", "Extra-fine merino in rust. Warm without the hat "
        "hair. #winterstyle #knitwear"),
    "selvedge-jeans": (
        "原色牛仔裤养成记", "14盎司赤耳，穿半年开始出猫须了 #牛仔裤 #养牛",
        "Six months in raw selvedge denim", "14 oz, straight leg, made in LA. The fades are "
        "starting to show. #denim #rawdenim"),
    "crew-socks": (
        "条纹中筒袜三双装", "精梳棉很柔软，搭乐福鞋好看 #袜子 #穿搭",
        "Striped socks, three pairs", "Soft combed cotton and a striped cuff that peeks out "
        "of loafers. #socks #style"),
    "card-wallet": (
        "极简卡包，告别大钱包", "植鞣皮越用越好看，四张卡刚好 #卡包 #极简",
        "Downsized to a card wallet", "Veg-tan leather, four cards, nothing else. It's "
        "already darkening nicely. #minimalism #edc"),
    "steel-bottle": (
        "保温杯出门必带", "保冷24小时，健身房和办公室都用 #保温杯 #健身",
        "The water bottle I never leave without", "Ice still there after a day at the "
        "office and an evening at the gym. #hydration #fitness"),
    "cork-yoga-mat": (
        "软木瑜伽垫，出汗也不滑", "天然材质没有橡胶味 #瑜伽 #健身",
        "A cork yoga mat that grips", "It gets grippier when you sweat. No rubber smell "
        "either. #yoga #fitness"),
    "dot-notebook": (
        "点阵本做手账", "钢笔不洇，平摊书写很舒服 #手账 #文具",
        "My bullet journal notebook", "Dot grid, fountain-pen friendly, lies flat. Year two "
        "with this one. #bulletjournal #stationery"),
}

# The products on each scene's table, left to right (app/demo/photos/render.py arranges
# them so; the scene's note tags them).
SCENE_PRODUCTS: dict[str, list[str]] = {
    "scene-tea-table": ["bamboo-tray", "zisha-teapot", "celadon-cups", "longjing-tin"],
    "scene-tea-flatlay": ["gaiwan", "silver-needle", "lapsang", "ru-caddy"],
    "scene-puerh": ["puerh-cake", "iron-teapot", "celadon-cups"],
    "scene-vanity": ["carved-lipstick", "sheet-masks", "camellia-cleanser"],
    "scene-lips": ["matte-lipstick", "lip-balm-trio", "rose-clay-mask"],
    "scene-skincare": ["vitamin-c-serum", "shea-butter", "olive-soap"],
    "scene-cosy": ["soy-candle", "enamel-mug", "taper-candles"],
    "scene-coffee": ["coffee-dripper", "coffee-beans", "enamel-mug"],
    "scene-breakfast": ["granola", "wildflower-honey", "walnut-board"],
    "scene-pantry": ["maple-syrup", "hot-sauce", "sea-salt-chocolate"],
    "scene-outfit": ["crewneck-tee", "selvedge-jeans", "merino-beanie"],
    "scene-weekend-bag": ["waxed-tote", "card-wallet", "dot-notebook"],
    "scene-studio": ["cork-yoga-mat", "steel-bottle", "crew-socks"],
    "scene-hanfu-style": ["silk-scarf", "brocade-clutch", "silk-blouse"],
    "scene-study": ["xuan-notebook", "brush-set", "ru-caddy"],
    "scene-snacks": ["osmanthus-cakes", "hickory-nuts", "lotus-root-powder"],
    "scene-home": ["stoneware-vase", "blue-white-bowls", "linen-towels"],
    "scene-tea-clothes": ["linen-blouse", "linen-trousers", "osmanthus-oolong"],
}

# scene photo: (language, title, body); the scene's products are tagged left to right.
SCENE_NOTES: dict[str, tuple[str, str, str]] = {
    "scene-tea-table": ("zh", "周末在家摆个茶席",
                        "紫砂壶、青瓷杯、一罐龙井，竹茶盘一放就有氛围了 "
                        "#茶席 #周末"),
    "scene-tea-flatlay": ("zh", "我的茶柜清单",
                          "盖碗配银针和正山小种，汝窑罐装每天喝的 #茶 #好物分享"),
    "scene-puerh": ("en", "A pu-erh afternoon", "Iron kettle on, a chunk of ripe pu-erh, "
                    "celadon cups. Winter tea at its best. #puerh #tea"),
    "scene-vanity": ("zh", "我的国货梳妆台",
                     "雕花口红、珍珠面膜和山茶花洁面，全是国货 #国货美妆 #护肤"),
    "scene-lips": ("en", "What's in my makeup bag", "A matte red, three lip balms and the "
                   "pink clay mask I use on Sundays. #makeup #lipstick"),
    "scene-skincare": ("en", "Winter skincare shelf", "Vitamin C in the morning, shea at "
                       "night, olive soap by the sink. #skincare #winter"),
    "scene-cosy": ("en", "Cosy evening essentials", "A fig candle, tea in the enamel mug, "
                   "tapers for dinner. #hygge #home"),
    "scene-coffee": ("zh", "周末手冲时间",
                     "古吉咖啡豆磨好，粗陶滤杯慢慢冲，搪瓷杯装 #手冲咖啡 #周末"),
    "scene-breakfast": ("en", "Sunday breakfast board", "Granola, raw honey and the walnut "
                        "board I use for everything. #breakfast #brunch"),
    "scene-pantry": ("en", "Pantry finds from Brooklyn", "Maple syrup, habanero hot sauce "
                     "and sea salt chocolate. Sweet, hot, salty. #food #pantry"),
    "scene-outfit": ("zh", "美式休闲一周穿搭",
                     "厚磅T恤、原色牛仔裤、铁锈红毛线帽 #穿搭 #美式休闲"),
    "scene-weekend-bag": ("en", "What's in my weekend bag", "Waxed tote, card wallet and a "
                          "dot-grid notebook for the train. #bags #weekend"),
    "scene-studio": ("en", "Yoga class kit", "Cork mat, steel bottle and the striped socks "
                     "for after. #yoga #fitness"),
    "scene-hanfu-style": ("zh", "新中式穿搭三件套",
                          "真丝方巾、宋锦手拿包、香云纱衬衫 #新中式 #穿搭"),
    "scene-study": ("zh", "书桌一角：练字的日子",
                    "宣纸手账、湖笔和汝窑罐，每天写半小时 #书法 #书桌"),
    "scene-snacks": ("zh", "杭州伴手礼清单",
                     "桂花糕、山核桃和西湖藕粉，带回家送人都合适 #伴手礼 #杭州"),
    "scene-home": ("en", "Small things that make a home", "A bud vase, blue-and-white bowls "
                   "from Jingdezhen and linen tea towels. #home #ceramics"),
    "scene-tea-clothes": ("zh", "喝茶也要穿得舒服",
                          "棉麻茶服配亚麻阔腿裤，再来一罐桂花乌龙 "
                          "#新中式 #茶"),
}

# (language, title, body, photos): notes about several products, each photo tagged.
GIFT_NOTES: list[tuple[str, str, str, list[str]]] = [
    ("en", "Gift ideas under $30", "Tea, a tote-sized treat and a lip balm, done. #gifts",
     ["osmanthus-oolong", "lip-balm-trio", "sea-salt-chocolate"]),
    ("zh", "送外国朋友的中国礼物", "龙井、丝巾、青花碗，带着杭州的味道 #礼物 #出国",
     ["longjing-tin", "silk-scarf", "blue-white-bowls"]),
    ("en", "Tea lover's gift guide", "A gaiwan, jasmine pearls and a Ru-ware caddy for the "
     "tea person in your life. #gifts #tea", ["gaiwan", "jasmine-pearls", "ru-caddy"]),
    ("zh", "给男朋友的礼物清单", "卡包、毛线帽、手冲套装，实用不踩雷 #礼物 #男生礼物",
     ["card-wallet", "merino-beanie", "coffee-dripper"]),
    ("en", "Self-care Sunday", "Clay mask, a candle and a cup of white tea. #selfcare",
     ["rose-clay-mask", "soy-candle", "silver-needle"]),
    ("zh", "平价护肤好物", "学生党也能买得起，洁面、面膜、身体乳 #护肤 #平价",
     ["camellia-cleanser", "sheet-masks", "shea-butter"]),
    ("en", "Housewarming gifts that get used", "A walnut board, a bud vase and tapers. "
     "#housewarming #gifts", ["walnut-board", "stoneware-vase", "taper-candles"]),
    ("zh", "露营装备分享", "搪瓷杯、保温瓶、冷萃咖啡液，周末去山里 #露营 #户外",
     ["enamel-mug", "steel-bottle", "cold-brew"]),
    ("en", "Things I brought back from Hangzhou", "Longjing, lotus root starch and a silk "
     "scarf. Already planning the next trip. #travel #hangzhou",
     ["longjing-tin", "lotus-root-powder", "silk-scarf"]),
    ("zh", "中秋送礼这样选", "月饼铁盒配桂花糕和蜂蜜，长辈都喜欢 #中秋 #送礼",
     ["moon-cake-tin", "osmanthus-cakes", "acacia-honey"]),
    ("en", "Stocking fillers", "Socks, chocolate and a notebook. #christmas #gifts",
     ["crew-socks", "sea-salt-chocolate", "dot-notebook"]),
    ("zh", "秋冬衣橱新成员", "羊绒开衫、法兰绒衬衫、亚麻阔腿裤 #秋冬穿搭",
     ["cashmere-cardigan", "flannel-shirt", "linen-trousers"]),
]

COMMENTS_ZH = ["好好看！求链接", "已下单，等快递中", "这个颜色太绝了", "收藏了，下次买",
               "请问适合送人吗？", "我也买了，真的好用", "博主皮肤好好", "种草了"]
COMMENTS_EN = ["Where can I buy this?", "Adding this to my list.", "Gorgeous colours.",
               "Does it ship to Canada?", "I have this too, love it.", "Great photo!",
               "Ordered one, thanks for the tip.", "How long did shipping take?"]
