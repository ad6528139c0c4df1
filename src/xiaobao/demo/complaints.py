"""Demo dataset: six months of a consumer-finance lender's complaints, handled through the real services.

`load_demo(ctx)` fills an empty database with demo users (one per role, all with `DEMO_PASSWORD`) and
≥2,000 synthetic complaints. Nothing is written behind the services' back:

- complaints enter through the bulk import (`services.complaints.intake.importing.import_file`), a few times a day,
  from temporary JSONL files, so routing, repeat detection, encryption and masking are the real ones;
- every later step (dispatch, accept, transfer, pause, extension, decision, notice, callback, close,
  核查, withdrawal, 不予受理, merge) is a call to `services.complaints.handling`, so each one has its audit entry.

Each complaint's lifecycle is a small script run on a discrete-event clock: the context's `now` is
replaced for the duration and set to the time of each action, in global time order, and everything
scheduled after the real "now" simply has not happened yet. That is what leaves recent complaints
open in every status — some overdue, some due within days, some paused, extended or under review.

All names, phone numbers and ID numbers are generated (ID numbers carry valid GB 11643 check digits
but belong to no one). The data are deterministic for a given seed and `ctx.now()`, except the AES
nonces of the encrypted personal data (and the blind indexes, which depend on the vault's key).
"""

from __future__ import annotations

import heapq
import json
import random
import re
import tempfile
import time as _time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from xiaobao.domain.complaint import OPEN, Complaint, Status
from xiaobao.domain.errors import DomainError
from xiaobao.domain.identity import id_check_char
from xiaobao.domain.roles import Role
from xiaobao.store.complaints.repository import ComplaintQuery
from xiaobao.services.complaints import handling as H
from xiaobao.services.actors import Actor
from xiaobao.services.auth import create_user
from xiaobao.services.context import Context
from xiaobao.services.errors import Conflict
from xiaobao.services.complaints.intake.importing import import_file
from xiaobao.services.complaints.queries import counts

DEMO_PASSWORD = "xiaobao-demo"
DEMO_INSTITUTION = "示例消费金融有限公司"
IMPORT_ACTOR = "system"
DISPATCHER = "supervisor1"

# username, role, display name, team (routing.yaml), staff id
DEMO_USERS: tuple[tuple[str, str, str, str | None, str], ...] = (
    ("admin", "admin", "系统管理员", None, "S000"),
    ("agent1", "agent", "王晓梅（一线座席）", "frontline", "S001"),
    ("agent2", "agent", "李俊（一线座席）", "frontline", "S002"),
    ("agent3", "agent", "陈思雨（一线座席）", "frontline", "S003"),
    ("expert1", "expert", "赵立新（专家岗）", "expert", "S004"),
    ("expert2", "expert", "孙浩（催收投诉专家岗）", "collection_expert", "S005"),
    ("expert3", "expert", "周敏（升级投诉处理岗）", "escalation", "S006"),
    ("care1", "care", "刘芳（用户关怀岗）", "care", "S007"),
    ("supervisor1", "supervisor", "郑国强（消保主管）", "escalation", "S008"),
    ("compliance1", "compliance", "吴静（合规）", None, "S009"),
    ("auditor1", "auditor", "钱志远（内审）", None, "S010"),
    ("marketing1", "marketing", "冯雪（市场营销）", None, "S011"),
)
# Who works each routing team's queue (weights: supervisors handle only part of the escalated work).
TEAM_MEMBERS: dict[str, list[tuple[str, int]]] = {
    "frontline": [("agent1", 4), ("agent2", 4), ("agent3", 3)],
    "expert": [("expert1", 1)],
    "collection_expert": [("expert2", 1)],
    "care": [("care1", 1)],
    "escalation": [("expert3", 3), ("supervisor1", 1)],
    "special_cases": [("expert1", 2), ("supervisor1", 1)],  # flagged black/gray complaints
}
TEAM_ZH = {"frontline": "一线座席", "expert": "专家岗", "collection_expert": "催收投诉专家岗", "care": "用户关怀岗",
           "escalation": "升级投诉处理岗", "special_cases": "特殊投诉处理组"}

# ---- people --------------------------------------------------------------------------------------
SURNAMES = ("王" * 9 + "李" * 9 + "张" * 8 + "刘" * 7 + "陈" * 6 + "杨" * 4 + "黄" * 3 + "赵" * 3 + "吴" * 2 + "周" * 2
            + "徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石"
            "廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞")
GIVEN_M = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林欢阳建国志刚海峰晨亮新博文成东兴良永胜振洪家豪子轩浩然"
GIVEN_F = "芳娜敏静丽艳娟霞秀英玲桂兰燕萍红梅琳雪婷颖倩慧莉洁琴云莹晶月悦欣怡佳雨菲璐瑶蕾思涵梓萱诗琪紫薇婉清"
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
                   "156", "157", "158", "159", "166", "173", "176", "177", "178", "180", "181", "182", "183", "185",
                   "186", "187", "188", "189", "191", "198", "199")
# (GB/T 2260 code, province, city, district, weight) — the lender's home market (Henan) is heaviest.
REGIONS = (
    ("410105", "河南省", "郑州市", "金水区", 6), ("410102", "河南省", "郑州市", "中原区", 4),
    ("410302", "河南省", "洛阳市", "老城区", 3), ("411302", "河南省", "南阳市", "宛城区", 3),
    ("410702", "河南省", "新乡市", "红旗区", 2), ("411102", "河南省", "漯河市", "源汇区", 1),
    ("110105", "北京市", "北京市", "朝阳区", 2), ("110108", "北京市", "北京市", "海淀区", 1),
    ("310115", "上海市", "上海市", "浦东新区", 2), ("310104", "上海市", "上海市", "徐汇区", 1),
    ("440106", "广东省", "广州市", "天河区", 2), ("440304", "广东省", "深圳市", "福田区", 2),
    ("440306", "广东省", "深圳市", "宝安区", 2), ("441900", "广东省", "东莞市", "南城街道", 1),
    ("330106", "浙江省", "杭州市", "西湖区", 1), ("330203", "浙江省", "宁波市", "海曙区", 1),
    ("320102", "江苏省", "南京市", "玄武区", 1), ("320505", "江苏省", "苏州市", "虎丘区", 1),
    ("510107", "四川省", "成都市", "武侯区", 2), ("420106", "湖北省", "武汉市", "武昌区", 2),
    ("430104", "湖南省", "长沙市", "岳麓区", 2), ("370102", "山东省", "济南市", "历下区", 2),
    ("370202", "山东省", "青岛市", "市南区", 1), ("500103", "重庆市", "重庆市", "渝中区", 2),
    ("610113", "陕西省", "西安市", "雁塔区", 1), ("350203", "福建省", "厦门市", "思明区", 1),
    ("130102", "河北省", "石家庄市", "长安区", 2), ("340104", "安徽省", "合肥市", "蜀山区", 2),
    ("360102", "江西省", "南昌市", "东湖区", 1), ("450103", "广西壮族自治区", "南宁市", "青秀区", 1),
    ("530102", "云南省", "昆明市", "五华区", 1), ("520102", "贵州省", "贵阳市", "南明区", 1),
    ("210102", "辽宁省", "沈阳市", "和平区", 1), ("220102", "吉林省", "长春市", "南关区", 1),
    ("230102", "黑龙江省", "哈尔滨市", "道里区", 1), ("140105", "山西省", "太原市", "小店区", 1),
    ("620102", "甘肃省", "兰州市", "城关区", 1), ("150102", "内蒙古自治区", "呼和浩特市", "新城区", 1),
    ("460105", "海南省", "海口市", "秀英区", 1), ("640104", "宁夏回族自治区", "银川市", "兴庆区", 1),
)
STREETS = ("人民路", "建设路", "解放路", "中山路", "文化路", "花园路", "黄河路", "长江路", "和平路", "新华路",
           "友谊路", "东风路", "迎宾路", "工业路", "学府路", "经三路", "纬五路", "农业路", "金水路", "大学路")
COMMUNITIES = ("阳光花园", "锦绣家园", "幸福里小区", "翠湖苑", "金色港湾", "学府名苑", "和谐家园", "铁路家属院",
               "滨河小区", "御景华庭", "东方明珠小区", "世纪城")
BANKS = ("工商银行", "建设银行", "农业银行", "中国银行", "招商银行", "邮储银行", "交通银行", "浦发银行", "中信银行",
         "平安银行")
PRODUCTS = (("信用贷", 30), ("消费分期", 24), ("现金贷", 18), ("循环额度贷", 11), ("商品分期", 8), ("家装分期", 5),
            ("教育分期", 4))
HARDSHIPS = (("身患重病正在住院治疗", "serious"), ("失业在家没有收入", "plain"), ("家里有残疾孩子需要照顾", "plain"),
             ("刚做完手术还在康复", "serious"), ("生意失败背上多笔债务", "plain"))


@dataclass
class _Person:
    name: str
    surname: str
    male: bool
    id_number: str
    birth: date
    phone: str
    region: tuple
    address: str
    customer_no: str | None
    vulnerable: str | None = None  # hardship phrase
    email: str | None = None

    def age(self, on: date) -> int:
        return on.year - self.birth.year - ((on.month, on.day) < (self.birth.month, self.birth.day))


def _weighted(r: random.Random, items):
    return r.choices([i[0] for i in items], weights=[i[-1] for i in items])[0]


def _name(r: random.Random, male: bool, surname: str | None = None) -> tuple[str, str]:
    s = surname or r.choice(SURNAMES)
    chars = GIVEN_M if male else GIVEN_F
    given = r.choice(chars) + (r.choice(chars) if r.random() < 0.7 else "")
    return s + given, s


def _phone(r: random.Random) -> str:
    return r.choice(MOBILE_PREFIXES) + f"{r.randrange(10 ** 8):08d}"


def _id_number(r: random.Random, region_code: str, birth: date, male: bool) -> str:
    seq = r.randrange(0, 100) * 10 + r.choice((1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8))
    first17 = f"{region_code}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


def _birth(r: random.Random, today: date, age_lo: int, age_hi: int) -> date:
    age = r.randint(age_lo, age_hi)
    return date(today.year - age, 1, 1) - timedelta(days=r.randrange(0, 365))


def _address(r: random.Random, region: tuple) -> str:
    _, prov, city, district, _w = region
    head = city if prov == city else prov + city
    return (f"{head}{district}{r.choice(STREETS)}{r.randint(1, 300)}号{r.choice(COMMUNITIES)}"
            f"{r.randint(1, 20)}号楼{r.randint(1, 4)}单元{r.randint(1, 28)}{r.randint(1, 4):02d}室")


