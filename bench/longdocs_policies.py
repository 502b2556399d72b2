"""The boilerplate set of ``bench/longdocs.py``: insurance policies that share most clauses.

Deterministic for a seed. Each policy is one insurer's product of one type; the general
clauses are the same text for every policy of an insurer (insurers differ only in a few
words: "本公司" or "我们", the cooling-off and grace days, the hotline), the coverage,
exclusion and definition clauses are shared by every policy of a type, and each policy has
its own specifics: product name, policy number, policyholder, insured, beneficiary, dates,
amounts, waiting period, deductible, designated hospital and two special agreements (an
excluded activity and a pre-existing condition). A third of the insurers write Traditional
Chinese (converted with zhconv ``zh-tw``), as Taiwanese insurers do, and their questions
are Traditional too.

Half the questions name one specific (product, policy number, insured, policyholder or
designated hospital, each unique to one policy) and ask about another clause of the
same policy; the other half name only a combination of specifics that one policy holds
(two excluded activities and the type; a pre-existing condition and the hospital's
city; insurer, type, waiting period and sum insured), each word of which many other
policies also contain. Either way a question is judged relevant to exactly one policy.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import zhconv

# (full name, short brand, pronoun, cooling-off days, grace days, hotline, script)
INSURERS: list[tuple[str, str, str, int, int, str, str]] = [
    ("安康人寿保险股份有限公司", "安康", "本公司", 15, 60, "95510", "hans"),
    ("泰和人寿保险股份有限公司", "泰和", "我们", 20, 60, "95522", "hans"),
    ("华诚人寿保险股份有限公司", "华诚", "本公司", 15, 60, "95567", "hans"),
    ("永信健康保险股份有限公司", "永信", "我们", 15, 60, "95589", "hans"),
    ("中邦人寿保险股份有限公司", "中邦", "本公司", 10, 30, "95536", "hans"),
    ("恒瑞人寿保险有限公司", "恒瑞", "我们", 15, 60, "95519", "hans"),
    ("嘉禾人寿保险股份有限公司", "嘉禾", "本公司", 20, 60, "95571", "hans"),
    ("鼎盛健康保险股份有限公司", "鼎盛", "本公司", 15, 60, "95545", "hans"),
    ("台安人寿保险股份有限公司", "台安", "本公司", 10, 30, "0800-021-888", "tw"),
    ("富邦康人寿保险股份有限公司", "富邦康", "本公司", 10, 30, "0800-009-888", "tw"),
    ("新光和人寿保险股份有限公司", "新光和", "本公司", 10, 30, "0800-031-115", "tw"),
    ("国华安人寿保险股份有限公司", "国华安", "本公司", 10, 30, "0800-098-889", "tw"),
]

TYPES = {
    "critical": "重大疾病保险",
    "medical": "医疗保险",
    "accident": "意外伤害保险",
    "term": "定期寿险",
    "hospital": "住院津贴保险",
}

_NAME_WORDS = list("福瑞康泰安佑鑫盈乐禧悦宁颐和祥裕欣荣嘉晴")
_SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤康易乔赖文"
)
_GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文辉鹏宇浩然子轩梓涵欣怡俊峰晓东海燕春梅丹凤雪琳佳慧嘉豪思远博文雅婷"
)
# fmt: off
_CITIES = [
    "北京", "上海", "广州", "深圳", "杭州", "南京", "成都", "武汉", "西安", "重庆", "天津",
    "苏州", "长沙", "郑州", "青岛", "厦门", "福州", "合肥", "济南", "昆明", "沈阳", "大连",
    "宁波", "无锡", "南昌", "贵阳", "南宁", "太原", "石家庄", "兰州", "台北", "台中",
    "高雄", "台南", "新竹", "桃园",
]
_HOSPITALS = [
    "市第一人民医院", "市第二人民医院", "市中心医院", "市中医院", "协和医院", "仁济医院",
    "妇幼保健院", "肿瘤医院", "儿童医院", "骨科医院", "眼科医院", "同仁医院", "博爱医院",
    "长庚纪念医院", "荣民总医院", "慈济医院",
]
_ACTIVITIES = [
    "潜水", "滑雪", "攀岩", "跳伞", "赛车", "拳击", "蹦极", "热气球飞行", "冲浪",
    "马术比赛", "野外探险", "武术比赛", "特技表演", "高空作业", "滑翔伞", "激流漂流",
    "登山", "摩托车越野", "帆船比赛", "冰上运动", "射击比赛", "深海垂钓", "洞穴探险",
    "低空跳伞",
]
_CONDITIONS = [
    "高血压", "糖尿病", "甲状腺结节", "乳腺结节", "乙型肝炎病毒携带", "肺结节", "脂肪肝",
    "腰椎间盘突出症", "胆囊结石", "肾结石", "痛风", "慢性胃炎", "子宫肌瘤", "过敏性鼻炎",
    "哮喘", "冠心病", "类风湿关节炎", "颈椎病", "慢性支气管炎", "贫血",
]
# fmt: on
_PAY_MODES = ["年交", "月交", "趸交", "半年交", "季交"]
_PERIODS = ["一年", "十年", "二十年", "三十年", "至七十周岁", "至八十周岁", "终身"]


@dataclass
class Policy:
    key: str
    insurer: str
    script: str  # "hans" or "tw"
    type_key: str
    product: str
    policy_no: str
    holder: str
    insured: str
    beneficiary: str
    hospital: str
    activities: tuple[str, str]
    condition: str
    facts: dict[str, str] = field(default_factory=dict)
    # (heading or None, paragraphs); the first block is the cover page
    blocks: list[tuple[str | None, list[str]]] = field(default_factory=list)


@dataclass(frozen=True)
class Question:
    qid: str
    text: str
    doc_key: str
    kind: str


def _unique(rng: random.Random, make: object, taken: set[str]) -> str:
    for _ in range(10_000):
        value = make()  # type: ignore[operator]
        if value not in taken:
            taken.add(value)
            return str(value)
    raise RuntimeError("ran out of unique values")


def _general_clauses(we: str, cool: int, grace: int, phone: str) -> list[tuple[str, str]]:
    """The clauses every policy of an insurer shares, word for word."""
    return [
        (
            "合同构成",
            f"本合同是您与{we}约定保险权利义务关系的协议，包括本保险条款、保险单或者其他保险凭证、"
            "投保单、与本合同有关的投保文件、合法有效的声明、批注、批单及其他您与我们共同认可的书面协议。"
            "若上述文件内容不一致，以保险单、批注、批单的内容为准；同一事项有多份批注或批单的，以最后作出者为准。",
        ),
        (
            "合同成立与生效",
            f"您提出保险申请、{we}同意承保，本合同成立。本合同自{we}同意承保、收取首期保险费并签发保险单的次日零时开始生效，"
            "具体生效日以保险单所载的日期为准。保单年度、保险费约定支付日均以该日期计算。"
            f"除另有约定外，{we}自本合同生效时开始承担保险责任。",
        ),
        (
            "犹豫期",
            f"自您签收本合同次日起，有{cool}日的犹豫期。在此期间请您认真审视本合同，如果您认为本合同与您的需求不相符，"
            f"您可以在此期间提出解除本合同，{we}将无息退还您所支付的全部保险费。解除本合同时，您需要填写申请书，"
            f"并提供您的保险合同及有效身份证件。自{we}收到您解除合同的书面申请时起，本合同即被解除，"
            f"对于本合同解除前发生的保险事故，{we}不承担保险责任。",
        ),
        (
            "保险费的支付",
            "您应当在每个保险费约定支付日支付保险费。分期支付保险费的，在交纳首期保险费后，"
            "您应当在每个保险费约定支付日交纳其余各期的保险费。保险费的交费方式和交费期间由您在投保时与我们约定，"
            "并在保险单上载明。您可以选择通过银行转账、网上支付或其他我们认可的方式交纳保险费。",
        ),
        (
            "宽限期",
            f"分期支付保险费的，您支付首期保险费后，除本合同另有约定外，如果您到期未支付保险费，"
            f"自保险费约定支付日的次日零时起{grace}日为宽限期。宽限期内发生的保险事故，{we}仍会承担保险责任，"
            f"但在给付保险金时会扣减您欠交的保险费。如果您宽限期结束之后仍未支付保险费，"
            "则本合同自宽限期满的次日零时起效力中止。",
        ),
        (
            "效力中止与恢复",
            f"在本合同效力中止期间，{we}不承担保险责任。本合同效力中止之日起二年内，您可以申请恢复合同效力。"
            f"经{we}与您协商并达成协议，自您补交所欠的保险费及利息的次日零时起，本合同效力恢复。"
            f"自本合同效力中止之日起满二年双方未达成协议的，{we}有权解除本合同。"
            f"{we}解除合同的，会向您退还合同效力中止时本合同的现金价值。",
        ),
        (
            "明确说明与如实告知",
            f"订立本合同时，{we}应向您说明本合同的内容。对保险条款中免除{we}责任的条款，"
            f"{we}在订立合同时应当在投保单、保险单或者其他保险凭证上作出足以引起您注意的提示，"
            f"并对该条款的内容以书面或者口头形式向您作出明确说明，未作提示或者明确说明的，该条款不产生效力。"
            f"{we}就您和被保险人的有关情况提出询问，您应当如实告知。如果您故意或者因重大过失未履行前款规定的如实告知义务，"
            f"足以影响{we}决定是否同意承保或者提高保险费率的，{we}有权解除本合同。",
        ),
        (
            "本公司合同解除权的限制",
            f"前条规定的合同解除权，自{we}知道有解除事由之日起，超过三十日不行使而消灭。"
            f"自本合同成立之日起超过二年的，{we}不得解除合同；发生保险事故的，{we}承担给付保险金的责任。"
            f"{we}在合同订立时已经知道您未如实告知的情况的，{we}不得解除合同；发生保险事故的，{we}承担给付保险金的责任。",
        ),
        (
            "年龄错误",
            "您在申请投保时，应将与有效身份证件相符的被保险人的出生日期在投保单上填明，如果发生错误按照下列方式办理："
            f"您申报的被保险人年龄不真实，并且其真实年龄不符合本合同约定投保年龄限制的，{we}有权解除本合同，"
            "并向您退还本合同的现金价值；您申报的被保险人年龄不真实，致使您支付的保险费少于应付保险费的，"
            f"{we}有权更正并要求您补交保险费，若已经发生保险事故，{we}按照实付保险费与应付保险费的比例给付保险金。",
        ),
        (
            "合同内容变更",
            f"在本合同有效期内，经您与{we}协商一致，可以变更本合同的有关内容。变更本合同的，"
            f"应当由{we}在保险单或者其他保险凭证上批注或者附贴批单，或者由您与{we}订立变更的书面协议。"
            "未经被保险人书面同意并认可保险金额，您不得变更以死亡为给付保险金条件的合同内容。",
        ),
        (
            "您解除合同的手续及风险",
            "如果您在犹豫期后申请解除本合同，请填写解除合同申请书并向我们提供下列资料：保险合同；您的有效身份证件。"
            f"自{we}收到解除合同申请书时起，本合同终止。{we}自收到解除合同申请书之日起三十日内向您退还本合同的现金价值。"
            "您犹豫期后解除合同会遭受一定损失。",
        ),
        (
            "联系方式变更与争议处理",
            f"为了保障您的合法权益，您的住所、通讯地址、电子邮箱或者电话号码等联系方式变更时，请及时以书面形式或者双方认可的其他形式通知{we}。"
            f"若您未以书面形式或者双方认可的其他形式通知{we}，{we}按本合同载明的最后住所或者通讯地址发送的有关通知，均视为已送达给您。"
            "本合同履行过程中，双方发生争议时，由当事人协商解决，协商不成的，提交保险单载明的仲裁机构仲裁；"
            f"保险单未载明仲裁机构或者争议发生后未达成仲裁协议的，依法向人民法院起诉。客户服务电话：{phone}。",
        ),
    ]


def _coverage(type_key: str, we: str) -> list[tuple[str, str]]:
    """Coverage, exclusions and definitions: shared by every policy of a type.

    ``{wait}``, ``{sum}``, ``{deduct}``, ``{ratio}``, ``{allowance}`` and ``{claim_days}``
    are filled per policy.
    """
    wait = (
        "在本合同生效（或最后一次复效）之日起{wait}日内（该期间称为等待期），被保险人发生下列情形之一的，"
        f"{we}不承担保险责任，但向您无息退还本合同已交的保险费，本合同终止：被保险人经医院确诊初次发生本合同约定的疾病；"
        "被保险人因疾病导致身故。被保险人因意外伤害发生上述情形的，无等待期。"
    )
    common_excl = (
        f"因下列情形之一导致被保险人身故或者发生保险事故的，{we}不承担保险责任："
        "投保人对被保险人的故意杀害、故意伤害；被保险人故意自伤、故意犯罪或者抗拒依法采取的刑事强制措施；"
        "被保险人自本合同成立或者合同效力恢复之日起二年内自杀，但被保险人自杀时为无民事行为能力人的除外；"
        "被保险人服用、吸食或注射毒品；被保险人酒后驾驶，无合法有效驾驶证驾驶，或驾驶无有效行驶证的机动车；"
        "被保险人感染艾滋病病毒或患艾滋病；战争、军事冲突、暴乱或武装叛乱；核爆炸、核辐射或核污染；"
        "遗传性疾病，先天性畸形、变形或染色体异常。发生上述情形时，本合同终止，"
        f"{we}向您退还本合同的现金价值。"
    )
    if type_key == "critical":
        return [
            (
                "保险责任",
                "在本合同保险期间内，我们承担如下保险责任："
                + wait
                + "重大疾病保险金：被保险人于等待期后经医院确诊初次发生本合同约定的重大疾病"
                "（无论一种或者多种），"
                "我们按本合同基本保险金额{sum}给付重大疾病保险金，本合同终止。轻症疾病保险金：被保险人于等待期后经医院确诊初次发生本合同约定的轻症疾病，"
                "我们按基本保险金额的百分之三十给付轻症疾病保险金，轻症疾病保险金的给付以三次为限。"
                "身故保险金：被保险人身故，我们按本合同已交保险费与现金价值二者之较大者给付身故保险金，本合同终止。",
            ),
            ("责任免除", common_excl),
            (
                "重大疾病的定义",
                "本合同所指的重大疾病，是指被保险人发生符合以下定义所述条件的疾病、疾病状态或者手术，共计一百种。"
                "恶性肿瘤——重度：指恶性细胞不受控制的进行性增长和扩散，浸润和破坏周围正常组织，可以经血管、淋巴管和体腔扩散转移到身体其他部位，"
                "病灶经组织病理学检查并被临床诊断为恶性肿瘤。较重急性心肌梗死：指急性心肌梗死发生后，经医院确诊并且满足相应的临床指标。"
                "严重脑中风后遗症：指因脑血管的突发病变引起脑血管出血、栓塞或者梗塞，并导致神经系统永久性的功能障碍。",
            ),
        ]
    if type_key == "medical":
        return [
            (
                "保险责任",
                "在本合同保险期间内，我们承担如下保险责任："
                + wait
                + "一般医疗保险金：被保险人于等待期后因疾病或者意外伤害，"
                "在医院接受住院治疗、特殊门诊治疗、门诊手术治疗或住院前后门急诊治疗的，对于被保险人实际发生的合理且必需的医疗费用，"
                "我们在扣除年免赔额{deduct}后，按照{ratio}的比例给付一般医疗保险金，年度累计给付以保险金额{sum}为限。"
                "重大疾病医疗保险金：被保险人经确诊初次发生重大疾病的，其重大疾病医疗费用不计免赔额，按照百分之百的比例给付。",
            ),
            ("责任免除", common_excl),
            (
                "医疗费用的定义",
                "本合同所称医疗费用，指被保险人在医院接受治疗期间发生的床位费、膳食费、护理费、重症监护室床位费、诊疗费、检查检验费、"
                "治疗费、药品费、手术费等合理且必需的费用。合理且必需是指符合通常惯例、符合医学上的必需。"
                "特殊门诊治疗包括门诊肾透析、门诊恶性肿瘤治疗（化学疗法、放射疗法、肿瘤免疫疗法、肿瘤内分泌疗法、肿瘤靶向疗法）、"
                "器官移植术后的门诊抗排异治疗。",
            ),
        ]
    if type_key == "accident":
        return [
            (
                "保险责任",
                "在本合同保险期间内，我们承担如下保险责任：意外身故保险金：被保险人遭受意外伤害，并自该意外伤害发生之日起一百八十日内以该意外伤害为直接且单独原因身故的，"
                "我们按本合同基本保险金额{sum}给付意外身故保险金，本合同终止。意外伤残保险金：被保险人遭受意外伤害，"
                "并自该意外伤害发生之日起一百八十日内以该意外伤害为直接原因导致《人身保险伤残评定标准》所列伤残项目之一的，"
                "我们按该表所列给付比例乘以基本保险金额给付意外伤残保险金。意外医疗保险金：被保险人因遭受意外伤害在医院进行治疗的，"
                "对其实际支出的合理且必需的医疗费用，扣除免赔额{deduct}后，按照{ratio}的比例给付。",
            ),
            ("责任免除", common_excl),
            (
                "意外伤害的定义",
                "本合同所称意外伤害，指遭受外来的、突发的、非本意的、非疾病的客观事件直接致使身体受到的伤害。"
                "自然死亡、疾病身故、猝死、自杀以及自伤均不属于意外伤害。"
                "本合同所称潜水指以辅助呼吸器材在江、河、湖、海、水库、运河等水域进行的水下运动；攀岩指攀登悬崖、楼宇外墙、人造悬崖、冰川、雪山等运动。",
            ),
        ]
    if type_key == "term":
        return [
            (
                "保险责任",
                "在本合同保险期间内，我们承担如下保险责任："
                + wait
                + "身故或全残保险金：被保险人于等待期后身故或者身体全残的，"
                "我们按本合同基本保险金额{sum}给付身故或全残保险金，本合同终止。被保险人因意外伤害身故或者全残的，无等待期。"
                "若被保险人同时符合身故及全残的给付条件，我们仅按其中一项给付保险金。",
            ),
            ("责任免除", common_excl),
            (
                "全残的定义",
                "本合同所指全残，是指下列情形之一：双目永久完全失明的；两上肢腕关节以上或两下肢踝关节以上缺失的；"
                "一上肢腕关节以上及一下肢踝关节以上缺失的；一目永久完全失明及一上肢腕关节以上缺失的；"
                "四肢关节机能永久完全丧失的；咀嚼、吞咽机能永久完全丧失的；中枢神经系统机能或者胸、腹部脏器机能极度障碍，"
                "终身不能从事任何工作，为维持生命必要的日常生活活动全需他人扶助的。",
            ),
        ]
    return [
        (
            "保险责任",
            "在本合同保险期间内，我们承担如下保险责任："
            + wait
            + "住院津贴保险金：被保险人于等待期后因疾病或者因意外伤害，"
            "经医院诊断必须住院治疗的，我们按照本合同约定的住院日额{allowance}乘以实际住院天数给付住院津贴保险金，"
            "每次住院给付天数以一百八十日为限，保险期间内累计给付天数以三百六十五日为限。"
            "重症监护津贴保险金：被保险人入住重症监护室的，我们另按住院日额的两倍给付重症监护津贴保险金。",
        ),
        ("责任免除", common_excl),
        (
            "住院的定义",
            "本合同所称住院，指被保险人因疾病或者意外伤害而入住医院之正式病房进行治疗，并正式办理入出院手续，"
            "不包括入住门诊观察室、家庭病床、挂床住院及其他非正式病房。挂床住院指办理正式住院手续的被保险人，"
            "在住院期间每日非24小时在床、在院。住院天数以住院病历记载的实际天数为准。",
        ),
    ]


def _claims(we: str) -> tuple[str, str]:
    return (
        "保险金申请",
        f"被保险人或者受益人知道保险事故发生后应当在{{claim_days}}日内通知{we}，否则，因故意或者重大过失未及时通知，"
        f"致使保险事故的性质、原因、损失程度等难以确定的，{we}对无法确定的部分，不承担给付保险金的责任。"
        "申请保险金时，申请人须填写保险金给付申请书，并提供申请人的有效身份证件、医院出具的诊断证明、病历及相关检查报告。"
        f"{we}收到申请人的保险金给付申请书及相关证明和资料后，将在五日内作出核定；情形复杂的，在三十日内作出核定。",
    )


def _specials(p: Policy, we: str) -> list[tuple[str, str]]:
    a, b = p.activities
    return [
        (
            "特别约定",
            f"经投保人与{we}协商一致，本合同附加以下特别约定：一、被保险人参加{a}或{b}期间遭受意外伤害导致身故、伤残或者发生医疗费用的，"
            f"{we}不承担保险责任。二、被保险人投保前已患有{p.condition}，{we}对{p.condition}及其并发症导致的保险事故不承担保险责任。"
            f"三、本合同的指定医院为{p.hospital}，被保险人在指定医院以外的医院就诊的，须在入院后三日内通知{we}。"
            "除本特别约定外，本合同其他条款内容不变。",
        ),
    ]


def generate(n: int, seed: int = 15) -> list[Policy]:
    rng = random.Random(seed)
    names: set[str] = set()
    products: set[str] = set()
    numbers: set[str] = set()
    hospitals: set[str] = set()

    def person() -> str:
        given = rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.8 else "")
        return rng.choice(_SURNAMES) + given

    policies: list[Policy] = []
    for i in range(n):
        full, brand, we, cool, grace, phone, script = INSURERS[i % len(INSURERS)]
        type_key = list(TYPES)[(i // len(INSURERS)) % len(TYPES)]
        type_name = TYPES[type_key]

        def product_name(brand: str = brand, type_name: str = type_name) -> str:
            w1, w2 = rng.sample(_NAME_WORDS, 2)
            return f"{brand}{w1}{w2}{type_name}（{rng.randint(2016, 2024)}版）"

        product = _unique(rng, product_name, products)
        number = _unique(rng, lambda: f"P{rng.randint(10**11, 10**12 - 1)}", numbers)
        holder = _unique(rng, person, names)
        insured = holder if rng.random() < 0.4 else _unique(rng, person, names)
        beneficiary = "法定继承人" if rng.random() < 0.5 else _unique(rng, person, names)
        hospital = _unique(rng, lambda: rng.choice(_CITIES) + rng.choice(_HOSPITALS), hospitals)
        start = f"{rng.randint(2018, 2024)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"
        amount = rng.choice([10, 20, 30, 50, 60, 80, 100, 150, 200, 300])
        facts = {
            "wait": str(rng.choice([30, 60, 90, 120, 180])),
            "sum": f"人民币{amount}万元" if script == "hans" else f"新台币{amount * 4}万元",
            "deduct": f"{rng.choice([0, 100, 500, 1000, 5000, 10000])}元",
            "ratio": f"百分之{rng.choice([60, 70, 80, 90, 100])}",
            "allowance": f"{rng.choice([100, 150, 200, 300, 500])}元",
            "claim_days": str(rng.choice([5, 10, 15, 30])),
            "premium": f"{rng.randint(300, 30000)}.{rng.randint(0, 99):02d}元",
            "pay_mode": rng.choice(_PAY_MODES),
            "period": rng.choice(_PERIODS),
            "start": start,
        }
        p = Policy(
            key=f"policy-{i:04d}",
            insurer=full,
            script=script,
            type_key=type_key,
            product=product,
            policy_no=number,
            holder=holder,
            insured=insured,
            beneficiary=beneficiary,
            hospital=hospital,
            activities=tuple(rng.sample(_ACTIVITIES, 2)),  # type: ignore[arg-type]
            condition=rng.choice(_CONDITIONS),
            facts=facts,
        )
        cover = [
            f"保险公司：{full}",
            f"产品名称：{product}",
            f"保险单号：{number}",
            f"投保人：{holder}",
            f"被保险人：{insured}",
            f"身故保险金受益人：{beneficiary}",
            f"保险期间：{facts['period']}，自{start}零时起",
            f"基本保险金额：{facts['sum']}",
            f"交费方式：{facts['pay_mode']}，每期保险费{facts['premium']}",
            f"指定医院：{hospital}",
            f"客户服务电话：{phone}",
        ]
        clauses = [
            *_general_clauses(we, cool, grace, phone)[:2],
            *_coverage(type_key, we),
            _claims(we),
            *_specials(p, we),
            *_general_clauses(we, cool, grace, phone)[2:],
        ]
        blocks: list[tuple[str | None, list[str]]] = [(f"{product}条款", cover)]
        for number_, (heading, body) in enumerate(clauses, start=1):
            text = body.replace("我们", we).format(**facts)
            blocks.append((f"第{_cn(number_)}条　{heading}", [text]))
        if script == "tw":
            blocks = [
                (zhconv.convert(h, "zh-tw") if h else h, [zhconv.convert(t, "zh-tw") for t in ps])
                for h, ps in blocks
            ]
        p.blocks = blocks
        policies.append(p)
    return policies


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


# anchored: the question names something only one policy has (product, policy number,
# insured, policyholder, designated hospital) and asks about another of its clauses
_ANCHORED: list[tuple[str, str]] = [
    ("product", "{product}的等待期是多少天？"),
    ("product", "{product}对哪些运动期间的意外不承担保险责任？"),
    ("product", "{product}的指定医院是哪家？"),
    ("policy_no", "保险单号{policy_no}的基本保险金额是多少？"),
    ("policy_no", "保单{policy_no}的保险事故应在几日内通知保险公司？"),
    ("insured", "被保险人{insured}的保单对哪种既往疾病不承担保险责任？"),
    ("insured", "被保险人{insured}的保险期间从哪天开始？"),
    ("holder", "投保人{holder}每期交多少保险费？"),
    ("holder", "投保人{holder}的保单身故保险金受益人是谁？"),
    ("hospital", "指定医院为{hospital}的保单，等待期是多少天？"),
    ("hospital", "哪份保单约定指定医院为{hospital}？"),
]
# content: no identifier, only a combination of specifics (each word also occurs in many
# other policies); asked only where the combination is unique to one policy
_CONTENT: list[tuple[str, str]] = [
    ("activities", "哪份{type}对参加{a}或{b}期间的意外伤害不承担保险责任？"),
    ("condition_city", "投保前已患有{condition}、指定医院在{city}的保单是哪一份？"),
    ("wait_sum", "{brand}的{type}中，等待期{wait}日、基本保险金额{sum}的是哪一款？"),
]


def _city(hospital: str) -> str:
    return max((c for c in _CITIES if hospital.startswith(c)), key=len)


def _content_key(kind: str, p: Policy) -> tuple[str, ...] | None:
    if kind == "activities":
        return (p.type_key, *sorted(p.activities))
    if kind == "condition_city":
        return (p.condition, _city(p.hospital))
    if kind == "wait_sum" and p.type_key != "accident":  # accident cover has no waiting period
        return (p.insurer, p.type_key, p.facts["wait"], p.facts["sum"])
    return None


def questions(policies: list[Policy], n: int, seed: int = 15) -> list[Question]:
    """``n`` questions, half anchored and half content-only (``Question.kind`` says which
    template), each judged relevant to the one policy that holds its specifics."""
    rng = random.Random(seed + 1)
    keys: dict[str, dict[tuple[str, ...] | None, int]] = {}
    for kind, _ in _CONTENT:
        counts: dict[tuple[str, ...] | None, int] = {}
        for p in policies:
            counts[_content_key(kind, p)] = counts.get(_content_key(kind, p), 0) + 1
        keys[kind] = counts
    order = list(range(len(policies)))
    rng.shuffle(order)
    out: list[Question] = []
    anchored = content = 0
    for i in range(40 * max(n, 1)):
        if len(out) >= n or not order:
            break
        p = policies[order[i % len(order)]]
        if i % 2 == 0:
            kind, template = _ANCHORED[anchored % len(_ANCHORED)]
            anchored += 1
        else:
            kind, template = _CONTENT[content % len(_CONTENT)]
            content += 1
            key = _content_key(kind, p)
            if key is None or keys[kind][key] != 1:
                continue
            kind = f"content:{kind}"
        text = template.format(
            product=p.product,
            policy_no=p.policy_no,
            insured=p.insured,
            holder=p.holder,
            hospital=p.hospital,
            type=TYPES[p.type_key],
            a=p.activities[0],
            b=p.activities[1],
            condition=p.condition,
            city=_city(p.hospital),
            brand=p.insurer,
            wait=p.facts["wait"],
            sum=p.facts["sum"],
        )
        if p.script == "tw":
            text = zhconv.convert(text, "zh-tw")
        out.append(Question(f"pq{len(out):04d}", text, p.key, kind))
    return out


def shared_clause_share(policies: list[Policy]) -> float:
    """Mean share of a policy's clauses (cover page excluded) whose text another policy has
    word for word."""
    counts: dict[str, int] = {}
    for p in policies:
        for _, paras in p.blocks[1:]:
            counts[paras[0]] = counts.get(paras[0], 0) + 1
    shares = [
        sum(counts[paras[0]] > 1 for _, paras in p.blocks[1:]) / (len(p.blocks) - 1)
        for p in policies
    ]
    return sum(shares) / len(shares) if shares else 0.0


_SHARED_TEMPLATES = [
    "{insurer}的保险合同犹豫期是多少天？",
    "{insurer}的保单宽限期是多少天？",
    "{insurer}的保单效力中止后多久内可以申请恢复合同效力？",
    "{insurer}的保单投保时年龄申报错误怎么处理？",
]


def shared_questions(policies: list[Policy]) -> list[tuple[str, str, list[str]]]:
    """Questions about a clause an insurer's policies share word for word, each judged
    relevant to every policy of that insurer: (qid, text, policy keys)."""
    out: list[tuple[str, str, list[str]]] = []
    for full, *_, script in INSURERS:
        keys = [p.key for p in policies if p.insurer == full]
        if not keys:
            continue
        for template in _SHARED_TEMPLATES:
            text = template.format(insurer=full)
            if script == "tw":
                text = zhconv.convert(text, "zh-tw")
            out.append((f"sq{len(out):03d}", text, keys))
    return out
