"""Demo moderation rules for every market, the US, the UK, France and China, in English and
Chinese.

Realistic but mild: spam, counterfeits, taking sales off the platform, goods a market bans
(Kinder Surprise eggs in the US, pepper spray in the UK, e-cigarettes sold online in China),
ad rules (health claims, UK alcohol ads, France's Loi Évin on alcohol advertising, China's
ban on absolute claims such as 最佳). The obviously-marked test terms `qiaotestban` and
测试违禁词 exist for trying screening out. Loaded through the same CSV import admins use,
one version per market.
"""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import ModerationRuleSet, User
from app.services.moderation import rules

DEMO_RULES_CSV = """\
market,kind,term,language,severity,reason_code,match_pinyin,match_variants,match_leet,hs_prefixes
ALL,keyword,qiaotestban,en,medium,test_term,no,yes,yes,
ALL,keyword,测试违禁词,zh,medium,test_term,yes,yes,no,
ALL,keyword,buy followers,en,medium,spam,no,yes,yes,
ALL,keyword,fake reviews,en,medium,spam,no,yes,yes,
ALL,keyword,刷单,zh,high,spam,yes,yes,no,
ALL,keyword,刷好评,zh,medium,spam,yes,yes,no,
ALL,keyword,加微信,zh,medium,off_platform,yes,yes,no,
ALL,keyword,私下交易,zh,medium,off_platform,yes,yes,no,
ALL,pattern,"(?<![a-z0-9])(?:whatsapp|wechat|vx|wx)\\s*[:：]?\\s*[a-z0-9_-]{5,}",any,medium,off_platform,no,yes,no,
ALL,keyword,replica,en,high,counterfeit,no,yes,yes,
ALL,keyword,1:1 copy,en,high,counterfeit,no,yes,no,
ALL,keyword,高仿,zh,high,counterfeit,yes,yes,no,
ALL,keyword,假货,zh,high,counterfeit,yes,yes,no,
ALL,prohibited_good,ivory,en,critical,wildlife,no,yes,no,0507
ALL,prohibited_good,象牙,zh,critical,wildlife,yes,yes,no,0507
US,prohibited_good,kinder surprise,en,high,prohibited_goods,no,yes,no,
US,keyword,weed gummies,en,high,drugs,no,yes,yes,
US,ad_rule,fda approved,en,medium,medical_claim,no,yes,no,
US,ad_rule,cures acne,en,medium,medical_claim,no,yes,no,
GB,prohibited_good,pepper spray,en,high,weapons,no,yes,no,
GB,ad_rule,lose weight fast,en,medium,medical_claim,no,yes,no,
GB,ad_rule,drink like a pro,en,medium,alcohol,no,yes,no,
GB,keyword,bitter orange slimming,en,low,medical_claim,no,yes,no,
CN,keyword,赌博,zh,high,gambling,yes,yes,no,
CN,keyword,代开发票,zh,high,scam,yes,yes,no,
CN,prohibited_good,电子烟,zh,high,tobacco,yes,yes,no,
CN,prohibited_good,气枪,zh,critical,weapons,yes,yes,no,9304
FR,ad_rule,wine,en,medium,alcohol,no,yes,no,
FR,ad_rule,vin,any,medium,alcohol,no,yes,no,
CN,ad_rule,最佳,zh,medium,superlative_claim,no,yes,no,
CN,ad_rule,国家级,zh,medium,superlative_claim,no,yes,no,
CN,ad_rule,第一品牌,zh,medium,superlative_claim,no,yes,no,
CN,ad_rule,根治,zh,high,medical_claim,no,yes,no,
"""


def seed_moderation_rules(admin: User) -> list[str]:
    """Load the demo rules once (skipped when any market already has rules)."""
    if db.session.scalar(select(ModerationRuleSet.id).limit(1)) is not None:
        return ["Moderation rules: already present, left as they are"]
    added = rules.import_moderation_rules(admin, DEMO_RULES_CSV)
    return ["Moderation rules: " + ", ".join(f"{market} {count}"
                                             for market, count in sorted(added.items()))
            + " (test terms: qiaotestban, 测试违禁词)"]