def _person(r: random.Random, today: date, *, elderly: bool = False) -> _Person:
    male = r.random() < 0.58
    if elderly:
        birth = _birth(r, today, 60, 78)
    else:
        band = r.random()
        birth = _birth(r, today, *((21, 34) if band < 0.56 else (35, 49) if band < 0.88 else (50, 59)))
    name, surname = _name(r, male)
    born_in = _weighted(r, [(x, x[-1]) for x in REGIONS])
    lives_in = born_in if r.random() < 0.7 else _weighted(r, [(x, x[-1]) for x in REGIONS])
    p = _Person(name=name, surname=surname, male=male, id_number=_id_number(r, born_in[0], birth, male), birth=birth,
                phone=_phone(r), region=lives_in, address=_address(r, lives_in),
                customer_no=f"C{r.randrange(10 ** 9, 10 ** 10)}" if r.random() < 0.88 else None)
    if r.random() < 0.025:
        p.vulnerable = r.choice(HARDSHIPS)[0]
    if r.random() < 0.3:
        p.email = f"{r.choice(['zh', 'li', 'wang', 'chen', 'liu', 'yang', 'xm', 'happy', 'sky'])}{r.randrange(100, 99999)}" \
                  f"@{r.choice(['qq.com', '163.com', '126.com', 'sina.com', 'foxmail.com'])}"
    return p


# ---- complaint texts -----------------------------------------------------------------------------
CATEGORIES = (("debt_collection", 22), ("pricing_fees", 17), ("repayment", 11), ("credit_report", 10),
              ("marketing", 8), ("service_attitude", 7), ("personal_info", 6), ("credit_limit", 6), ("bundling", 6),
              ("fraud_victim", 4), ("other", 3))
# What people take to the central bank's 12363 line: credit reports, payments, personal data.
PBOC_CATEGORIES = (("credit_report", 40), ("personal_info", 25), ("repayment", 20), ("debt_collection", 15))
# Each template: (facts, requests that fit those facts). Slots are filled by _slots().
STOP_COLLECTION = ("要求立即停止骚扰性催收，不得再联系我的亲友同事", "要求对违规催收人员追责并书面道歉",
                   "要求停止催收，协商分期还款并减免罚息")
TEMPLATES: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "debt_collection": [
        (("我在贵司{product}借款{amount}，目前逾期{od}天。从{date1}开始催收人员每天打电话{n}次以上，还联系我的{contacts}，"
         "说我欠钱不还，严重影响我的工作和生活。"), STOP_COLLECTION),
        (("本人并非借款人，也从未同意任何人把我的号码留作联系人。近{k}天持续接到贵司催收电话，称我的{debtor_rel}欠款未还，"
         "要求我代为转告，接电话的人语气很凶，还说要“上门拜访”。"),
         ("要求停止拨打我的电话并删除我的号码", "要求说明我的号码从何而来，并停止骚扰")),
        (("{date1}催收员来电时言语侮辱，说要“联系村委会”“去单位找领导”，还发短信称要起诉我并通知我的家人。"
         "我只是暂时资金困难，逾期{od}天，愿意协商还款。"), STOP_COLLECTION),
        ("贵司委托的第三方催收机构冒充律师事务所给我发“律师函”，威胁三天内不还款就立案，晚上{late_hour}点以后还在打电话。",
         ("要求核查该催收机构资质并追责", "要求停止夜间催收，对违规催收人员追责")),
        ("催收人员把我的欠款信息发到了我的{contacts}那里，相当于“爆通讯录”，我已经因为这件事被单位约谈。",
         ("要求立即停止联系我的通讯录联系人，并书面道歉", "要求赔偿名誉损失并对催收人员追责")),
        ("我在{date1}已经和贵司客服协商好{term}期分期还款，但委外催收仍然每天打电话催我一次性结清{amount}，前后说法不一致。",
         ("要求按已协商的分期方案执行，停止委外催收", "要求核实协商记录并停止催收")),
    ],
    "pricing_fees": [
        (("我{date1}在贵司App借款{amount}，分{term}期，页面展示年化利率{apr}%，但加上担保费、服务费后每月要还{monthly}元，"
         "实际年化综合成本超过{real_apr}%，超过了24%。"),
         ("要求按年化24%以内重新核算并退还超出部分", "要求退还担保费和服务费")),
        ("借款时页面只显示日利率{daily}%，没有明确展示年化综合成本，还款时才发现每期多收{fee}“信用评估费”，事先并未告知。",
         ("要求退还信用评估费", "要求提供完整的费用明细并说明计算依据")),
        (("我想提前结清{product}，客服说要支付剩余本金{pct}%的提前还款违约金{fee}，剩余各期的服务费也要一次性收取，"
         "借款时并没有明确提示。"), ("要求免除提前还款违约金", "要求按实际借款天数计收利息，免收剩余期数服务费")),
        ("我{date1}首次借款，第{d}天就全额提前还款，按贵司公布的冷静期规则应该免息免费，但还是被收了利息和服务费{fee}。",
         ("要求按冷静期规则全额退还利息和服务费{fee}",)),
        ("逾期{od}天就被收取罚息和违约金共计{fee}，和本金相比高得离谱，收费不合理。",
         ("要求减免罚息和违约金", "要求说明罚息计算依据并减免")),
        ("我已经还了{paid}，本金只有{amount}，对方还说我欠{remain}，利息和费用的计算方式完全不透明。",
         ("要求提供完整的费用明细并说明计算依据", "要求重新核算欠款，退还多收部分")),
    ],
    "repayment": [
        ("{date1}是还款日，我{bank}卡里余额充足，但贵司扣款失败，第二天就显示逾期并收取罚息{fee}，还担心影响征信。",
         ("要求免除因扣款失败产生的罚息并撤销逾期", "要求说明扣款失败原因，确保不上报征信")),
        ("同一期账单在{date1}被重复扣款两次，共多扣了{amount2}，客服说7个工作日内退回，到现在还没有退。",
         ("要求立即退还重复扣款{amount2}", "要求退还重复扣款并赔偿利息损失")),
        ("我已经在App上主动还款，系统又从我绑定的{bank}卡自动扣款{amount2}，导致我的房贷扣款失败。",
         ("要求退还多扣款项{amount2}并出具说明", "要求退款并为我向银行出具情况说明")),
        ("申请更换还款银行卡一直失败，App提示“系统繁忙”，结果逾期{od}天，还被催收。",
         ("要求修复换卡功能并撤销逾期", "要求撤销逾期记录并免除罚息")),
        ("提前结清后贵司仍在{date1}从我的{bank}卡扣款{amount2}，说是“系统延迟”，至今未退。",
         ("要求立即退还{amount2}", "要求退款并出具结清证明")),
    ],
    "credit_report": [
        ("我在{date1}已经结清全部借款，但人民银行征信报告上贵司的一笔贷款仍显示“逾期”，影响了我的房贷审批。",
         ("要求更正征信记录并出具结清证明", "要求尽快更正征信并书面答复")),
        ("因为贵司系统扣款失败造成的逾期{od}天被上报了征信，这不是我的责任，要求更正。",
         ("要求更正征信记录并出具情况说明",)),
        ("我从来没有在贵司申请过借款，但征信报告里出现了贵司的贷款记录和{n}次查询记录，怀疑身份被冒用。",
         ("要求删除非本人的贷款及查询记录，停止催收", "要求核实借款是否本人申请并更正征信")),
        ("贵司上报征信的还款状态和实际不符，我在{date1}提出异议，{k}天了没有任何回复。",
         ("要求尽快处理征信异议并书面答复",)),
        ("办理{product}时并没有告知会查询征信，结果征信报告上多了{n}条“贷款审批”查询记录，导致我申请房贷被拒。",
         ("要求删除未经授权的查询记录", "要求出示征信查询授权书")),
    ],
    "personal_info": [
        ("我在贵司借款后不久就接到大量贷款推销电话，对方能准确说出我的姓名、借款金额和还款日，怀疑贵司泄露了我的个人信息。",
         ("要求查明信息泄露原因并追究责任", "要求说明个人信息的使用和共享情况")),
        ("贵司App在没有经过我同意的情况下读取通讯录和位置信息，关掉权限就不能使用。",
         ("要求删除已采集的通讯录信息，允许关闭权限正常使用",)),
        ("催收人员把我的身份证号、欠款金额发给了我的{contacts}，泄露了我的个人信息。",
         ("要求查明信息泄露原因并追究责任", "要求书面道歉并对责任人严肃处理")),
        ("我要求注销账户并删除我的个人信息，客服一直推脱说“系统无法办理”。",
         ("要求注销账户并删除我的个人信息",)),
        ("我在{date1}收到一条短信，里面有我的身份证号后四位和借款金额，发送方不是贵司官方号码，怀疑信息被泄露给了第三方。",
         ("要求查明信息泄露原因并书面答复",)),
    ],
    "marketing": [
        ("我已经多次回复TD退订，但还是每天收到贵司“您有{limit}元额度待领取”的营销短信，最近{k}天收到了{n}条。",
         ("要求立即停止发送营销短信", "要求将我的号码列入营销免打扰名单")),
        ("贵司营销人员频繁打电话推销贷款，说“免息”“秒到账”，借款后才发现利息很高，属于虚假宣传。",
         ("要求对虚假宣传作出解释并整改", "要求停止营销电话并退还多收利息")),
        ("我从来没有注册过贵司账户，却收到“您的{limit}元借款已审批通过，点击链接领取”的短信，属于误导性营销。",
         ("要求停止发送此类短信并说明我的号码来源",)),
        ("营销电话晚上{late_hour}点还在打，我明确拒绝后又换号码继续打，严重影响休息。",
         ("要求立即停止拨打营销电话", "要求将我的号码列入营销免打扰名单")),
        ("贵司在短视频平台的广告宣称“日息低至0.02%”“不查征信”，实际借款利率远高于宣传。",
         ("要求对虚假宣传作出解释并整改",)),
    ],
    "service_attitude": [
        ("{date1}我拨打贵司客服热线咨询还款问题，客服（工号{staffno}）态度恶劣、很不耐烦，最后直接挂断了电话。",
         ("要求客服人员道歉并对其进行处理",)),
        ("多次拨打客服电话，排队超过{wait}分钟也转不到人工，问题一直得不到解决。",
         ("要求尽快安排专人回电解决问题", "要求改进客服服务")),
        ("在线客服答非所问，只会机械回复，我反映的问题{k}天了没有任何进展。",
         ("要求尽快安排专人回电解决问题",)),
        ("客服（工号{staffno}）承诺{date1}前回电处理，至今没有任何人联系我。",
         ("要求尽快回电处理并对该客服进行处理",)),
    ],
    "credit_limit": [
        ("我一直按时还款，{date1}突然被降额，从{limit}元降到{limit2}元，没有任何通知和说明。",
         ("要求恢复额度并说明降额原因", "要求书面说明额度调整依据")),
        ("额度被冻结，App显示“综合评分不足”，我没有任何逾期，要求说明原因并恢复额度。",
         ("要求恢复额度并说明冻结原因",)),
        ("申请提额时被要求先购买会员，交了会员费{fee}后额度并没有提升。", ("要求退还会员费{fee}",)),
        ("我正在使用的{product}额度在{date1}被清零，导致我原定的分期付款无法完成。",
         ("要求恢复额度并说明原因",)),
    ],
    "bundling": [
        ("借款{amount}时被默认勾选了“{insurance}”，每期扣费{fee}，借款时没有明确提示，属于捆绑搭售。",
         ("要求退还保险费并取消该保险", "要求解释为何默认勾选并退款")),
        ("放款前页面提示要开通“{member}”才能提高通过率，开通后扣了{fee}，要求退还。", ("要求退还会员费{fee}",)),
        ("借款合同里有一笔我不知道的保险费用{fee}，客服说不能单独取消。", ("要求取消保险并退还保险费{fee}",)),
        ("每月自动扣“{member}”会员费{fee}，我从来没有主动开通过，也找不到取消入口。",
         ("要求取消会员并退还已扣费用", "要求提供取消入口并退款")),
    ],
    "fraud_victim": [
        (("{date1}有人冒充贵司客服，说我的“校园贷账户”需要注销，否则影响征信，诱导我在贵司借款{amount}后转到所谓的“安全账户”，"
         "我被骗了。"), ("要求协助追回损失，停止计息并配合公安机关调查", "要求减免该笔借款利息")),
        ("接到自称贵司工作人员的电话，说可以帮我“提升额度”“降低利率”，要我先交{fee}手续费，后来发现被骗。",
         ("要求贵司协助追回损失", "要求核实该人员是否为贵司员工")),
        ("骗子冒用我的身份信息在贵司借款{amount}，我本人从未申请过，已经向公安机关报案（回执号{police_no}）。",
         ("要求核实借款是否本人申请，注销借款并停止催收",)),
        ("一家自称“征信修复”的公司收了我{fee}，说能消除贵司上报的逾期记录，后来就联系不上了，贵司是否和他们有合作？",
         ("要求说明贵司是否与该机构有合作",)),
    ],
    "other": [
        ("申请开具结清证明，客服说需要{k}个工作日，我急需用于房贷审批。", ("要求三个工作日内开具结清证明",)),
        ("App无法登录，人脸识别一直失败，无法查看账单和还款。", ("要求尽快修复并提供其他还款渠道",)),
        ("要求提供借款合同和放款凭证，贵司一直没有提供。", ("要求提供借款合同及放款凭证",)),
        ("我在{date1}申请注销账户，一直显示“审核中”，无法完成注销。", ("要求尽快完成账户注销",)),
    ],
}
HARDSHIP_ABOUT_DEBT = ("debt_collection", "pricing_fees", "repayment", "credit_report", "fraud_victim")
THREATS = {
    "media_threat": "如果再不妥善处理，我将向媒体和网络平台曝光。",
    "regulator_threat": "如果本周内没有答复，我会向金融监管部门12378热线投诉。",
    "litigation_threat": "我保留通过法律途径追究责任的权利，必要时向人民法院起诉。",
}
SHORT = {"debt_collection": "暴力催收、骚扰亲友", "pricing_fees": "利息服务费过高", "repayment": "扣款异常",
         "credit_report": "征信上报错误", "personal_info": "个人信息泄露", "marketing": "营销短信骚扰",
         "service_attitude": "客服态度差", "credit_limit": "额度被降", "bundling": "搭售保险会员",
         "fraud_victim": "被诈骗", "other": "其他问题"}
