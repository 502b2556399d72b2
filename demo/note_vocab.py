# ruff: noqa: E501  (note templates are long prose lines on purpose)
"""The vocabulary of the demo win/loss notes: accounts, industries, competitors, weights,
stage names, reasons and the English and Chinese note templates ``generate_notes.py``
draws from. Data only: changing it changes the notes, not how they are generated."""

from __future__ import annotations

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
