# ruff: noqa: E501  (note templates and anchor notes are long prose lines on purpose)
"""Generate the demo win/loss notes: demo/winloss/notes-2025.jsonl and demo/winloss/notes-2024.csv.

The generator is seeded (``random.Random(42)``), so every run writes the same files. Outcomes
are deliberately uneven so a win/loss summary has something to say:

* OpenPipe / in-house builds: we win most of the time;
* DataForge: about even overall, better when plant (OT) data is in scope, worse in SMB;
* Qiantang Cloud: we lose most retail deals, on price and cloud bundles;
* Northwind Analytics: strong in financial services (data residency, lineage), weak in retail.

Every record follows the schema in demo/winloss/README.md. Industries, products and problems use
keys from demo/taxonomy.yaml and demo/problem_map.yaml; the stage column mixes stage keys,
Salesforce-style CRM names and Chinese CRM names on purpose. A handful of fixed "anchor" deals
are the customers of the case studies in demo/docs/.

Usage:  .venv/bin/python demo/generate_notes.py [--stats]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
OUT = HERE / "winloss"
FIELDS = [
    "deal_id", "account", "industry", "segment", "region", "competitors", "outcome", "stage",
    "amount", "currency", "close_date", "products", "problems", "reasons", "notes",
]  # fmt: skip

# --------------------------------------------------------------------------- vocabulary

INDUSTRY_WEIGHTS = {
    "manufacturing": 30, "retail": 20, "financial-services": 15,
    "healthcare": 10, "logistics": 12, "energy": 13,
}  # fmt: skip
INDUSTRY_NAMES = {  # how a CRM export might spell the industry instead of the key
    "manufacturing": ("Manufacturing", "制造业"),
    "retail": ("Retail", "零售"),
    "financial-services": ("Financial services", "金融"),
    "healthcare": ("Healthcare", "医疗"),
    "logistics": ("Logistics", "物流"),
    "energy": ("Energy", "能源"),
}
INDUSTRY_ZH = {k: v[1] for k, v in INDUSTRY_NAMES.items()}

ACCOUNTS: dict[str, list[tuple[str, str, str]]] = {  # (name, 中文名, home region)
    "manufacturing": [
        ("Changzhou New Materials", "常州新材料", "East China"),
        ("Suzhou Precision Bearings", "苏州精密轴承", "East China"),
        ("Ningbo Molding Group", "宁波模塑集团", "East China"),
        ("Foshan Home Appliances", "佛山家电", "South China"),
        ("Wuxi Semiconductor Packaging", "无锡半导体封装", "East China"),
        ("Taizhou Pump Works", "台州泵业", "East China"),
        ("Hefei Battery Systems", "合肥电池系统", "East China"),
        ("Qingdao Tyre Company", "青岛轮胎", "North China"),
        ("Xiamen Electronics Assembly", "厦门电子组装", "South China"),
        ("Chongqing Motorcycle Parts", "重庆摩配", "Southwest China"),
        ("Tianjin Steel Components", "天津钢构件", "North China"),
        ("Dongguan Precision Plastics", "东莞精密塑胶", "South China"),
        ("Shaoxing Textile Machinery", "绍兴纺机", "East China"),
        ("Yantai Heavy Equipment", "烟台重工", "North China"),
    ],
    "retail": [
        ("Lotus Lane Supermarkets", "莲巷超市", "East China"),
        ("Pearl River Convenience", "珠江便利", "South China"),
        ("Golden Bowl Restaurants", "金碗餐饮", "East China"),
        ("Hubei Home Furnishing", "湖北家居", "Southwest China"),
        ("Sunny Kids Apparel", "阳光童装", "South China"),
        ("Evergreen Pharmacy Chain", "常青大药房", "North China"),
        ("Urban Fresh Grocery", "都市鲜生", "East China"),
        ("Jade Mountain Outdoor", "玉山户外", "Southwest China"),
        ("Maple Beauty Stores", "枫叶美妆", "South China"),
        ("Harbour Electronics Retail", "港湾电器", "South China"),
        ("Silk Road Department Store", "丝路百货", "North China"),
        ("Panda Snacks Group", "熊猫零食集团", "Southwest China"),
    ],
    "financial-services": [
        ("Xinghai Rural Commercial Bank", "星海农商银行", "East China"),
        ("Huaxia Mutual Insurance", "华夏互助保险", "North China"),
        ("Lanting Securities", "兰亭证券", "East China"),
        ("Eastbay Consumer Finance", "东湾消费金融", "South China"),
        ("Shengjing Trust", "盛京信托", "North China"),
        ("Baiyun City Bank", "白云城市银行", "South China"),
        ("Tianfu Leasing", "天府租赁", "Southwest China"),
        ("Canal Life Insurance", "运河人寿", "East China"),
        ("Minjiang Bank", "闽江银行", "South China"),
        ("Northstar Payments", "北极星支付", "North China"),
    ],
    "healthcare": [
        ("Ruikang Children's Hospital", "瑞康儿童医院", "East China"),
        ("Huatuo Medical Group", "华佗医疗集团", "North China"),
        ("Anxin Clinical Labs", "安心医学检验", "East China"),
        ("Qingshan Pharma", "青山制药", "Southwest China"),
        ("Cedar Hill Hospital", "雪松山医院", "South China"),
        ("Yongkang Rehabilitation", "永康康复医院", "East China"),
        ("Songhe Dental Chain", "松鹤口腔", "North China"),
        ("Jiahe Maternity Hospitals", "嘉禾妇产医院", "South China"),
    ],
    "logistics": [
        ("Bluewave Express", "蓝浪快运", "South China"),
        ("Yangtze Cold Chain", "长江冷链", "East China"),
        ("Silkline Freight", "丝路货运", "Southwest China"),
        ("Pinnacle 3PL", "顶峰供应链", "East China"),
        ("Greenway Port Services", "绿道港口", "South China"),
        ("Thunder Couriers", "雷霆速递", "North China"),
        ("Highland Trucking", "高原运输", "Southwest China"),
        ("Orient Warehousing", "东方仓储", "East China"),
    ],
    "energy": [
        ("Tianshan Wind Power", "天山风电", "North China"),
        ("Coastal Solar Energy", "海岸光伏", "East China"),
        ("Jinsha Hydropower", "金沙水电", "Southwest China"),
        ("Northern Grid Services", "北方电网服务", "North China"),
        ("Redstone Gas Distribution", "红石燃气", "South China"),
        ("Helan Renewable Energy", "贺兰新能源", "North China"),
        ("Pearl Delta Power", "珠三角电力", "South China"),
        ("Qinling Thermal Power", "秦岭热电", "Southwest China"),
    ],
}
EMEA_ACCOUNTS = {
    "manufacturing": [("Brandt Maschinenbau", "Brandt Maschinenbau"), ("Oosterhout Packaging", "Oosterhout Packaging")],
    "retail": [("Maison Dufour Retail", "Maison Dufour Retail")],
    "financial-services": [("Nordkapp Sparebank", "Nordkapp Sparebank")],
    "logistics": [("Rotterdam Freight Partners", "Rotterdam Freight Partners")],
    "energy": [("Iberia Eolica", "Iberia Eolica")],
    "healthcare": [("Klinikum Sonnenberg", "Klinikum Sonnenberg")],
}  # fmt: skip
APAC_ACCOUNTS = {
    "manufacturing": [("Penang Precision Sdn Bhd", "槟城精密")],
    "retail": [("Merlion Mart", "鱼尾狮超市")],
    "financial-services": [("Straits Digital Bank", "海峡数字银行")],
    "logistics": [("Lion City Logistics", "狮城物流")],
    "energy": [("Mekong Solar", "湄公光伏")],
    "healthcare": [("Orchard Medical Group", "乌节医疗集团")],
}

COMPETITOR_WEIGHTS = {  # primary competitor by industry ("" = no competitor recorded)
    "manufacturing": {
        "dataforge": 55,
        "qiantang-cloud": 10,
        "northwind": 10,
        "openpipe": 10,
        "": 15,
    },
    "retail": {"qiantang-cloud": 50, "northwind": 25, "openpipe": 10, "dataforge": 5, "": 10},
    "financial-services": {
        "northwind": 45,
        "openpipe": 30,
        "qiantang-cloud": 10,
        "dataforge": 5,
        "": 10,
    },
    "healthcare": {"qiantang-cloud": 35, "dataforge": 25, "northwind": 10, "openpipe": 15, "": 15},
    "logistics": {"openpipe": 40, "qiantang-cloud": 30, "dataforge": 15, "": 15},
    "energy": {"dataforge": 45, "qiantang-cloud": 20, "northwind": 10, "openpipe": 10, "": 15},
}
SECOND_COMPETITOR = {  # who else shows up in a competitive deal, by industry
    "manufacturing": ["qiantang-cloud", "northwind"], "retail": ["northwind", "qiantang-cloud"],
    "financial-services": ["openpipe", "northwind"], "healthcare": ["qiantang-cloud", "northwind"],
    "logistics": ["qiantang-cloud", "northwind"], "energy": ["qiantang-cloud", "northwind"],
}  # fmt: skip
COMP_EN = {"dataforge": "DataForge", "qiantang-cloud": "Qiantang Cloud",
           "northwind": "Northwind Analytics", "openpipe": "OpenPipe"}  # fmt: skip
COMP_ZH = {
    "dataforge": "数铸",
    "qiantang-cloud": "钱塘云",
    "northwind": "北风分析",
    "openpipe": "OpenPipe 开源方案",
}

MARKETS = [("China", 87), ("APAC", 7), ("EMEA", 6)]
SEGMENTS = [("enterprise", 40), ("mid-market", 40), ("smb", 20)]
AMOUNT_RANGE = {
    "enterprise": (650_000, 4_200_000),
    "mid-market": (180_000, 900_000),
    "smb": (60_000, 290_000),
}
FX = {"CNY": 1.0, "USD": 1 / 7.1, "EUR": 1 / 7.7}

CHAMPIONS = [  # (title_en, title_zh, persona)
    ("CIO", "首席信息官", "cio"),
    ("CFO", "首席财务官", "cfo"),
    ("head of data", "数据负责人", "cdo"),
    ("plant manager", "工厂经理", "plant-manager"),
    ("compliance officer", "合规负责人", "compliance-officer"),
    ("CISO", "信息安全总监", "ciso"),
    ("COO", "运营总监", "coo"),
    ("supply chain director", "供应链总监", "supply-chain-director"),
    ("merchandising director", "商品总监", "merchandising-director"),
    ("data engineering lead", "数据工程负责人", "data-engineer"),
]
SURNAMES = ["Zhou", "Wu", "Lin", "Xu", "He", "Guo", "Luo", "Song", "Tang", "Han", "Feng", "Deng",
            "Cao", "Peng", "Zeng", "Xiao", "Tian", "Dong", "Pan", "Yuan"]  # fmt: skip
SURNAMES_ZH = dict(zip(SURNAMES, "周吴林徐何郭罗宋唐韩冯邓曹彭曾肖田董潘袁", strict=True))

LOST_REASONS = {
    "dataforge": ["price", "incumbent relationship", "on-site services", "price"],
    "qiantang-cloud": [
        "price",
        "bundled with cloud commitment",
        "price",
        "single-vendor preference",
    ],
    "northwind": ["dashboard UX", "incumbent relationship", "global standard mandated by HQ"],
    "openpipe": ["in-house team preferred", "no licence budget"],
    "": ["no access to economic buyer", "price"],
}
EDGE_INDUSTRIES = {"manufacturing", "energy", "logistics"}  # where LumaEdge has machines to read
COMMON_LOST = ["champion left", "no access to economic buyer", "PoC delayed"]
NO_DECISION_REASONS = [
    "budget frozen",
    "priorities changed",
    "no compelling event",
    "reorganisation",
]

STAGE_NAMES = {  # stage key -> names a CRM export might use (validated against the sales process)
    "qualification": ["qualification", "Qualification", "Id. Decision Makers", "资格确认"],
    "discovery": ["discovery", "Needs Analysis", "需求分析"],
    "solution_design": [
        "solution_design",
        "Value Proposition",
        "Proof of Concept",
        "Perception Analysis",
        "方案验证",
    ],
    "proposal": ["proposal", "Proposal/Price Quote", "方案报价"],
    "negotiation": ["negotiation", "Negotiation/Review", "商务谈判"],
    "closing": ["Closed Won", "closing", "成交", "Closed Won"],
    "expansion": ["Renewal", "Upsell", "expansion", "续约"],
}
LOST_STAGE_BY_REASON = {
    "price": ["negotiation", "negotiation", "proposal"],
    "bundled with cloud commitment": ["proposal", "negotiation"],
    "incumbent relationship": ["qualification", "solution_design", "proposal"],
    "on-site services": ["proposal", "negotiation"],
    "single-vendor preference": ["solution_design", "proposal"],
    "dashboard UX": ["solution_design"],
    "global standard mandated by HQ": ["qualification", "solution_design"],
    "in-house team preferred": ["solution_design", "discovery"],
    "no licence budget": ["qualification", "proposal"],
    "champion left": ["discovery", "solution_design"],
    "no access to economic buyer": ["qualification", "proposal"],
    "PoC delayed": ["solution_design"],
}

# problems about the sale itself or about existing customers: never the deal's main pain
SALES_PROCESS_PROBLEMS = {
    "no-budget-owner", "engineer-only-sponsor", "rfp-wired-for-competitor", "roi-not-proven",
    "budget-below-scope", "build-looks-cheaper", "per-user-cost-at-scale", "competitor-price-undercut",
    "bundled-free-offer", "security-review-stall", "procurement-final-squeeze",
    "signature-slips-budget-cycle", "legal-exit-terms", "late-competitor-counteroffer", "low-adoption",
    "champion-left", "renewal-price-pressure", "new-audit-existing-customer", "new-sites-not-connected",
}  # fmt: skip
# the commercial problem a competitor typically creates, added to the deal's problems
COMPETITOR_PROBLEM = {
    "dataforge": "competitor-price-undercut", "qiantang-cloud": "bundled-free-offer",
    "openpipe": "build-looks-cheaper", "northwind": "per-user-cost-at-scale",
}  # fmt: skip

# --------------------------------------------------------------------------- note templates

WON_COMP_EN = {
    "dataforge": [
        "DataForge quoted about {pct}% below us and offered {days} person-days of on-site services.",
        "DataForge proposed nightly loads from the MES database and could not read the PLCs directly in the PoC.",
    ],
    "qiantang-cloud": [
        "Qiantang Cloud offered its data suite free inside a {commit}M CNY cloud commitment.",
        "Qiantang Cloud wanted all store and site data moved to its public cloud first.",
    ],
    "northwind": [
        "Northwind Analytics was the incumbent BI tool and offered {pct}% off creator licences.",
        "Northwind Analytics pitched dashboards but needed a third-party ETL tool and a catalog on top.",
    ],
    "openpipe": [
        "The data team first wanted to build it themselves on OpenPipe with {n} engineers.",
        "An in-house OpenPipe pilot had already failed twice at month-end.",
    ],
    "": ["No competitor was formally involved; the real alternative was doing nothing."],
}
# what tipped a win: (condition, English, Chinese, reasons); the condition sees the deal context
WON_TIPS: dict[str, list[tuple[str, str, str, list[str]]]] = {
    "dataforge": [
        ("edge",
         "What tipped it: the {poc}-day PoC streamed machine data from the line in seconds while DataForge showed yesterday's numbers.",
         "关键转折:{poc} 天 PoC 中我们秒级展示产线设备数据,数铸只能展示前一天的数据。",
         ["OT/edge connectivity", "real-time CDC"]),
        ("any",
         "The CFO accepted our three-year TCO, {tco}% lower than DataForge once services and custom code were counted.",
         "CFO 认可了三年 TCO 对比:算上服务和定制开发,我们比数铸低 {tco}%。",
         ["lower 3-year TCO", "upgradeable product (no custom code)"]),
    ],
    "qiantang-cloud": [
        ("any",
         "What tipped it: the CIO would not tie on-prem systems to one cloud, and our hybrid deployment kept them where they are.",
         "关键转折:CIO 不愿把本地系统绑定在一朵云上,我们的混合部署让系统留在原地。",
         ["hybrid / on-prem deployment", "no cloud lock-in"]),
        ("retail",
         "A {poc}-day forecasting pilot cut stockouts by {gain}% against control stores, which beat the free bundle.",
         "{poc} 天的需求预测试点让试点门店缺货率下降 {gain}%,胜过了免费捆绑。",
         ["forecasting accuracy", "predictable subscription cost"]),
    ],
    "northwind": [
        ("regulated-china",
         "Compliance ruled Northwind out because part of its metadata service is hosted abroad; our lineage demo covered {fields} report fields.",
         "合规部因北风部分元数据服务托管在境外而将其否决;我们的血缘演示覆盖了 {fields} 个报送字段。",
         ["data residency in China", "lineage for regulators"]),
        ("any",
         "Viewer pricing decided it: {users} users on LumaInsight cost less than a third of the Northwind quote.",
         "查看者许可价格起了决定作用:{users} 个用户的费用不到北风报价的三分之一。",
         ["lower cost at scale", "complete data stack"]),
    ],
    "openpipe": [
        ("any",
         "The CIO compared four engineers for nine months with our 6-week go-live and chose to buy.",
         "CIO 对比了'4 名工程师做 9 个月'和我们 6 周上线,最终选择采购。",
         ["time to value", "24x7 support SLA"]),
        ("china",
         "Supported Kingdee and MES connectors plus the 24x7 SLA won over the engineers; they kept OpenPipe for web sources.",
         "国产 ERP/MES 连接器和 7×24 支持打动了工程师,他们保留 OpenPipe 处理互联网数据源。",
         ["supported Chinese ERP/MES connectors", "24x7 support SLA"]),
    ],
    "": [
        ("any",
         "A clear business case with a {payback}-month payback got the CFO's signature quickly.",
         "清晰的商业论证和 {payback} 个月回收期让 CFO 很快签字。",
         ["clear business case", "time to value"]),
        ("any",
         "A reference visit to {ref_en} convinced the executive team.",
         "参观{ref_zh}之后,客户高层下定了决心。",
         ["strong reference"]),
    ],
}  # fmt: skip
REFERENCES = {  # the case-study customer shown to prospects in each industry
    "manufacturing": ("Hangzhou Motors", "杭州汽车"), "retail": ("Meridian Retail", "美润零售"),
    "financial-services": ("Jinhe Bank", "金禾银行"), "healthcare": ("Kangning Hospital Group", "康宁医院集团"),
    "logistics": ("SwiftRoute Logistics", "迅途物流"), "energy": ("Beacon Energy", "北辰能源"),
}  # fmt: skip

LOST_TIP_EN = {
    "price": "We lost on price: the final gap was {gap}% and the CFO would not fund the difference.",
    "bundled with cloud commitment": "Procurement compared our licence with zero inside the cloud deal and the bundle won.",
    "incumbent relationship": "The incumbent had a long relationship with the group VP and we never changed the decision criteria.",
    "on-site services": "They valued {days} person-days of on-site engineers more than product capabilities.",
    "single-vendor preference": "The CIO wanted one vendor for cloud and data, and we could not change that.",
    "dashboard UX": "Business users preferred the competitor's dashboards in the bake-off; our integration strengths did not matter to them.",
    "global standard mandated by HQ": "Headquarters mandated the global standard tool; the local team had no say.",
    "in-house team preferred": "The platform team ({n} engineers) decided to build it themselves.",
    "no licence budget": "There was headcount but no licence budget this year, so they went with open source.",
    "champion left": "Our champion left mid-cycle and the new leader restarted the evaluation with the competitor.",
    "no access to economic buyer": "We never met the economic buyer; the decision was made above our contacts.",
    "PoC delayed": "The PoC slipped three weeks on ERR-LF-4012 connector timeouts over the SAP VPN and confidence never recovered.",
}
ND_TIP_EN = {
    "budget frozen": "The budget was frozen after a half-year review and no vendor was chosen.",
    "priorities changed": "Priorities moved to an ERP upgrade and the data project was postponed to next year.",
    "no compelling event": "There was no deadline driving the project and it drifted after the proposal.",
    "reorganisation": "A reorganisation moved IT under a new COO and all projects were paused.",
}
# lessons: (industries or None for all, English, Chinese)
LESSONS: list[tuple[set[str] | None, str, str]] = [
    ({"manufacturing", "energy"}, "Lesson: bring the plant manager into the PoC earlier.", "复盘:应更早让工厂经理参与 PoC。"),
    (None, "Lesson: qualify the budget owner before investing SE days.", "复盘:投入售前资源前要先确认预算负责人。"),
    (None, "Lesson: start the TCO conversation before the proposal, not after.", "复盘:TCO 对比要在方案报价之前就开始。"),
    ({"financial-services", "healthcare", "retail"}, "Lesson: get the compliance officer into discovery.", "复盘:需求诊断阶段就应邀请合规负责人参与。"),
    (None, "Lesson: agree written success criteria before the PoC.", "复盘:PoC 前要书面确认成功标准。"),
    (None, "Lesson: map the decision process at qualification, not at negotiation.", "复盘:资格确认阶段就要摸清决策流程。"),
    ({"retail", "logistics"}, "Lesson: find the peak-season deadline early; it sets the real timeline.", "复盘:尽早找到旺季或大促的时间节点,它决定了真实的项目时间表。"),
    (None, "Next: reference call offered to two prospects in the same industry.", "后续:已安排为两家同行业潜在客户做参考电话。"),
    ({"manufacturing", "energy", "logistics"}, "Next: expansion to more sites is planned for next year.", "后续:明年计划扩展到更多工厂或站点。"),
]  # fmt: skip

WON_COMP_ZH = {
    "dataforge": [
        "数铸报价比我们低约 {pct}%,并承诺 {days} 人天驻场服务。",
        "数铸在 PoC 中只能从 MES 数据库夜间抽数,无法直连 PLC。",
    ],
    "qiantang-cloud": [
        "钱塘云把数据套件打包进 {commit}00 万元的云承诺消费里免费赠送。",
        "钱塘云要求先把门店和现场数据全部迁到公有云。",
    ],
    "northwind": [
        "北风分析是现有 BI 工具,给创作者许可打了 {pct}% 的折扣。",
        "北风分析主打仪表盘,但集成和数据目录要另购第三方工具。",
    ],
    "openpipe": [
        "客户数据团队最初想用 OpenPipe 自研,计划投入 {n} 名工程师。",
        "客户之前基于 OpenPipe 的自研试点在月结时两次失败。",
    ],
    "": ["没有正式的竞争对手,真正的对手是'维持现状'。"],
}
LOST_TIP_ZH = {
    "price": "价格是丢单主因:最终差距 {gap}%,CFO 不愿为差价买单。",
    "bundled with cloud commitment": "采购拿我们的许可费和云合同里的'零价格'比,最终选择了捆绑方案。",
    "incumbent relationship": "竞争对手与集团分管副总关系深厚,我们始终没能改变决策标准。",
    "on-site services": "客户更看重 {days} 人天的驻场工程师,而不是产品能力。",
    "single-vendor preference": "CIO 希望云和数据由一家供应商负责,我们无法改变这一点。",
    "dashboard UX": "业务用户在对比测试中更喜欢对手的仪表盘,我们的集成优势对他们不重要。",
    "global standard mandated by HQ": "总部指定了全球统一工具,本地团队没有决定权。",
    "in-house team preferred": "客户的平台团队({n} 名工程师)决定自己开发。",
    "no licence budget": "今年有人员编制但没有软件预算,客户选择了开源方案。",
    "champion left": "我们的内部支持者中途离职,新领导带着竞争对手重新评估。",
    "no access to economic buyer": "我们始终没有见到最终决策人,决定是在更高层做出的。",
    "PoC delayed": "PoC 因 SAP 专线上的 ERR-LF-4012 connector timeout 推迟了三周,客户信心再也没有恢复。",
}
ND_TIP_ZH = {
    "budget frozen": "半年预算评审后预算被冻结,没有选择任何供应商。",
    "priorities changed": "优先级转向 ERP 升级,数据项目推迟到明年。",
    "no compelling event": "没有明确的截止时间,提交方案后项目逐渐搁置。",
    "reorganisation": "组织调整后 IT 划归新任 COO 管理,所有项目暂停。",
}
# --------------------------------------------------------------------------- generation


def weighted(rng: random.Random, pairs: Any) -> Any:
    items = list(pairs.items()) if isinstance(pairs, dict) else list(pairs)
    return rng.choices([k for k, _ in items], weights=[w for _, w in items])[0]


# Outcome mix per (competitor, situation): (won, lost, no_decision) out of 20. Each new deal gets
# the outcome that is furthest below its target share in that situation (ties broken by the seeded
# RNG), so small samples still show the intended pattern instead of the noise of independent draws.
OUTCOME_DECKS: dict[tuple[str, str], tuple[int, int, int]] = {
    ("openpipe", "any"): (15, 2, 3),
    ("dataforge", "edge"): (15, 4, 1),
    ("dataforge", "smb"): (5, 12, 3),
    ("dataforge", "any"): (8, 10, 2),
    ("qiantang-cloud", "retail"): (4, 15, 1),
    ("qiantang-cloud", "any"): (10, 8, 2),
    ("northwind", "financial-services"): (14, 4, 2),
    ("northwind", "retail"): (5, 13, 2),
    ("northwind", "any"): (10, 8, 2),
    ("", "any"): (10, 4, 6),
}


def situation(comp: str, industry: str, segment: str, products: list[str]) -> tuple[str, str]:
    if comp == "dataforge":
        if segment == "smb":
            return comp, "smb"
        return comp, "edge" if "lumaedge" in products else "any"
    if (comp, industry) in OUTCOME_DECKS:
        return comp, industry
    return comp, "any"


def won_tips(
    comp: str, industry: str, region: str, products: list[str]
) -> list[tuple[str, str, str, list[str]]]:
    """The winning-moment templates whose condition fits the deal."""
    china = region not in {"APAC", "EMEA"}
    fits = {
        "any": True,
        "edge": "lumaedge" in products,
        "retail": industry == "retail",
        "china": china,
        "regulated-china": china and industry in {"financial-services", "healthcare"},
    }
    options = [t for t in WON_TIPS[comp] if fits[t[0]]]
    return options or [t for t in WON_TIPS[comp] if t[0] == "any"]


def lower_first(text: str) -> str:
    """Lower-case a title for use mid-sentence, keeping acronyms such as BI or OT."""
    first_word = text.split(" ", 1)[0]
    if any(ch.isupper() for ch in first_word[1:]):
        return text
    return text[:1].lower() + text[1:]


class Generator:
    def __init__(self, seed: int = 42) -> None:
        self.rng = random.Random(seed)
        problems = yaml.safe_load((HERE / "problem_map.yaml").read_text(encoding="utf-8"))[
            "problems"
        ]
        self.problems = {p["key"]: p for p in problems}
        # customer pains (not sales-process or post-sale problems) drive new-business deals
        self.problems_by_industry: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for problem in problems:
            # sales-process problems are not a deal's pain; problems without proof stay visible gaps
            if (
                problem["key"] in SALES_PROCESS_PROBLEMS
                or not problem["solutions"]
                or not problem["proof"]
            ):
                continue
            for industry in problem["industries"]:
                self.problems_by_industry[industry].append(problem)
        self.used_ids: set[str] = set()
        self.decks: dict[tuple[str, str], Counter[str]] = {}

    def deal_outcome(self, key: tuple[str, str]) -> str:
        counts = self.decks.setdefault(key, Counter())
        targets = dict(zip(("won", "lost", "no_decision"), OUTCOME_DECKS[key], strict=True))
        n = sum(counts.values()) + 1
        order = list(targets)
        self.rng.shuffle(order)
        outcome = max(order, key=lambda o: targets[o] / 20 * n - counts[o])
        counts[outcome] += 1
        return outcome

    def deal_id(self, year: int) -> str:
        while True:
            candidate = f"D-{year}-{self.rng.randint(100, 9999):04d}"
            if candidate not in self.used_ids:
                self.used_ids.add(candidate)
                return candidate

    def close_date(self, year: int) -> date:
        month = self.rng.choices(range(1, 13), weights=[5, 4, 9, 5, 5, 10, 5, 4, 9, 6, 6, 12])[0]
        start = date(year, month, 1)
        end = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
        # quarter-end months close late in the month
        low = 15 if month in (3, 6, 9, 12) else 1
        return start + timedelta(days=self.rng.randint(low - 1, (end - start).days))

    def record(self, year: int) -> dict[str, Any]:
        rng = self.rng
        industry = weighted(rng, INDUSTRY_WEIGHTS)
        market = weighted(rng, MARKETS)
        segment = weighted(rng, SEGMENTS)
        if market == "EMEA":
            account_en, account_zh = rng.choice(EMEA_ACCOUNTS[industry])
            region, currency = "EMEA", "EUR"
        elif market == "APAC":
            account_en, account_zh = rng.choice(APAC_ACCOUNTS[industry])
            region, currency = "APAC", "USD"
        else:
            account_en, account_zh, region = rng.choice(ACCOUNTS[industry])
            currency = "CNY"
        comp = weighted(rng, COMPETITOR_WEIGHTS[industry])
        if region == "EMEA" and comp == "qiantang-cloud":
            comp = "northwind"  # Qiantang Cloud does not sell in EMEA
        competitors = [comp] if comp else []
        if comp and rng.random() < 0.15:
            extra = next(c for c in SECOND_COMPETITOR[industry] if c != comp)
            if not (region == "EMEA" and extra == "qiantang-cloud"):
                competitors.append(extra)

        pool = self.problems_by_industry[industry]
        chosen = rng.sample(pool, k=rng.choice([1, 1, 2, 2]))
        problems = [p["key"] for p in chosen]
        if comp and rng.random() < 0.4:
            problems.append(COMPETITOR_PROBLEM[comp])
        products: list[str] = []
        for p in chosen:
            for s in p["solutions"]:
                for prod in s["products"]:
                    if prod not in products:
                        products.append(prod)
        if industry not in EDGE_INDUSTRIES:
            products = [x for x in products if x != "lumaedge"]
        products = products[: rng.choice([1, 2, 2, 3])] or ["lumaflow"]

        outcome = self.deal_outcome(situation(comp, industry, segment, products))

        tip: tuple[str, str, str, list[str]] | None = None
        if outcome == "won":
            tip = rng.choice(won_tips(comp, industry, region, products))
            reasons = list(tip[3])
            stage_key = "closing"
        elif outcome == "lost":
            options = LOST_REASONS[comp] + COMMON_LOST if rng.random() < 0.3 else LOST_REASONS[comp]
            first = rng.choice(options)
            reasons = [first]
            if first != "price" and rng.random() < 0.35:
                reasons.append("price")
            if "price" in reasons and comp and COMPETITOR_PROBLEM[comp] not in problems:
                problems.append(COMPETITOR_PROBLEM[comp])
            stage_key = rng.choice(LOST_STAGE_BY_REASON[first])
        else:
            reasons = [rng.choice(NO_DECISION_REASONS)]
            stage_key = rng.choice(
                ["discovery", "solution_design", "proposal", "proposal", "qualification"]
            )
        stage = rng.choice(STAGE_NAMES[stage_key])

        low, high = AMOUNT_RANGE[segment]
        amount_cny = round(rng.uniform(low, high), -3)
        amount = round(amount_cny * FX[currency], -2)
        industry_field = industry
        roll = rng.random()
        if roll < 0.1:
            industry_field = INDUSTRY_NAMES[industry][0]
        elif roll < 0.2:
            industry_field = INDUSTRY_NAMES[industry][1]

        zh = region not in {"EMEA", "APAC"} and rng.random() < 0.55
        comp_field = [
            COMP_ZH[c].split(" ")[0] if zh and rng.random() < 0.25 else COMP_EN[c]
            for c in competitors
        ]
        personas = chosen[0]["personas"]
        title_en, title_zh, _ = rng.choice([c for c in CHAMPIONS if c[2] in personas] or CHAMPIONS)
        surname = rng.choice(SURNAMES)
        notes = self.note(zh, outcome, comp, reasons, account_en if not zh else account_zh, industry,
                          segment, chosen, title_en, title_zh, surname, tip)  # fmt: skip
        return {
            "deal_id": self.deal_id(year),
            "account": account_en,
            "industry": industry_field,
            "segment": segment,
            "region": region,
            "competitors": comp_field,
            "outcome": outcome,
            "stage": stage,
            "amount": int(amount),
            "currency": currency,
            "close_date": self.close_date(year).isoformat(),
            "products": products,
            "problems": problems,
            "reasons": reasons,
            "notes": notes,
        }

    def slots(self) -> dict[str, Any]:
        r = self.rng
        return {
            "pct": r.choice([25, 30, 32, 35, 38, 40]), "days": r.choice([180, 240, 300, 420]),
            "commit": r.choice([3, 5, 8, 12]), "n": r.choice([3, 4, 5, 6, 12]),
            "poc": r.choice([14, 21, 30]), "tco": r.choice([15, 18, 21, 24]),
            "gain": r.choice([19, 23, 27, 31]), "fields": r.choice([380, 612, 450]),
            "users": r.choice([800, 1500, 2400]), "payback": r.choice([8, 10, 11, 14]),
            "gap": r.choice([12, 18, 25, 30]),
        }  # fmt: skip

    def note(self, zh: bool, outcome: str, comp: str, reasons: list[str], account: str, industry: str,
             segment: str, problems: list[dict[str, Any]], title_en: str, title_zh: str, surname: str,
             tip_spec: tuple[str, str, str, list[str]] | None) -> str:  # fmt: skip
        rng = self.rng
        ref_en, ref_zh = REFERENCES[industry]
        lessons = [
            (en, zh_) for allowed, en, zh_ in LESSONS if allowed is None or industry in allowed
        ]
        for _ in range(50):
            s = {**self.slots(), "ref_en": ref_en, "ref_zh": ref_zh}
            problem = problems[0]
            if zh:
                name = SURNAMES_ZH[surname] + rng.choice(["总", "经理", "老师"])
                opening = rng.choice(
                    [
                        f"{account}({INDUSTRY_ZH[industry]})这次要解决的问题是:{problem['name_zh']}。",
                        f"{account}的{title_zh}{name}是我们的内部支持者,最关心{problem['name_zh']}。",
                        f"客户{account}在需求诊断中明确了痛点:{problem['name_zh']}。",
                    ]
                )
                champion = f"内部支持者是{title_zh}{name}。" if "支持者" not in opening else ""
                comp_line = rng.choice(WON_COMP_ZH[comp]).format(**s)
                if outcome == "won":
                    assert tip_spec is not None
                    tip = tip_spec[2].format(**s)
                elif outcome == "lost":
                    tip = LOST_TIP_ZH[reasons[0]].format(**s)
                else:
                    tip = ND_TIP_ZH[reasons[0]]
                parts = [opening, champion, comp_line, tip, rng.choice(lessons)[1]]
                text = "".join(p for p in parts if p)
                if 80 <= len(text) <= 260:
                    return text
            else:
                opening = rng.choice(
                    [
                        f"{account} ({segment}) came to us with one problem: {lower_first(problem['name_en'])}.",
                        f"At {account} the {title_en}, {surname}, was our champion; the problem they owned: {lower_first(problem['name_en'])}.",
                        f"Discovery at {account} surfaced one clear pain: {lower_first(problem['name_en'])} ({lower_first(rng.choice([x for x in problem['symptoms'] if x.isascii()] or [problem['name_en']]))}).",
                    ]
                )
                champion = f"Champion: {surname}, {title_en}." if "champion" not in opening else ""
                comp_line = rng.choice(WON_COMP_EN[comp]).format(**s)
                if outcome == "won":
                    assert tip_spec is not None
                    tip = tip_spec[1].format(**s)
                elif outcome == "lost":
                    tip = LOST_TIP_EN[reasons[0]].format(**s)
                else:
                    tip = ND_TIP_EN[reasons[0]]
                parts = [opening, champion, comp_line, tip, rng.choice(lessons)[0]]
                text = " ".join(p for p in parts if p)
                if 40 <= len(text.split()) <= 120:
                    return text
        raise RuntimeError("could not compose a note of the right length")


# --------------------------------------------------------------------------- anchor deals

ANCHORS_2024 = [
    {
        "deal_id": "D-2024-0117",
        "account": "SwiftRoute Logistics",
        "industry": "logistics",
        "segment": "enterprise",
        "region": "South China",
        "competitors": ["OpenPipe"],
        "outcome": "won",
        "stage": "Closed Won",
        "amount": 1300000,
        "currency": "CNY",
        "close_date": "2024-02-26",
        "products": ["lumaedge", "lumaflow", "lumainsight"],
        "problems": [
            "no-fleet-visibility",
            "late-delivery-penalties",
            "in-house-platform-orphaned",
        ],
        "reasons": ["time to value", "supported Chinese ERP/MES connectors"],
        "notes": "SwiftRoute's in-house OpenPipe platform failed twice in the 2023 Double 11 peak; the CAN-bus connector could not keep up with 9,000 messages per second. COO Lin Feng needed a working control tower before the 618 peak, 14 weeks away. Our LumaEdge PoC handled 25,000 messages per second on one gateway. The engineers kept OpenPipe for web sources. Build cost of about 2.1M CNY a year versus 1.3M CNY for us in year one closed it.",
    },
    {
        "deal_id": "D-2024-0342",
        "account": "Hangzhou Motors",
        "industry": "manufacturing",
        "segment": "enterprise",
        "region": "East China",
        "competitors": ["DataForge"],
        "outcome": "won",
        "stage": "Closed Won",
        "amount": 1100000,
        "currency": "CNY",
        "close_date": "2024-03-28",
        "products": ["lumaflow", "lumaedge"],
        "problems": ["data-silos", "slow-management-reporting", "late-downtime-detection"],
        "reasons": ["OT/edge connectivity", "lower 3-year TCO"],
        "notes": "New CIO Zhou Hao wanted one set of production numbers for six plants; the monthly report took nine days. DataForge already ran finance reporting and quoted about 30% below us, but could only read machine data from the MES database overnight. Our three-week PoC on the Changxing press line connected 12 presses through two LumaEdge gateways on day four and found a micro-stoppage pattern on press 7. The controller's three-year TCO showed us 21% cheaper. Two plants first, four more next year.",
    },
    {
        "deal_id": "D-2024-0561",
        "account": "Meridian Retail",
        "industry": "retail",
        "segment": "enterprise",
        "region": "South China",
        "competitors": ["Qiantang Cloud", "Northwind Analytics"],
        "outcome": "won",
        "stage": "closing",
        "amount": 1200000,
        "currency": "CNY",
        "close_date": "2024-06-14",
        "products": ["lumainsight", "lumaflow"],
        "problems": ["stockouts-and-overstock", "split-inventory-visibility"],
        "reasons": ["forecasting accuracy", "no cloud lock-in"],
        "notes": "Rare retail win against Qiantang Cloud. Their data suite was free inside a 5M CNY cloud commitment, and Northwind already served head-office dashboards. Merchandising director Huang Wei backed a six-week forecasting pilot in 60 stores: stockouts fell 27% against control stores. The CFO's three-year comparison showed the free option needed four data scientists and about 2.4M CNY of compute. The CIO did not want stores and the WMS tied to one cloud. Northwind stays for the board pack.",
    },
    {
        "deal_id": "D-2024-0688",
        "account": "Beacon Energy",
        "industry": "energy",
        "segment": "enterprise",
        "region": "North China",
        "competitors": ["DataForge"],
        "outcome": "won",
        "stage": "成交",
        "amount": 2300000,
        "currency": "CNY",
        "close_date": "2024-06-27",
        "products": ["lumaedge", "lumaflow", "lumainsight"],
        "problems": [
            "late-downtime-detection",
            "remote-site-connectivity",
            "ot-protocols-unsupported",
        ],
        "reasons": ["OT/edge connectivity", "real-time CDC"],
        "notes": "北辰能源(Beacon Energy)COO 高鹏要求在一个 80 台风机的风场做试点。数铸只能处理 10 分钟一次的 SCADA 导出数据;我们的 LumaEdge 直接以秒级采集 OPC UA、Modbus 和 IEC 104。试点期间遇到 36 小时断网,本地缓存一条数据都没丢。振动模型比整机厂报警提前 11 天发现 47 号风机齿轮箱轴承缺陷,这一点直接打动了 COO。",
    },
    {
        "deal_id": "D-2024-0735",
        "account": "Kangning Hospital Group",
        "industry": "healthcare",
        "segment": "enterprise",
        "region": "East China",
        "competitors": ["Qiantang Cloud"],
        "outcome": "won",
        "stage": "Closed Won",
        "amount": 860000,
        "currency": "CNY",
        "close_date": "2024-07-15",
        "products": ["lumaguard", "lumaflow"],
        "problems": [
            "unknown-sensitive-data",
            "audit-deadline-pressure",
            "production-data-in-test",
            "on-prem-requirement",
        ],
        "reasons": ["hybrid / on-prem deployment", "security and compliance built in"],
        "notes": "康宁医院集团等保测评有 7 项高风险问题,整改期只有 6 个月。钱塘云方案要求把数据同步到公有云上做识别和脱敏,院方和卫健委都不允许患者数据上公有云。LumaGuard 两周试点扫描 HIS 和 EMR,识别出 41 万个敏感字段,抽检准确率 97%。合规负责人赵静是关键支持者,CFO 关注的是整改失败的代价。",
    },
    {
        "deal_id": "D-2024-1203",
        "account": "Jiangnan Auto Parts",
        "industry": "manufacturing",
        "segment": "enterprise",
        "region": "East China",
        "competitors": ["DataForge"],
        "outcome": "won",
        "stage": "Closed Won",
        "amount": 1450000,
        "currency": "CNY",
        "close_date": "2024-12-20",
        "products": ["lumaflow", "lumaedge", "lumainsight"],
        "problems": ["data-silos", "slow-quality-traceability", "inconsistent-kpi-definitions"],
        "reasons": ["real-time CDC", "upgradeable product (no custom code)", "lower 3-year TCO"],
        "notes": "江南汽配和数铸签约的数据中台项目做了 18 个月还没验收,定制代码导致无法升级。新任 CIO 刘建国组织三周并行 PoC:我们 CDC 延迟 1.6 秒,数铸是 T+1;LumaEdge 每秒采集 12,000 个点位。数铸软件报价低约 35%,但加上 420 人天服务,三年 TCO 反而高 24%。CFO 孙丽华看完 TCO 对比后支持我们。保留数铸做财务 T+1 报表,逐步迁移。",
    },
]
ANCHORS_2025 = [
    {
        "deal_id": "D-2025-0412",
        "account": "Changzhou New Materials",
        "industry": "manufacturing",
        "segment": "mid-market",
        "region": "East China",
        "competitors": ["DataForge"],
        "outcome": "won",
        "stage": "Closed Won",
        "amount": 620000,
        "currency": "CNY",
        "close_date": "2025-03-27",
        "products": ["lumaflow", "lumaedge"],
        "problems": ["data-silos", "batch-only-pipelines"],
        "reasons": ["upgradeable product (no custom code)", "OT/edge connectivity"],
        "notes": "Changzhou New Materials was stuck on a 2021 DataForge release because its customizations could not be upgraded. The plant manager wanted furnace temperature data every second, not every night. DataForge offered a 20% end-of-quarter discount to keep the account. We won with a two-line PoC and a phased start at two lines, using the competitive displacement discount with their written quote.",
    },
    {
        "deal_id": "D-2025-0627",
        "account": "Jinhe Bank",
        "industry": "financial-services",
        "segment": "enterprise",
        "region": "East China",
        "competitors": ["Northwind Analytics", "OpenPipe"],
        "outcome": "won",
        "stage": "Closed Won",
        "amount": 2760000,
        "currency": "CNY",
        "close_date": "2025-06-27",
        "products": ["lumaflow", "lumacatalog", "lumaguard"],
        "problems": [
            "slow-regulatory-reporting",
            "no-lineage",
            "production-data-in-test",
            "cross-border-data-concern",
        ],
        "reasons": ["lineage for regulators", "data residency in China"],
        "notes": "金禾银行 3 年合同,含 LumaFlow、LumaCatalog 和 LumaGuard。首席数据官何敏是支持者。4 周 PoC 完成 EAST 报送 38 张表、612 个字段的血缘。北风分析在行长办公会前给了 BI 许可 6 折,但合规部因其部分元数据服务托管在境外而否决。科技部的 OpenPipe 自研方案预估 6 人 9 个月,赶不上整改期限。折扣 22%,换取三年承诺和公开案例。",
    },
    {
        "deal_id": "D-2025-0803",
        "account": "Hangzhou Motors",
        "industry": "manufacturing",
        "segment": "enterprise",
        "region": "East China",
        "competitors": [],
        "outcome": "won",
        "stage": "Upsell",
        "amount": 1400000,
        "currency": "CNY",
        "close_date": "2025-04-18",
        "products": ["lumaflow", "lumaedge", "lumainsight"],
        "problems": ["new-sites-not-connected", "inconsistent-kpi-definitions"],
        "reasons": ["strong reference", "clear business case"],
        "notes": "Expansion from two to six plants plus LumaInsight for 60 creators and 900 viewers. The QBR showed report assembly down from nine days to six hours and OEE up in the first two plants, so the CFO approved the second wave without a competitive evaluation. 20 more LumaEdge gateways. Next: LumaGuard for supplier data.",
    },
    {
        "deal_id": "D-2025-1106",
        "account": "SwiftRoute Logistics",
        "industry": "logistics",
        "segment": "enterprise",
        "region": "South China",
        "competitors": [],
        "outcome": "won",
        "stage": "Renewal",
        "amount": 3900000,
        "currency": "CNY",
        "close_date": "2025-06-20",
        "products": ["lumaedge", "lumaflow", "lumainsight"],
        "problems": ["no-fleet-visibility", "cold-chain-excursions"],
        "reasons": ["strong reference", "time to value"],
        "notes": "Three-year renewal at a flat price instead of the 5% yearly uplift, in exchange for the three-year term. On-time delivery went from 91% to 97% and late-delivery penalties fell from 7.2M to 1.9M CNY. Procurement asked for 15% off; we offered rightsizing of viewer seats instead and held the rate. Warehouse sensors and LumaGuard for driver data are the next expansion.",
    },
]


def generate(
    n_2025: int = 116, n_2024: int = 34
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    gen = Generator(42)
    for anchor in ANCHORS_2024 + ANCHORS_2025:
        gen.used_ids.add(anchor["deal_id"])
    notes_2025 = [gen.record(2025) for _ in range(n_2025)] + ANCHORS_2025
    notes_2024 = [gen.record(2024) for _ in range(n_2024)] + ANCHORS_2024
    for notes in (notes_2025, notes_2024):
        notes.sort(key=lambda r: (r["close_date"], r["deal_id"]))
    return notes_2025, notes_2024


def write(notes_2025: list[dict[str, Any]], notes_2024: list[dict[str, Any]]) -> None:
    OUT.mkdir(exist_ok=True)
    with (OUT / "notes-2025.jsonl").open("w", encoding="utf-8") as fh:
        for r in notes_2025:
            fh.write(json.dumps({k: r[k] for k in FIELDS}, ensure_ascii=False) + "\n")
    with (OUT / "notes-2024.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS)
        writer.writeheader()
        for r in notes_2024:
            row = {k: ";".join(v) if isinstance(v, list) else v for k, v in r.items()}
            writer.writerow(row)


def stats(notes: list[dict[str, Any]]) -> None:
    by_comp: dict[str, Counter[str]] = defaultdict(Counter)
    norm = {
        **{v: k for k, v in COMP_EN.items()},
        **{v.split(" ")[0]: k for k, v in COMP_ZH.items()},
    }
    for r in notes:
        industry = r["industry"]
        for key, (en, zh) in INDUSTRY_NAMES.items():
            if industry in (en, zh):
                industry = key
        for c in r["competitors"] or ["(none)"]:
            c = norm.get(c, c)
            by_comp[c][r["outcome"]] += 1
            by_comp[f"{c} / {industry}"][r["outcome"]] += 1
            by_comp[f"{c} / {r['segment']}"][r["outcome"]] += 1
            if "lumaedge" in r["products"]:
                by_comp[f"{c} / with lumaedge"][r["outcome"]] += 1
    for key in sorted(by_comp):
        c = by_comp[key]
        total = sum(c.values())
        print(f"{key:45s} n={total:3d} won={c['won']:3d} lost={c['lost']:3d} nd={c['no_decision']:3d}"
              f" win%={100 * c['won'] / total:5.1f}")  # fmt: skip
    lost = [r for r in notes if r["outcome"] == "lost"]
    print(
        "lost with price among reasons:",
        sum("price" in r["reasons"] for r in lost),
        "of",
        len(lost),
    )
    print("outcomes:", Counter(r["outcome"] for r in notes))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--stats", action="store_true", help="print win/loss figures per competitor"
    )
    args = parser.parse_args()
    notes_2025, notes_2024 = generate()
    write(notes_2025, notes_2024)
    print(
        f"wrote {len(notes_2025)} notes to winloss/notes-2025.jsonl, {len(notes_2024)} to winloss/notes-2024.csv"
    )
    if args.stats:
        print("--- FY2025")
        stats(notes_2025)
        print("--- FY2024")
        stats(notes_2024)


if __name__ == "__main__":
    main()