CONTACTS = ("父母", "同事", "领导", "朋友", "前同事", "妻子", "丈夫", "大学同学", "房东", "通讯录里的好几个人")
DEBTOR_REL = ("前同事", "远房亲戚", "朋友", "前房客", "老同学", "前男友", "前女友")
INSURANCE = ("借款人意外保障险", "账户安全险", "还款无忧保障", "信用保证保险")
MEMBERS = ("提额加速卡", "极速审核权益包", "VIP会员", "省钱月卡")
PROXY_AGENCIES = ("某法律咨询服务工作室", "某债务规划咨询公司", "某信用管理咨询中心")
PROXY_TEXT = ("本人系{name}的委托代理人（{agency}），委托人因{hardship}无力按期还款。贵司存在暴力催收、综合利率超过法定上限、"
              "违规上报征信等问题。现代表委托人要求：1.停息挂账，本金分60期偿还；2.减免全部罚息、服务费及担保费；"
              "3.消除征信不良记录。请于3日内答复本人，否则将同步向金融监管总局、人民银行及媒体投诉。")
PROXY_HARDSHIPS = ("经营失败", "失业", "家人重病", "收入骤减")
# Each agency sells something different and files its own script (the engine must find all three).
PROXY_TEXTS = {
    "某信用管理咨询中心": ("本人{name}，委托{agency}代为处理征信异议。贵司在未告知的情况下上报逾期记录，导致本人房贷被拒，"
                   "委托人因{hardship}短期周转困难并非恶意逾期。要求：1.立即删除征信不良记录（征信修复）；2.出具非恶意逾期证明；"
                   "3.减免逾期产生的全部费用。联系人微信 xy_credit_2026，三个工作日内未处理将向人民银行征信中心投诉。"),
    "某债务规划咨询公司": ("我是{name}，已全权委托{agency}与贵司协商。委托人因{hardship}无力还款，从即日起请停止一切催收，"
                   "不得再联系本人及家人，所有沟通须通过代理人进行。要求全额退还已收利息（全额退息）、停息挂账、"
                   "本金分期36期。代理人电话 0371-6655 8899，拒不配合将举报暴力催收并起诉。"),
}
LAW_FIRMS = ("河南某律师事务所", "北京某律师事务所", "广东某律师事务所", "上海某律师事务所")


# ---- individual voices ---------------------------------------------------------------------------
# Real consumers describe the same kind of problem in their own words; the category templates above
# would otherwise read like one script filled in 2,000 times, which is exactly what the black/gray
# engine looks for (the same words from many distinct customers is what "template" means). Each
# genuine complaint is retold by its author (`_voice`): they tell only part of the facts, in their
# own order and wording, and add something of their own life — who they are, what it did to them,
# what they already tried — assembled from many small pieces, so that two customers with the same
# problem share the gist but rarely a sentence. `bench/blackgray_demo.py` measures what the
# black/gray engine then flags in the demo, by what the demo generated.
_SYNONYMS = {
    "贵司": ("你们公司", "你司", "该平台", "贵公司", "你们", "这家公司", "你们平台", "贵平台"),
    "要求": ("希望", "请求", "恳请", "强烈要求", "请", "麻烦", "我想"),
    "催收人员": ("催收员", "催款的人", "外包催收", "催收的工作人员", "催债的"),
    "催收": ("催款", "催债", "催收"),
    "打电话": ("来电", "打电话过来", "电话轰炸", "打我电话", "打电话骚扰"),
    "严重影响": ("极大影响", "已经影响到", "严重干扰", "搞乱了", "耽误了"),
    "借款": ("贷款", "借了钱", "借的钱", "借贷", "申请的借款"),
    "客服": ("在线客服", "人工客服", "热线客服", "客服人员", "你们的客服", "客服小姐"),
    "目前": ("现在", "眼下", "到今天", "至今", "到现在"),
    "已经": ("早就", "都已经", "已", "早已"),
    "从来没有": ("从没", "从来没", "压根没有", "一次都没有"),
    "没有": ("并没有", "根本没有", "完全没有", "没"),
    "但是": ("可是", "然而", "结果", "没想到"),
    "不合理": ("说不过去", "很不合理", "太离谱了", "明显不公平", "没道理"),
    "说明": ("解释", "讲清楚", "给个说法", "说清楚"),
    "工作和生活": ("上班和家里", "正常生活", "工作", "日常生活", "一家人的生活"),
    "立即": ("马上", "立刻", "尽快", "赶紧"),
    "退还": ("退回", "退给我", "返还", "退"),
    "扣款": ("扣钱", "划扣", "扣费"),
    "告知": ("提醒", "说明", "告诉我"),
    "至今": ("到现在", "一直", "到今天都"),
    "发现": ("知道", "注意到", "看到"),
    "导致": ("结果", "害得", "弄得"),
    "严重": ("非常", "特别", "很"),
    "事先": ("之前", "提前", "当时"),
    "无法": ("没法", "不能", "没办法"),
    "读取": ("获取", "调用", "偷偷读取", "拿走"),
    "通讯录": ("手机通讯录", "联系人", "通讯录"),
    "位置信息": ("定位", "地理位置", "位置"),
    "经过我同意": ("我授权", "征得我同意", "问过我"),
    "关掉权限": ("不给权限", "关闭授权", "拒绝授权"),
    "不能使用": ("用不了", "没法用", "不让用"),
    "短信": ("信息", "短信", "消息"),
    "营销": ("推销", "广告", "营销"),
    "额度": ("借款额度", "可用额度", "额度"),
    "征信": ("征信记录", "信用记录", "征信"),
}
_OPENERS = ("", "", "", "", "你好，", "您好，", "我要投诉，", "我想反映个情况：", "说一下我遇到的事：",
            "实在没办法了才来投诉。", "客服你好，", "我是你们的老用户，", "麻烦帮我看看：", "急！",
            "反映一个问题，", "我想问一下，", "打扰了，", "我再说一遍我的情况：")
_CLOSERS = ("", "", "", "谢谢。", "盼复。", "尽快给我回复。", "等你们电话。", "麻烦了。", "请给个说法！",
            "希望别再拖了。", "请尽快处理，谢谢！", "不要再推来推去了。", "我会一直跟进的。", "辛苦了。",
            "请务必重视。", "希望能妥善解决。")
_WHO = ("我是一名{job}", "我在{city}做{job}", "我平时做{job}", "我是{job}，一个月就几千块", "我是单亲妈妈",
        "我刚毕业没两年", "我快五十了", "我是外地来打工的", "我家里{kids}个孩子都在上学", "我爱人身体不好",
        "我是个体户，生意一般", "我一个人在外地上班", "我们家就靠我一个人的工资", "我才参加工作",
        "我在工地干活", "我们夫妻俩都是上班族")
_JOBS = ("外卖骑手", "教师", "护士", "工厂工人", "个体户", "公司职员", "司机", "销售", "厨师", "保安", "快递员",
         "网约车司机", "超市收银员", "会计", "电工", "幼师", "美发师", "装修工", "文员", "程序员")
_CITIES = ("郑州", "成都", "长沙", "西安", "武汉", "合肥", "南昌", "石家庄", "昆明", "贵阳", "南宁", "济南",
           "太原", "沈阳", "哈尔滨", "兰州")
_EFFECT = ("整晚睡不着", "上班没法专心", "连累家里人跟着担心", "真的很无奈", "心里特别委屈", "快崩溃了",
           "不知道该找谁", "越想越生气", "觉得被欺负了", "一直在等答复", "血压都上来了", "跟家里吵了好几次",
           "被领导找去谈话", "孩子都被吓到了", "饭都吃不下", "请了两天假处理这事", "天天提心吊胆",
           "连手机都不敢开")  # each reads after 我 (我整晚睡不着, 弄得我孩子都被吓到了)
_WHEN = ("这几天", "上周开始", "最近一个月", "从上个月底起", "前天晚上", "这段时间", "今天上午", "昨天",
         "这半个月", "从那以后", "过年前后", "最近")
_TRIED = ("之前打过{calls}次客服电话都没解决", "在App里留言也没人回", "我去过一次线下网点，让我回去等",
          "客服说会升级处理，然后就没下文了", "我已经提交过工单，编号都有", "打热线转了几次人工都说不清楚",
          "在线客服只会发模板回复", "之前反映过一次，说三个工作日答复，到现在没消息",
          "我手机里有通话录音和截图", "我把账单截图都留着", "朋友帮我算过，确实不对",
          "我查了合同，里面根本没写", "我问过银行，他们说不是他们的问题")
_ASIDE = ("说实话", "老实讲", "说真的", "唉", "真的", "现在", "搞得", "这事弄得")


def _retell(r: random.Random, text: str) -> str:
    """Part of the facts, in the teller's order: the gist (first clause) stays, later clauses and
    sentences are left out or swapped now and then."""
    sentences = [x for x in re.split(r"(?<=[。！？])", text) if x]
    out = []
    for i, sentence in enumerate(sentences):
        body, end = (sentence[:-1], sentence[-1]) if sentence[-1] in "。！？" else (sentence, "。")
        clauses = [c for c in body.split("，") if c]
        if i and len(clauses) > 1 and r.random() < 0.2:
            continue
        clauses = clauses[:1] + [c for c in clauses[1:] if r.random() < 0.6]
        if len(clauses) > 2 and r.random() < 0.4:
            j = r.randrange(1, len(clauses) - 1)
            clauses[j], clauses[j + 1] = clauses[j + 1], clauses[j]
        if r.random() < 0.25:
            clauses.insert(r.randint(1, len(clauses)), r.choice(_ASIDE) + "我" + r.choice(_EFFECT))
        out.append("，".join(clauses) + (end if r.random() < 0.8 else r.choice(("！", "。", "……"))))
    if len(out) > 2 and r.random() < 0.35:
        out[0], out[1] = out[1], out[0]
    return "".join(out)


def _own(r: random.Random) -> str:
    """One sentence of the teller's own: who they are, what it did to them, or what they tried."""
    slots = {"job": r.choice(_JOBS), "city": r.choice(_CITIES), "kids": r.choice("一两三"), "calls": r.randint(2, 9)}
    pick = r.random()
    if pick < 0.35:
        text = r.choice(_WHO) + "，" + r.choice(_WHEN) + r.choice(("我", "弄得我", "我都")) + r.choice(_EFFECT)
    elif pick < 0.7:
        text = r.choice(_TRIED) + r.choice(("，", "，", "。")) + r.choice(_WHEN) + r.choice(("我", "弄得我")) + r.choice(_EFFECT)
    else:
        text = r.choice(_WHO) + "，" + r.choice(_TRIED)
    return text.format(**slots).rstrip("。") + r.choice(("。", "。", "！"))


_SYNONYM_RE = re.compile("|".join(sorted(map(re.escape, _SYNONYMS), key=len, reverse=True)))


def _voice(r: random.Random, text: str) -> str:
    # one pass, longest words first, so a replacement is never rewritten again (从来没有 ≠ 从来 + 没有)
    text = _SYNONYM_RE.sub(lambda m: r.choice(_SYNONYMS[m[0]]) if r.random() < 0.8 else m[0], text)
    sentences = [x for x in re.split(r"(?<=[。！？…])", _retell(r, text)) if x]
    for _ in range(r.choice((1, 1, 2, 2, 3))):
        sentences.insert(r.randint(0, len(sentences)), _own(r))
    return r.choice(_OPENERS) + "".join(sentences) + r.choice(_CLOSERS)


def _fmt_md(d: date | datetime) -> str:
    return f"{d.month}月{d.day}日"


def _money(v: float) -> str:
    return f"{int(v):,}元"


def _third_person(text: str, who: str) -> str:
    """First person → `who`, in one pass (so `who` itself is not rewritten)."""
    if who == "其":
        text = text.replace("我的", "\0").replace("本人的", "\0")
    return text.replace("本人", "\1").replace("我", "\1").replace("\0", "其").replace("\1", who)


def _slots(r: random.Random, p: _Person, at: datetime, product: str | None) -> dict[str, Any]:
    principal = r.choice((3000, 5000, 8000, 10000, 12000, 15000, 20000, 30000, 50000)) + r.choice((0, 0, 500, 1000))
    term = r.choice((3, 6, 6, 12, 12, 12, 24, 36))
    apr = round(r.uniform(7.2, 23.9), 1)
    real_apr = round(r.uniform(28, 48), 1)
    monthly = principal * (1 + real_apr / 100 * term / 12) / term
    fee = r.choice((58, 99, 168, 236, 320, 480, 650, 880, 1200, 1560, 2380))
    paid = principal * r.uniform(0.8, 1.3)
    limit = r.choice((5000, 8000, 10000, 20000, 30000, 50000))
    return {
        "product": product or "信用贷", "amount": _money(principal), "term": term, "apr": apr, "real_apr": real_apr,
        "monthly": f"{monthly:,.0f}", "daily": round(r.uniform(0.04, 0.098), 3), "fee": _money(fee),
        "od": r.choice((3, 5, 7, 12, 15, 20, 31, 45, 60, 90, 120)), "n": r.randint(5, 40), "k": r.randint(3, 30),
        "contacts": r.choice(CONTACTS), "debtor_rel": r.choice(DEBTOR_REL), "late_hour": r.choice((21, 22, 23)),
        "date1": _fmt_md(at - timedelta(days=r.randint(2, 40))), "bank": r.choice(BANKS),
        "amount2": _money(r.choice((356, 498, 820, 1033, 1288, 1876, 2450))), "limit": f"{limit:,}",
        "limit2": f"{limit // r.choice((2, 4, 5, 10)):,}", "insurance": r.choice(INSURANCE), "member": r.choice(MEMBERS),
        "wait": r.choice((20, 30, 40, 60)), "police_no": f"{p.region[0][:4]}{at:%Y%m%d}{r.randrange(10 ** 5):05d}",
        "paid": _money(paid), "remain": _money(principal * r.uniform(0.3, 0.9)), "pct": r.choice((2, 3, 5)),
        "d": r.randint(1, 6), "staffno": "", "age": p.age(at.date()), "name": p.name,
    }


# ---- handling texts ------------------------------------------------------------------------------
REMEDIES_NFRA = ["如对本处理意见有异议，可自收到之日起30日内书面申请核查（投诉办法第二十条）",
                 "可向当地银行业保险业消费纠纷调解组织申请调解", "可依法申请仲裁或向人民法院提起诉讼"]
REMEDIES_PBOC = ["如对处理结果不满意，可向中国人民银行分支机构反映或向金融纠纷调解组织申请调解",
                 "可依法申请仲裁或向人民法院提起诉讼"]
BASIS = {
    "debt_collection": "《银行业保险业消费投诉处理管理办法》第十九条；《消费金融公司管理办法》关于催收管理的规定；"
                       "公司《贷后催收作业规范》及委外催收合作协议",
    "pricing_fees": "借款合同费用条款及借款页面年化利率披露；《消费金融公司管理办法》关于息费管理和信息披露的规定",
    "repayment": "借款合同还款条款；《非银行支付机构网络支付业务管理办法》；公司《扣款异常处理规程》",
    "credit_report": "《征信业管理条例》第二十五条（异议处理）；《征信业务管理办法》；借款合同征信授权条款",
    "personal_info": "《中华人民共和国个人信息保护法》第十三条、第四十七条；《中国人民银行金融消费者权益保护实施办法》",
    "marketing": "《中国人民银行金融消费者权益保护实施办法》关于营销宣传的规定；公司《营销宣传管理办法》",
    "service_attitude": "公司《客户服务规范》《服务质量考核办法》",
    "credit_limit": "借款合同额度管理条款；公司《授信额度管理办法》",
    "bundling": "《中国人民银行金融消费者权益保护实施办法》关于自主选择权的规定；借款合同及保险/权益服务协议",
    "fraud_victim": "借款合同；《中华人民共和国反电信网络诈骗法》；公司《反欺诈案件处理规程》",
    "other": "借款合同及公司相关业务规则",
}
OUTCOMES: dict[str, list[tuple[str, int, str, str]]] = {
    # result, weight, verification, reasons
    "debt_collection": [
        ("upheld", 4, "调取{d1}至{d2}期间催收通话录音{n}段及短信发送记录，核实委外催收机构作业人员存在高频拨打及向第三人透露债务信息的行为",
         "催收行为违反公司催收作业规范，投诉属实。已责令委外机构暂停该作业人员催收工作并按协议扣罚，已将投诉人及其联系人号码列入免打扰名单"),
        ("partially_upheld", 4, "调取催收录音{n}段，核实催收频次超出公司规定上限，未发现辱骂、威胁用语",
         "催收频次超标属实，已整改；投诉人所欠款项真实有效，仍需按约还款。已为其办理{term}期延期还款方案"),
        ("settled", 3, "与投诉人电话沟通并核对账户，确认逾期{od}天，投诉人有还款意愿",
         "经协商一致，减免罚息{fee}，剩余本息分{term}期偿还，催收暂停30日"),
        ("not_upheld", 1, "调取全部催收录音及外呼记录，催收频次、时段及用语均符合规范，未联系第三人",
         "未发现违规催收行为，投诉不成立；已向投诉人解释催收依据及协商还款渠道"),
    ],
    "pricing_fees": [
        ("not_upheld", 4, "核对借款合同、费用明细及还款计划表，借款页面及合同已明确展示年化利率（单利）{apr}%及各项费用",
         "收费与合同约定一致，综合年化成本未超过24%，已向投诉人逐项解释计算方式"),
        ("partially_upheld", 3, "核对费用明细，发现借款页面对服务费的提示不够显著",
         "信息披露存在不足，退还服务费{fee}，并已提交产品部门优化页面展示"),
        ("upheld", 2, "核对借款及还款记录，投诉人在冷静期内提前结清，系统未按规则免收息费",
         "系统规则配置错误，投诉属实，已全额退还多收息费{fee}并排查同类客户"),
        ("settled", 2, "与投诉人沟通提前还款需求，核对剩余本金及费用",
         "经协商，免收提前还款违约金，投诉人已按剩余本金结清"),
    ],
    "repayment": [
        ("upheld", 4, "核对支付通道流水，{d1}扣款因通道故障失败/重复扣款属实，涉及金额{amount2}",
         "因我司及支付通道原因造成，投诉属实。已退还款项并免除相应罚息，已提交征信更正"),
        ("partially_upheld", 2, "核对扣款及还款记录，扣款失败系银行卡状态异常所致，但我司提醒不到位",
         "免除本期罚息，提醒投诉人及时更新还款卡信息"),
        ("not_upheld", 1, "核对扣款指令与银行回单，扣款金额与账单一致，未发现重复扣款",
         "扣款正常，已向投诉人提供扣款明细"),
    ],
    "credit_report": [
        ("upheld", 3, "核对征信报送记录，结清信息因批量报送异常未及时更新",
         "投诉属实，已向征信中心报送更正信息并出具结清证明"),
        ("partially_upheld", 2, "核查逾期形成原因，系扣款失败与客户未及时还款共同导致",
         "对扣款失败部分报送更正，其余记录如实报送，已书面说明"),
        ("not_upheld", 2, "调取借款申请影像、人脸识别记录及放款流水，确认借款系本人申请",
         "征信记录如实报送，不予更正；已告知投诉人可向征信中心提出异议"),
        ("upheld", 1, "调取申请记录，发现申请设备及人脸比对存在冒用迹象，已报公安机关",
         "认定为冒名借款，已停止催收、注销借款并申请删除相关征信记录"),
    ],
    "personal_info": [
        ("not_upheld", 3, "核查数据访问日志及外部合作方数据共享记录，未发现投诉人信息对外提供",
         "未发现我司泄露个人信息，已提示投诉人注意防范诈骗"),
        ("partially_upheld", 2, "核查App权限调用记录，通讯录权限申请说明不够清晰",
         "已优化权限申请说明，投诉人可关闭通讯录权限正常使用；已删除已采集的通讯录信息"),
        ("upheld", 2, "核实催收作业人员向第三人发送了含投诉人身份信息的短信",
         "违反个人信息保护规定，投诉属实，已处理相关人员并通报委外机构"),
    ],
    "marketing": [
        ("upheld", 3, "核查营销短信发送记录，投诉人已于{d1}退订但仍在营销名单中",
         "退订未生效属实，已将号码加入营销免打扰名单并排查退订流程"),
        ("partially_upheld", 2, "核查营销话术，存在“免息”表述但未明示适用条件",
         "营销话术不规范，已下架相关话术并对营销人员培训"),
        ("not_upheld", 1, "核查营销记录，投诉人号码不在我司营销名单中，相关短信非我司发送",
         "非我司发送，已提示投诉人防范仿冒短信"),
    ],
    "service_attitude": [
        ("upheld", 3, "调取{d1}通话录音，客服人员存在语气生硬、提前挂断电话的情况",
         "服务态度问题属实，已对相关人员批评教育并纳入考核，已向投诉人致歉"),
        ("partially_upheld", 2, "调取排队及通话记录，高峰时段人工接通率偏低",
         "已增加高峰时段座席并安排专人回电解决投诉人问题"),
        ("not_upheld", 1, "调取通话录音，客服人员用语规范，已按流程解答",
         "未发现服务态度问题，已再次向投诉人解释"),
    ],
    "credit_limit": [
        ("not_upheld", 3, "核查额度调整记录，调整系依据综合风险评估结果，符合合同约定",
         "额度调整符合合同约定，已向投诉人说明可在3个月后重新申请评估"),
        ("partially_upheld", 2, "核查额度调整通知记录，系统未发送降额通知",
         "未及时告知属实，已补充告知并优化通知流程"),
        ("upheld", 1, "核查会员购买及提额记录，提额承诺与实际不符",
         "投诉属实，已全额退还会员费{fee}"),
    ],
    "bundling": [
        ("upheld", 3, "核查借款流程页面，保险/权益服务为默认勾选，未单独确认",
         "违反自主选择原则，投诉属实，已全额退还{fee}并取消服务，已整改页面"),
        ("settled", 2, "与投诉人沟通，核对服务开通记录及使用情况",
         "经协商，退还未使用期间费用并取消服务"),
        ("not_upheld", 1, "调取服务开通时的单独勾选及短信验证记录，系投诉人主动开通",
         "开通经投诉人单独确认，已告知取消路径"),
    ],
    "fraud_victim": [
        ("partially_upheld", 3, "核实借款为投诉人本人操作，资金被转至诈骗账户，已协助提供公安所需材料",
         "借款真实有效，但鉴于投诉人系诈骗受害人，减免罚息并提供延期还款安排"),
        ("upheld", 2, "经笔迹及人脸比对鉴定，借款非投诉人本人申请",
         "认定为冒名借款，已注销借款、停止催收并申请删除征信记录"),
        ("not_upheld", 1, "核查合作机构名单，所称“征信修复”公司与我司无任何合作",
         "我司不存在付费修复征信的服务，已提示投诉人向公安机关报案"),
    ],
    "other": [
        ("upheld", 2, "核查业务办理记录，处理时长超过公司承诺时限", "已加急办理并向投诉人致歉"),
        ("settled", 1, "与投诉人沟通并协助办理", "问题已解决，投诉人认可"),
    ],
}
TRANSFER_REASONS = {
    ("L1", "L2"): ["涉及征信异议，需专家岗核实报送数据", "客户要求协商还款方案，超出一线座席权限",
                   "涉及费用减免，需专家岗核算审批", "涉及多笔借款费用核算，转专家岗办理"],
    ("L1", "L3"): ["沟通中识别为老年客户，转用户关怀岗办理", "客户表示身患重病，转用户关怀岗办理"],
    ("L2", "L4"): ["客户扬言向媒体曝光，升级处理", "涉及委外催收机构批量违规，升级处理", "客户已向监管重复投诉，升级处理"],
    ("L3", "L4"): ["客户情绪激动，扬言起诉，升级处理"],
    ("L1", "L4"): ["客户扬言向媒体曝光，升级处理"],
}
PAUSE_NOTES = {
    "mediation": ["经双方同意，提交{city}金融消费纠纷调解中心调解（调解编号TJ{ts}）",
                  "投诉人同意由行业调解组织调解，已移送（调解编号TJ{ts}）"],
    "appraisal": ["委托司法鉴定机构对借款合同电子签名及人脸影像进行鉴定（委托编号JD{ts}）",
                  "委托司法鉴定机构对催收通话录音进行声纹鉴定（委托编号JD{ts}）"],
}
SATISFACTION_BY_RESULT = {
    "upheld": ((("satisfied", 70), ("basically_satisfied", 20), ("dissatisfied", 3), ("unreachable", 7))),
    "settled": ((("satisfied", 65), ("basically_satisfied", 25), ("dissatisfied", 3), ("unreachable", 7))),
    "partially_upheld": ((("satisfied", 40), ("basically_satisfied", 35), ("dissatisfied", 15), ("unreachable", 10))),
    "not_upheld": ((("satisfied", 20), ("basically_satisfied", 30), ("dissatisfied", 38), ("unreachable", 12))),
}
CALLBACK_NOTES = {"satisfied": "回访客户，对处理结果表示满意", "basically_satisfied": "回访客户，基本认可处理结果",
                  "dissatisfied": "回访客户，对处理结果不满意，已告知核查申请渠道",
                  "unreachable": "回访三次未接通，已发送短信告知"}
NOTICE_CHANNELS = (("phone", 35), ("sms", 30), ("app", 15), ("wechat", 6), ("email", 5), ("letter", 6),
                   ("in_person", 3))
REVIEW_UPHELD = ["经核查，原处理意见认定事实清楚、依据充分、程序合规，予以维持",
                 "经核查，投诉人未提出新的事实和证据，原处理意见予以维持"]
REVIEW_CHANGED = ["经核查，原处理意见对部分事实认定不充分，现予变更，并已重新向投诉人说明",
                  "经核查，原处理意见对减免范围认定过窄，变更为扩大减免范围，已重新告知投诉人"]
WITHDRAW_REASONS = ["投诉人来电表示问题已自行解决，申请撤回投诉（通话录音{ref}）", "投诉人在App内撤回投诉（操作流水{ref}）",
                    "投诉人与我司协商一致后书面撤回投诉（撤诉书{ref}）"]
EXTEND_REASONS = ["需调取委外催收机构全部通话录音逐一核实，情况复杂", "涉及征信数据更正，需与征信中心核对",
                  "涉及多笔借款及担保费用核算，处理难度大", "需合作方（支付通道/保险公司）出具核查结果",
                  "涉及疑似冒名借款，需等待公安机关调查结论"]

# ---- channels ------------------------------------------------------------------------------------
CHANNEL_WEIGHTS = (("hotline", 36), ("app", 27), ("wechat", 9), ("internet_platform", 8), ("email", 4),
                   ("letter", 3), ("branch", 3), ("regulator_12378", 4), ("regulator_12363", 2.5))
EXT_PREFIX = {"hotline": "HL", "app": "APP", "wechat": "WX", "internet_platform": "HM", "email": "EM", "letter": "XH",
              "branch": "WD", "regulator_12378": "JR12378-", "regulator_12363": "RH12363-"}


def _time_of_day(r: random.Random, channel: str, day: date) -> datetime:
    """Hotline in service hours, online channels around the clock, regulators and letters on office days."""
    if channel in ("app", "wechat", "internet_platform", "email"):
        hour = r.choices(range(24), weights=[1, 1, 1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 8, 8, 8, 8, 8, 7, 7, 8, 9, 9, 7, 4])[0]
    elif channel == "hotline":
        hour = r.choices(range(8, 21), weights=[3, 8, 10, 9, 6, 7, 9, 9, 8, 6, 5, 4, 3])[0]
    else:
        while day.weekday() >= 5:
            day -= timedelta(days=1 if r.random() < 0.5 else 2) if day.weekday() == 6 else timedelta(days=1)
        hour = r.randint(9, 16)
    return datetime.combine(day, time(hour, r.randrange(60), r.randrange(60)))


# ---- generation ----------------------------------------------------------------------------------
@dataclass
class _Plan:
    """Everything the lifecycle script of one complaint needs to know besides its row."""

    seed: int
    category: str
    city: str = "郑州市"  # where the complainant lives (for the mediation body)
    agency: bool = False  # filed by a proxy "rights-defence" agency
    refuse: bool = False


@dataclass
class _Record:
    at: datetime
    channel: str
    raw: dict[str, Any]
    plan: _Plan


def _make_record(r: random.Random, p: _Person, at: datetime, channel: str, category: str, *,
                 repeat_of: tuple[datetime, str] | None, agent: _Person | None, agent_kind: str | None,
                 agency: str | None = None) -> dict[str, Any]:
    """One intake row. agent_kind: relative (for an elderly parent), lawyer, or agency (代理维权)."""
    product = _weighted(r, PRODUCTS) if category not in ("marketing",) or r.random() < 0.5 else None
    slots = _slots(r, p, at, product)
    flags: list[str] = []
    respondent_branch, staff_ids = "客户服务中心", []
    if category == "debt_collection":
        respondent_branch = r.choice(("贷后管理部", "委外催收机构（某信息咨询有限公司）", "委外催收机构（某商务服务有限公司）"))
        if r.random() < 0.6:
            staff_ids = [f"WB{r.randrange(1000, 9999)}"]
    elif category == "marketing":
        respondent_branch = "营销中心"
    elif category in ("pricing_fees", "bundling", "credit_limit"):
        respondent_branch = "产品运营部"
    elif category == "service_attitude":
        staff = r.choice(("S001", "S002", "S003", "S001", f"S{r.randint(100, 399)}", f"S{r.randint(100, 399)}"))
        slots["staffno"] = staff
        staff_ids = [staff]
    elif category == "credit_report":
        respondent_branch = "征信管理岗"

    if agent_kind == "agency":
        text = PROXY_TEXTS.get(agency, PROXY_TEXT).format(name=p.name, agency=agency,
                                                          hardship=r.choice(PROXY_HARDSHIPS))
        request = "停息挂账，本金分60期偿还；减免全部罚息及费用；消除征信不良记录"
    else:
        facts, requests = r.choice(TEMPLATES[category])
        text = facts.format(**slots)
        request = r.choice(requests).format(**slots)
        age = p.age(at.date())
        if age >= 60:
            if r.random() < 0.85:
                flags.append("elderly")
            if r.random() < 0.6:
                text = f"本人今年{age}岁，不太会用智能手机。" + text
        if p.vulnerable:
            flags.append("vulnerable")
            text += f"我目前{p.vulnerable}，" + ("实在没有能力一次性还款。" if category in HARDSHIP_ABOUT_DEBT
                                                 else "希望贵司尽快处理。")
        threat_p = 0.15 if repeat_of else 0.03
        if r.random() < threat_p:
            threat = _weighted(r, (("media_threat", 5), ("regulator_threat", 0 if channel.startswith("regulator_") else 3),
                                   ("litigation_threat", 2)))
            flags.append(threat)
            text += THREATS[threat]
        if repeat_of:
            prev_at, prev_channel = repeat_of
            text = (f"我在{_fmt_md(prev_at)}已经通过{prev_channel}投诉过一次，到现在还没有解决，再次投诉。" + text)
        text = _voice(r, text + r.choice(("诉求：", "我的诉求是：", "", "希望：", "请求：")) + request + "。")

    raw: dict[str, Any] = {
        "channel": channel, "received_at": at.strftime("%Y-%m-%d %H:%M:%S"),
        "customer_name": p.name, "customer_phone": p.phone, "customer_id_number": p.id_number,
        "customer_no": p.customer_no, "respondent_institution": DEMO_INSTITUTION,
        "respondent_branch": respondent_branch, "respondent_staff_ids": staff_ids, "product": product,
        "category": category, "flags": flags, "request": request,
    }
    if channel in ("letter", "branch") or r.random() < 0.15:
        raw["contact_address"] = p.address
    if p.email and (channel == "email" or r.random() < 0.2):
        raw["email"] = p.email
    regulator = {"regulator_12378": "国家金融监督管理总局12378热线转办：",
                 "regulator_12363": "中国人民银行12363热线转办："}.get(channel)
    if agent_kind == "agency":
        a = agent  # the agency's staffer, the same few across many filings
        raw.update(agent_name=a.name, agent_phone=a.phone, agent_id_number=a.id_number, agent_relation="other",
                   power_of_attorney=f"WT{at:%Y%m%d}{r.randrange(10 ** 4):04d}", poa_scope="代为投诉、协商还款",
                   poa_valid_until=(at.date() + timedelta(days=365)).isoformat())
    elif agent_kind == "relative":
        rel = "儿子" if agent.male else "女儿"
        parent = "父亲" if p.male else "母亲"
        if regulator:
            text = f"{regulator}消费者{p.surname}某的{rel}代为反映，" + _third_person(text, "其" + parent)
        else:
            text = (f"我是投诉人{p.name}的{rel}，老人年纪大了不会操作手机，受其委托代为投诉。"
                    + _third_person(text, "我" + parent))
        raw.update(agent_name=agent.name, agent_phone=agent.phone, agent_id_number=agent.id_number,
                   agent_relation="relative",
                   power_of_attorney=f"WT{at:%Y%m%d}{r.randrange(10 ** 4):04d}", poa_scope="代为投诉及接收处理意见",
                   poa_valid_until=(at.date() + timedelta(days=180)).isoformat())
    elif agent_kind == "lawyer":
        firm = LAW_FIRMS[int(agent.id_number[-2]) % len(LAW_FIRMS)]
        lead = (f"{regulator}{firm}{agent.surname}律师受消费者{p.surname}某委托反映，" if regulator
                else f"{firm}律师{agent.name}受{p.name}委托，就以下事项提出投诉：")
        text = lead + _third_person(text, "委托人")
        raw.update(agent_name=agent.name, agent_phone=agent.phone, agent_id_number=agent.id_number,
                   agent_relation="lawyer", power_of_attorney=f"LS{at:%Y%m%d}{r.randrange(10 ** 4):04d}",
                   poa_scope="特别授权：代为投诉、调解、和解",
                   poa_valid_until=(at.date() + timedelta(days=365)).isoformat())
    elif regulator:
        text = f"{regulator}消费者{p.surname}某反映，" + _third_person(text, "其")

    if channel == "internet_platform":
        text = (f"【投诉对象】{DEMO_INSTITUTION}【投诉问题】{SHORT[category]}【投诉要求】{request}"
                f"【涉诉金额】{slots['amount']}【详细描述】" + text)
    elif channel == "letter":
        text = "尊敬的贵公司领导：" + text + "此致 敬礼！"
    elif channel == "email":
        text = "您好！" + text + "盼复。"
    raw["text"] = text
    return raw


def _generate(n: int, rng: random.Random, start: datetime, end: datetime) -> list[_Record]:
    today = end.date()
    days = [(start + timedelta(days=i)).date() for i in range((end - start).days + 1)]
    day_w = []
    for i, d in enumerate(days):
        w = (0.72 if d.weekday() == 5 else 0.62 if d.weekday() == 6 else 1.0) * (0.85 + 0.3 * i / len(days))
        day_w.append(w * rng.uniform(0.75, 1.25))
    latest = end - timedelta(minutes=5)
    records: list[_Record] = []
    proxy_staff = [_person(rng, today) for _ in PROXY_AGENCIES]
    n_agency = max(12, n // 80)  # ≥ 4 filings per agency, so even a small demo shows its gangs

    def add(at: datetime, channel: str, category: str, p: _Person, repeat_of, agent: _Person | None,
            agent_kind: str | None, *, agency: str | None = None, refuse: bool = False) -> None:
        raw = _make_record(rng, p, at, channel, category, repeat_of=repeat_of, agent=agent, agent_kind=agent_kind,
                           agency=agency)
        records.append(_Record(at, channel, raw, _Plan(rng.getrandbits(48), category, p.region[2], bool(agency),
                                                       refuse)))

    # Proxy-agency filings: template text, same few agency staff, mostly refused after verification.
    for i in range(n_agency):
        at = start + (end - start) * rng.uniform(0.05, 0.97)
        at = min(at, end - timedelta(days=3))
        k = i % len(PROXY_AGENCIES)
        channel = rng.choice(("hotline", "email", "letter"))
        add(_time_of_day(rng, channel, at.date()), channel, "debt_collection", _person(rng, today), None,
            proxy_staff[k], "agency", agency=PROXY_AGENCIES[k], refuse=i % 3 != 2)

    # A few filed online in the last hours: still waiting in the intake queue.
    for _ in range(max(2, n // 400)):
        channel = rng.choice(("app", "app", "wechat", "internet_platform"))
        at = (end - timedelta(minutes=rng.uniform(10, 180))).replace(microsecond=0)
        add(max(at, start), channel, _weighted(rng, CATEGORIES), _person(rng, today), None, None, None)

    while len(records) < n:
        elderly = rng.random() < 0.07
        p = _person(rng, today, elderly=elderly)
        size = _weighted(rng, ((1, 80), (2, 13), (3, 4), (4, 1.5), (5, 1), (6, 0.5)))
        day = rng.choices(days, weights=day_w)[0]
        channel = _weighted(rng, CHANNEL_WEIGHTS)
        at = _time_of_day(rng, channel, day)
        category = _weighted(rng, PBOC_CATEGORIES if channel == "regulator_12363" else CATEGORIES)
        agent, agent_kind = None, None
        if elderly and rng.random() < 0.5:  # a son or daughter files for an elderly parent
            agent, agent_kind = _person(rng, today), "relative"
            agent.name, agent.surname = _name(rng, agent.male, p.surname)
        elif rng.random() < 0.025:
            agent, agent_kind = _person(rng, today), "lawyer"
        prev = None
        for j in range(size):
            if j:
                gap = rng.uniform(1, 12) if rng.random() < 0.8 else rng.uniform(20, 75)
                channel = _weighted(rng, (("hotline", 30), ("app", 20), (channel, 25), ("regulator_12378", 8),
                                          ("regulator_12363", 3), ("internet_platform", 8)))
                at = _time_of_day(rng, channel, (prev[0] + timedelta(days=gap)).date())
                if rng.random() < 0.2:
                    category = _weighted(rng, CATEGORIES)
                if channel == "regulator_12363" and category not in [c for c, _w in PBOC_CATEGORIES]:
                    channel = "regulator_12378"  # the central bank's line takes credit-report, payment and data cases
            if at > latest or at < start:
                break
            name_zh = {"hotline": "客服热线", "app": "App", "wechat": "微信公众号", "internet_platform": "网络投诉平台",
                       "email": "电子邮件", "letter": "信函", "branch": "线下网点", "regulator_12378": "12378热线",
                       "regulator_12363": "12363热线"}
            add(at, channel, category, p, (prev[0], name_zh[prev[1]]) if prev else None, agent, agent_kind)
            prev = (at, channel)
            if len(records) >= n:
                break
    records.sort(key=lambda x: x.at)
    # Ticket numbers in receipt order, per channel and day, the way source systems number them.
    seq: dict[tuple[str, date], int] = {}
    for rec in records:
        key = (rec.channel, rec.at.date())
        seq[key] = seq.get(key, 0) + 1
        ext = f"{EXT_PREFIX[rec.channel]}{rec.at:%Y%m%d}{seq[key]:04d}"
        rec.raw["external_id"] = ext
        if rec.channel.startswith("regulator_"):
            kind = "金管投诉" if rec.channel.endswith("12378") else "人行转办"
            rec.raw["regulator_ref"] = f"{kind}〔{rec.at:%Y}〕{rec.at:%m%d}{seq[key]:03d}号"
    return records


# ---- simulation ----------------------------------------------------------------------------------
class _Sim:
    def __init__(self, ctx: Context, end: datetime, actors: dict[str, Actor]):
        self.ctx = ctx
        self.end = end
        self.clock = end
        self.actors = actors
        self.state: dict[int, Complaint] = {}
        self.heap: list[tuple[datetime, int, Iterator[datetime]]] = []
        self.n = 0
        self.actions: dict[str, int] = {}
        self.refused: list[str] = []  # domain refusals met (should stay empty; kept for the summary)
        self.imports = 0
        self.imported = 0

    # scheduling
    def at(self, when: datetime, gen: Iterator[datetime]) -> None:
        heapq.heappush(self.heap, (when, self.n, gen))
        self.n += 1

    def run(self) -> None:
        while self.heap:
            when, _, gen = heapq.heappop(self.heap)
            if when > self.end:
                break  # the rest has not happened yet
            self.clock = when
            try:
                nxt = next(gen)
            except StopIteration:
                continue
            self.at(max(nxt, when), gen)

    # time helpers
    def work(self, t: datetime, r: random.Random) -> datetime:
        """Staff act between 08:30 and 20:30."""
        t = t.replace(microsecond=0)
        if t.time() < time(8, 30):
            return datetime.combine(t.date(), time(8, 30)) + timedelta(minutes=r.randrange(0, 90))
        if t.time() > time(20, 30):
            return datetime.combine(t.date() + timedelta(days=1), time(8, 30)) + timedelta(minutes=r.randrange(0, 90))
        return t

    def later(self, r: random.Random, lo_h: float, hi_h: float) -> datetime:
        return self.work(self.clock + timedelta(hours=r.uniform(lo_h, hi_h)), r)

    # service calls
    def call(self, fn: Callable[..., Complaint], cid: int, *args, **kw) -> Complaint | None:
        try:
            c = fn(self.ctx, cid, *args, **kw)
        except DomainError as e:
            self.refused.append(f"#{cid} {fn.__name__}: {e.message}")
            return None
        self.actions[fn.__name__] = self.actions.get(fn.__name__, 0) + 1
        if fn is not H.merge:
            self.state[cid] = c
        return c

    def label_if_asked(self, cid: int, category: str, me: Actor, r: random.Random) -> None:
        """Most handlers, once they know what a complaint is about, label the ones the classifier left to a
        person (the corrections a model is later trained on); some leave it for the labelling queue."""
        from xiaobao.services.classify import classification

        if r.random() >= 0.6:
            return
        try:
            if not classification.prediction(self.ctx, cid)["needs_person"]:
                return
            classification.correct(self.ctx, cid, me, category=category, reason="办理中核实诉求后标注类别")
        except DomainError as e:
            self.refused.append(f"#{cid} classify.correct: {e.message}")
            return
        self.actions["classify.correct"] = self.actions.get("classify.correct", 0) + 1

    def status(self, cid: int) -> Status:
        return Status(self.state[cid].status)

    def pick(self, c: Complaint, r: random.Random, exclude: tuple[str, ...] = ()) -> str:
        staff = set(c.respondent.get("staff_ids") or [])
        members = [(u, w) for u, w in TEAM_MEMBERS.get(c.team or "frontline", TEAM_MEMBERS["frontline"])
                   if u not in exclude and u not in staff and self.actors[u].staff_id not in staff]
        if not members:
            members = [(u, w) for u, w in TEAM_MEMBERS["escalation"] if u not in exclude]
        return _weighted(r, members)

    # imports
    def importer(self, slots: list[tuple[datetime, list[_Record]]], workdir: Path) -> Iterator[datetime]:
        for k, (slot, recs) in enumerate(slots):
            path = workdir / f"demo-{slot:%Y%m%d-%H%M}.jsonl"
            with path.open("w", encoding="utf-8") as f:
                for rec in recs:
                    f.write(json.dumps(rec.raw, ensure_ascii=False) + "\n")
            report = import_file(self.ctx, path, actor=IMPORT_ACTOR)
            if report.errors:
                raise RuntimeError(f"demo data failed validation: {report.errors[:5]}")
            self.imports += 1
            self.imported += report.inserted
            plans = {(rec.channel, rec.raw["external_id"]): rec.plan for rec in recs}
            with self.ctx.store.uow(write=False) as uow:
                loaded = uow.complaints.by_keys([(rec.channel, rec.raw["external_id"]) for rec in recs])
            for c in loaded:
                self.state[c.id] = c
                plan = plans[(c.channel, c.external_id)]
                r = random.Random(plan.seed)
                gen = self.life(c.id, plan, r)
                self.at(self.work(self.clock + timedelta(hours=r.uniform(0.1, 4)), r), gen)
            if k + 1 < len(slots):
                yield slots[k + 1][0]

    # one complaint's life
    def life(self, cid: int, plan: _Plan, r: random.Random) -> Iterator[datetime]:
        A = self.actors
        sup = A[DISPATCHER]
        c = self.state[cid]

        def ref(prefix: str) -> str:  # a document / record number dated today
            return f"{prefix}{self.clock:%Y%m%d}{r.randrange(10 ** 6):06d}"

        if plan.refuse:
            who = A[self.pick(c, r)]
            self.call(H.refuse, cid, who, notice_proof=ref("SMS"),
                      reason="经向消费者本人电话核实，其未签署授权委托书，亦未委托该机构代为投诉；提起人不是消费者本人或其"
                             "合法授权的代理人，依据投诉办法第十八条第四款不予受理。已告知提起人，并引导消费者本人直接提出诉求")
            return

        # A repeat within the first complaint's period: the expert merges it into the first.
        if c.repeat_of_id and c.repeat_of_id in self.state and r.random() < 0.6:
            parent = self.state[c.repeat_of_id]
            if Status(parent.status) in (Status.RECEIVED, Status.ACCEPTED, Status.IN_PROGRESS) and (
                    parent.due_date is None or c.received_at.date() <= parent.due_date):
                new_facts = Status(parent.status) != Status.RECEIVED and r.random() < 0.3
                who = A[self.pick(c, r)]
                note = (f"处理期内重复投诉，合并至 #{parent.id} 办理" +
                        ("；本次投诉补充了新的扣款/通话记录，原投诉处理期限重新计算" if new_facts else ""))
                p = self.call(H.merge, cid, parent.id, who, new_facts=new_facts, note=note)
                if p is not None:
                    self.state[parent.id] = p
                    return

        assignee = self.pick(c, r)
        self.call(H.assign, cid, sup, assignee, reason=f"按分层路由派单至{TEAM_ZH.get(c.team, c.team)}")
        me = A[assignee]
        yield self.later(r, 0.05, 2.5)
        if r.random() < 0.6:  # otherwise the handler starts at once (受理 and 处理 in one step)
            self.call(H.accept, cid, me, note=r.choice(("已受理，已告知投诉人处理时限", "已受理", "已受理并短信告知受理编号")))
            yield self.later(r, 20, 70) if r.random() < 0.12 else self.later(r, 0.1, 16)
        self.call(H.start, cid, me, note="" if Status(self.state[cid].status) == Status.ACCEPTED else "受理并开始处理")

        # Tier transfers as the facts come out.
        for tier, team, reason in self.transfer_plan(self.state[cid], r):
            yield self.work(self.clock + timedelta(days=r.uniform(0.3, 2.5)), r)
            if self.status(cid) not in (Status.ACCEPTED, Status.IN_PROGRESS):
                break
            if self.call(H.transfer, cid, me, tier=tier, team=team, reason=reason) is None:
                break
            yield self.later(r, 0.2, 5)
            assignee = self.pick(self.state[cid], r)
            self.call(H.assign, cid, sup, assignee, reason=f"转派后分派至{TEAM_ZH.get(team, team)}")
            me = A[assignee]

        withdraw = r.random() < 0.025
        pause = r.random() < (0.12 if plan.category in ("fraud_victim", "credit_report") else 0.05)
        extend = 0 if r.random() > 0.1 else (2 if r.random() < 0.3 else 1)
        slow = extend == 0 and r.random() < 0.035

        if pause:
            c = self.state[cid]
            t = self.work(self.clock + timedelta(days=r.uniform(0.5, 5)), r)
            if c.due_date is not None and t.date() > c.due_date:
                t = max(self.clock, datetime.combine(c.due_date, time(10)))
            if c.due_date is None or t.date() <= c.due_date:
                yield t
                reason = "appraisal" if plan.category in ("fraud_victim", "credit_report") and r.random() < 0.6 \
                    else "mediation"
                notes = PAUSE_NOTES[reason]
                if reason == "appraisal":
                    notes = notes[1:] if plan.category == "debt_collection" else notes[:1]
                note = r.choice(notes).format(city=plan.city, ts=f"{self.clock:%Y%m%d}{r.randrange(1000):03d}")
                if self.status(cid) in (Status.ACCEPTED, Status.IN_PROGRESS) and \
                        self.call(H.pause, cid, me, reason, notice_proof=f"TZ{cid:05d}-{reason[:3].upper()}", note=note) is not None:
                    yield self.work(self.clock + timedelta(days=r.uniform(4, 28)), r)
                    if self.status(cid) == Status.PAUSED:
                        if reason == "mediation" and r.random() < 0.3:
                            self.call(H.withdraw, cid, me, reason=f"调解达成一致，投诉人书面撤回投诉（调解协议{ref('TJXY')}）")
                            return
                        self.call(H.resume, cid, me, note="调解未达成一致，恢复计时" if reason == "mediation"
                                  else "鉴定意见已出具，恢复计时")

        if withdraw:
            yield self.work(self.clock + timedelta(days=r.uniform(0.3, 6)), r)
            if self.status(cid) in OPEN:
                self.call(H.withdraw, cid, me, reason=r.choice(WITHDRAW_REASONS).format(ref=ref("REC")))
                return

        for _ in range(extend):
            c = self.state[cid]
            if c.due_date is None or self.clock.date() > c.due_date:
                break
            t = datetime.combine(c.due_date - timedelta(days=r.randint(0, 3)), time(r.randint(9, 17), r.randrange(60)))
            yield max(t, self.clock + timedelta(minutes=10))
            if not self.extend(cid, me, r, ref):
                break

        # The decision.
        c = self.state[cid]
        if Status(c.status) not in (Status.ACCEPTED, Status.IN_PROGRESS):
            return
        due = c.due_date or self.clock.date()
        cap = datetime.combine(due, time(17, 30))
        if slow:
            target = cap + timedelta(days=r.uniform(1, 40))
        elif c.clock_level > 0:
            room = max(0.5, (cap - self.clock).total_seconds() / 86400 - 0.5)
            target = self.clock + timedelta(days=r.uniform(min(2.0, room), room))
        else:
            target = c.received_at + timedelta(days=r.triangular(1.2, 13.5, 4.5) if not c.regulator else r.uniform(2, 10))
            if target > cap:
                target = cap - timedelta(hours=r.uniform(1, 30))
        target = max(target, self.clock + timedelta(hours=r.uniform(0.5, 3)))
        yield self.work(target, r)
        if self.status(cid) not in (Status.ACCEPTED, Status.IN_PROGRESS):
            return
        self.label_if_asked(cid, plan.category, me, r)
        result, verification, reasons = self.outcome(self.state[cid], plan, r)
        remedies = list(REMEDIES_PBOC if c.clock_policy == "pboc_forwarded" else REMEDIES_NFRA)
        if self.call(H.decide, cid, me, result=result, reasons=reasons, basis=BASIS[plan.category],
                     verification=verification, remedies=remedies) is None:
            return

        # Notice of the decision, normally at once, now and then only near (or after) the due date.
        c = self.state[cid]
        due = c.due_date or self.clock.date()
        late = r.random() < 0.02
        if late:
            t = datetime.combine(due, time(15)) + timedelta(days=r.uniform(-2, 4))
        else:
            t = self.clock + timedelta(hours=r.uniform(0.2, 26))
            if not slow:
                t = min(t, datetime.combine(due, time(20)))
        yield self.work(max(t, self.clock + timedelta(minutes=15)), r)
        channel = _weighted(r, NOTICE_CHANNELS)
        if c.channel == "letter" and r.random() < 0.7:
            channel = "letter"
        proofs = {"phone": ("告知录音", "REC"), "sms": ("短信发送记录", "SMS"), "app": ("App站内信", "MSG"),
                  "wechat": ("公众号消息记录", "WXM"), "email": ("邮件发送回执", "EML"), "letter": ("EMS邮件号", "1"),
                  "in_person": ("面谈记录签字确认", "MT")}
        label, prefix = proofs[channel]
        proof = f"{label} {prefix}{r.randrange(10 ** 11, 10 ** 12)}" if channel == "letter" else f"{label} {ref(prefix)}"
        if self.call(H.notify, cid, me, channel=channel, proof=proof) is None:
            return
        notified = self.clock

        # Callback and closing.
        satisfaction = None
        if r.random() < 0.82:
            yield self.work(self.clock + timedelta(days=r.uniform(0.5, 5)), r)
            caller = A[r.choice(("agent1", "agent2", "agent3"))] if me.team == "frontline" or r.random() < 0.5 else me
            satisfaction = _weighted(r, SATISFACTION_BY_RESULT[result])
            self.call(H.record_callback, cid, caller, satisfaction=satisfaction, note=CALLBACK_NOTES[satisfaction])
            yield self.later(r, 0.1, 6)
        else:
            yield self.work(self.clock + timedelta(days=r.uniform(2, 8)), r)
        self.call(H.close, cid, me, note="处理意见已告知，办结" if satisfaction != "dissatisfied"
                  else "处理意见已告知，客户仍有异议，已告知核查渠道，办结")

        # 核查: a written request within 30 days of the notice, decided by someone other than the decider.
        if c.clock_policy == "pboc_forwarded":
            return
        if r.random() < (0.3 if satisfaction == "dissatisfied" else 0.006):
            yield self.work(max(self.clock, notified + timedelta(days=r.uniform(2, 24))), r)
            registrar = A[r.choice(("agent1", "agent2", "agent3"))]
            if self.call(H.request_review, cid, registrar, written_ref=ref("HC")) is None:
                return
            decider = self.state[cid].decision["by"]
            reviewer = r.choice([u for u in ("supervisor1", "compliance1") if u != decider])
            yield self.later(r, 0.5, 20)
            self.call(H.assign, cid, sup, reviewer, reason="核查申请，指定核查人（与原处理人不同）")
            span = r.uniform(4, 27) if r.random() < 0.9 else r.uniform(31, 36)
            yield self.work(self.clock + timedelta(days=span), r)
            changed = r.random() < 0.25
            self.call(H.decide_review, cid, A[reviewer], outcome="changed" if changed else "upheld_original",
                      reasons=r.choice(REVIEW_CHANGED if changed else REVIEW_UPHELD))

    def fill_gaps(self, r: random.Random) -> None:
        """Small datasets or an unlucky hour can leave a status unseen; show each one with a last action now."""
        self.clock = self.end
        today = self.end.date()

        def latest(status: Status, ok: Callable[[Complaint], bool] = lambda c: True, keep: int = 1) -> Complaint | None:
            """The newest complaint in `status` passing `ok`, if taking it still leaves `keep` in that status."""
            with self.ctx.store.uow(write=False) as uow:
                items, total = uow.complaints.find(ComplaintQuery(status=[str(status)], today=today, limit=50))
            if total <= keep:
                return None
            return next((c for c in items if ok(c)), None)

        def have(status: Status) -> bool:
            with self.ctx.store.uow(write=False) as uow:
                return uow.complaints.count_by("status").get(str(status), 0) > 0

        def handler(c: Complaint) -> Actor:
            return self.actors[c.assignee] if c.assignee in self.actors else self.actors[self.pick(c, r)]

        sup = self.actors[DISPATCHER]
        if not have(Status.NOTIFIED) and (c := latest(Status.DECIDED)):
            self.call(H.notify, c.id, handler(c), channel="phone", proof=f"告知录音 REC{today:%Y%m%d}{c.id:06d}")
        if not have(Status.DECIDED) and (c := latest(Status.IN_PROGRESS, keep=2)):
            result, verification, reasons = self.outcome(c, _Plan(0, c.category or "other"), r)
            self.call(H.decide, c.id, handler(c), result=result, reasons=reasons,
                      basis=BASIS.get(c.category or "other", BASIS["other"]), verification=verification,
                      remedies=list(REMEDIES_PBOC if c.clock_policy == "pboc_forwarded" else REMEDIES_NFRA))
        if not have(Status.PAUSED) and (c := latest(Status.IN_PROGRESS, lambda c: c.due_date and c.due_date >= today,
                                                     keep=2)):
            self.call(H.pause, c.id, handler(c), "mediation", notice_proof=f"TY{c.id:05d}", note=f"经双方同意，提交金融消费纠纷调解组织调解（调解编号TJ{today:%Y%m%d}{c.id:03d}）")
        if not have(Status.ACCEPTED) and (c := latest(Status.RECEIVED)):
            if c.assignee is None:
                self.call(H.assign, c.id, sup, self.pick(c, r), reason=f"按分层路由派单至{TEAM_ZH.get(c.team, c.team)}")
            self.call(H.accept, c.id, handler(self.state.get(c.id, c)), note="已受理")
        if not have(Status.IN_REVIEW):
            window = today - timedelta(days=25)
            c = latest(Status.CLOSED, lambda c: c.clock_policy != "pboc_forwarded" and c.notified_at is not None
                       and c.notified_at.date() >= window)
            if c is not None:
                self.call(H.request_review, c.id, self.actors["agent1"], written_ref=f"HC{today:%Y%m%d}{c.id:06d}")

    def transfer_plan(self, c: Complaint, r: random.Random) -> list[tuple[str, str, str]]:
        tier, out = str(c.tier), []
        if tier == "L1":
            x = r.random()
            if x < 0.12:
                out.append(("L2", "collection_expert" if c.category == "debt_collection" else "expert",
                            r.choice(TRANSFER_REASONS[("L1", "L2")])))
                if r.random() < 0.15:
                    out.append(("L4", "escalation", r.choice(TRANSFER_REASONS[("L2", "L4")])))
            elif x < 0.14:
                out.append(("L3", "care", r.choice(TRANSFER_REASONS[("L1", "L3")])))
            elif x < 0.15:
                out.append(("L4", "escalation", r.choice(TRANSFER_REASONS[("L1", "L4")])))
        elif tier == "L2" and r.random() < 0.07:
            out.append(("L4", "escalation", r.choice(TRANSFER_REASONS[("L2", "L4")])))
        elif tier == "L3" and r.random() < 0.04:
            out.append(("L4", "escalation", r.choice(TRANSFER_REASONS[("L3", "L4")])))
        return out

    def extend(self, cid: int, me: Actor, r: random.Random, ref: Callable[[str], str]) -> bool:
        c = self.state[cid]
        if self.status(cid) not in (Status.ACCEPTED, Status.IN_PROGRESS):
            return False
        if c.due_date is None or self.clock.date() > c.due_date:
            return False  # a merge with new facts may have restarted the clock meanwhile
        policy = self.ctx.rules.regime.policy(c.clock_policy)
        level = c.clock_level + 1
        if level >= len(policy.stages):
            return False
        stage = policy.stage(level)
        kw: dict[str, Any] = {}
        reason = r.choice(EXTEND_REASONS)
        if stage.requires_approver:
            kw["approver"] = r.choice([u for u in ("supervisor1", "compliance1") if u != me.username])
            reason = f"特别复杂：{reason}，经{self.actors[kw['approver']].display_name}审批延长至{stage.days}日"
        else:
            reason = f"情况复杂、处理难度大：{reason}，延长至{stage.days}日"
        if stage.requires_notice:
            kw["notice_proof"] = f"延期告知{r.choice(('录音 ' + ref('REC'), '短信 ' + ref('SMS')))}"
        return self.call(H.extend, cid, me, reason=reason, **kw) is not None

    def outcome(self, c: Complaint, plan: _Plan, r: random.Random) -> tuple[str, str, str]:
        if plan.agency:
            return ("partially_upheld", "核实委托关系有效；调取催收录音及费用明细，催收频次超标，费用计算与合同一致",
                    ("对催收频次超标问题已整改；停息挂账、减免全部费用的诉求无合同及法律依据，不予支持；"
                    "可为消费者本人办理个性化分期，请消费者本人联系我司"))
        options = OUTCOMES[plan.category]
        result, _w, verification, reasons = options[r.choices(range(len(options)), weights=[o[1] for o in options])[0]]
        d2 = c.received_at.date() - timedelta(days=r.randint(0, 3))
        slots = {"d1": _fmt_md(d2 - timedelta(days=r.randint(5, 40))), "d2": _fmt_md(d2), "n": r.randint(3, 24),
                 "term": r.choice((3, 6, 12)), "od": r.randint(3, 90), "apr": round(r.uniform(9.9, 23.9), 1),
                 "fee": _money(r.choice((99, 168, 320, 480, 880, 1200))),
                 "amount2": _money(r.choice((356, 498, 820, 1033, 1288)))}
        return result, verification.format(**slots), reasons.format(**slots)


def _slots_for_import(records: list[_Record], end: datetime) -> list[tuple[datetime, list[_Record]]]:
    """Channel systems sync twice a day (12:00 and 21:00), and once more at the end."""
    out: dict[datetime, list[_Record]] = {}
    for rec in records:
        d = rec.at.date()
        if rec.at.time() < time(12):
            slot = datetime.combine(d, time(12))
        elif rec.at.time() < time(21):
            slot = datetime.combine(d, time(21))
        else:
            slot = datetime.combine(d + timedelta(days=1), time(12))
        out.setdefault(min(slot, end), []).append(rec)
    return sorted(out.items(), key=lambda kv: kv[0])


def _create_users(ctx: Context) -> dict[str, Actor]:
    actors = {}
    for username, role, display, team, staff in DEMO_USERS:
        create_user(ctx, username=username, password=DEMO_PASSWORD, role=role, display_name=display, team=team,
                    staff_id=staff, by="system" if username == "admin" else "admin")
        actors[username] = Actor(username, Role(role), staff, team, display)
    return actors


def load_demo(ctx: Context, *, complaints: int = 2400, seed: int = 20261121) -> dict:
    """Fill an empty database with demo users and `complaints` complaints over the six months to `ctx.now()`.

    Raises `Conflict` if the database already holds users or complaints. `ctx.now` is replaced while the
    history is replayed and restored afterwards. Returns counts: users, complaints, imports, actions
    (service calls made), refused_actions (domain refusals met; 0 expected), by_status, by_tier,
    by_channel, overdue, due_within_3_days, review_overdue and seconds taken.
    """
    started = _time.perf_counter()
    with ctx.store.uow(write=False) as uow:
        if uow.users.all() or uow.complaints.count_by("status"):
            raise Conflict("演示数据只能加载到空数据库（已存在用户或投诉）")
    end = ctx.now().replace(microsecond=0)
    start = end - timedelta(days=182)
    rng = random.Random(seed)
    records = _generate(complaints, rng, start, end)

    original_now = ctx.now
    sim = _Sim(ctx, end, {})
    ctx.now = lambda: sim.clock
    try:
        sim.clock = start - timedelta(days=14) + timedelta(hours=10)
        sim.actors = _create_users(ctx)
        with tempfile.TemporaryDirectory(prefix="xiaobao-demo-") as tmp:
            slots = _slots_for_import(records, end)
            if slots:
                sim.at(slots[0][0], sim.importer(slots, Path(tmp)))
            sim.run()
            sim.fill_gaps(random.Random(seed + 1))
    finally:
        ctx.now = original_now
    from xiaobao.services.blackgray.leads import refresh_leads

    from xiaobao.demo.marketing import load_marketing_demo

    lead_stats = refresh_leads(ctx)
    marketing_stats = load_marketing_demo(ctx, sim.actors)
    from xiaobao.demo.collection import load_collection_demo

    collection_stats = load_collection_demo(ctx)
    summary = counts(ctx)
    return {
        "users": len(DEMO_USERS), "complaints": sim.imported, "imports": sim.imports,
        "actions": sum(sim.actions.values()), "refused_actions": len(sim.refused),
        "by_status": dict(sorted(summary["by_status"].items())), "by_tier": dict(sorted(summary["by_tier"].items())),
        "by_channel": dict(sorted(summary["by_channel"].items())), "overdue": summary["overdue"],
        "due_within_3_days": summary["due_within_3_days"], "review_overdue": summary["review_overdue"],
        "leads": lead_stats["leads"], "marketing_materials": marketing_stats["materials"],
        "collection_calls": collection_stats["calls"], "seconds": round(_time.perf_counter() - started, 1),
    }
