"""Build the labelled black/gray evaluation set: `eval/blackgray/labelled.jsonl`.

    .venv/bin/python eval/blackgray/build.py            # (re)write labelled.jsonl
    .venv/bin/python eval/blackgray/build.py --check    # fail if the committed file differs

Deterministic (one `random.Random(SEED)`; no set iteration, no hash()). Every text is assembled from
hand-written pieces in this file; nothing is downloaded. See README.md beside this file for what the
set contains, how the splits were made, and the rules the generator follows.

Fields per line: the import fields (external_id, channel, received_at, customer_name, customer_phone,
customer_id_number, text) plus
  split              dev | test (test is frozen: the engine was not tuned on it)
  label_flagged      bool
  label_kind         genuine | proxy_template | repeat_harass | credit_repair | debt_evasion
  label_gang         null or a gang id (the agency behind the complaint)
  label_hard_negative null or why a genuine complaint is hard: 12378 | negotiate | hotline | shared_phone
                     | incident | follow_up | short
  label_source       which generator produced it (for error analysis only)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

SEED = 20261121
HERE = Path(__file__).resolve().parent
OUT = HERE / "labelled.jsonl"
BASE = datetime(2026, 7, 1, 8, 0)
SPAN_DAYS = 120
CHANNELS = ("app", "hotline", "12378", "wechat", "email", "letter", "in_person")
# A genuine text is redrawn when it is this similar (exact char-4-gram Jaccard after a crude
# slot mask) to another genuine text of a different customer: identical wording from distinct
# customers is what "template" means, so the generator must not produce it by accident.
GENUINE_MAX_JACCARD = 0.45

# ---- people ---------------------------------------------------------------------------------------
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林高罗郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁余叶蒋杜苏魏程吕丁沈任姚卢傅钟"
GIVEN = ("伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
         "秀兰", "霞", "平", "刚", "桂英", "建国", "志强", "春梅", "海燕", "晓东", "文博", "雨婷", "子涵", "浩然",
         "思远", "欣怡", "俊杰", "玉兰", "红梅", "建华", "国强", "丽娟", "小龙", "婷婷", "鹏", "辉", "斌", "宁")
REGIONS = ("110101", "310104", "440106", "320102", "330106", "420111", "510107", "500103", "610113",
           "370102", "410105", "430104", "350203", "210102", "120104", "450103", "520102", "130102")
LENDERS = ("招联消费金融", "马上消费金融", "中原消费金融", "兴业消费金融", "中银消费金融", "捷信消费金融",
           "平安消费金融", "海尔消费金融", "苏宁消费金融", "哈银消费金融", "湖北消费金融", "长银五八消费金融",
           "蚂蚁消费金融", "小米消费金融", "宁银消费金融", "北银消费金融", "尚诚消费金融", "金美信消费金融")
PRODUCTS = ("安逸花", "好期贷", "提钱花", "花呗", "借呗", "任性贷", "随借随还", "信用贷", "分期乐")
HOTLINES = ("95386", "95188", "400-618-0808", "400-8888-366", "95105557", "400-098-5858")


def id_number(rng: random.Random) -> str:
    born = datetime(1965, 1, 1) + timedelta(days=rng.randrange(365 * 38))
    first = f"{rng.choice(REGIONS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return first + "10X98765432"[sum(int(d) * w for d, w in zip(first, weights)) % 11]


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10)}{rng.randrange(10 ** 8):08d}"


def person(rng: random.Random) -> dict:
    return {"customer_name": rng.choice(SURNAMES) + rng.choice(GIVEN), "customer_phone": mobile(rng),
            "customer_id_number": id_number(rng)}


def amount(rng: random.Random) -> str:
    v = rng.choice((rng.randrange(2, 60) * 1000, rng.randrange(100, 9999), rng.randrange(1, 30) * 500))
    return rng.choice((f"{v}", f"{v:,}", f"{v / 10000:g}万" if v >= 10000 else f"{v}"))


def cn_date(rng: random.Random, at: datetime | None = None) -> str:
    d = at or (datetime(2023, 1, 1) + timedelta(days=rng.randrange(1200)))
    return rng.choice((f"{d.year}年{d.month}月{d.day}日", f"{d:%Y-%m-%d}", f"{d.month}月{d.day}日", f"{d.year}年{d.month}月"))


def fill(rng: random.Random, s: str, ctx: dict) -> str:
    """Fill {slots}; slot values not in ctx are drawn fresh each time."""
    def one(m: re.Match) -> str:
        k = m.group(1)
        if k in ctx:
            return str(ctx[k])
        return {"amt": lambda: amount(rng), "date": lambda: cn_date(rng), "lender": lambda: rng.choice(LENDERS),
                "product": lambda: rng.choice(PRODUCTS), "n": lambda: str(rng.randrange(2, 9)),
                "fee": lambda: str(rng.randrange(30, 900)), "hotline": lambda: rng.choice(HOTLINES),
                "days": lambda: str(rng.randrange(3, 40)), "pct": lambda: f"{rng.randrange(18, 36)}%"}[k]()
    return re.sub(r"\{(\w+)\}", one, s)


# ---- genuine complaints: pieces per category ------------------------------------------------------
# core: what happened; detail: a circumstance; demand: what the customer wants. Written to read as
# different people: some formal, some angry, some elderly, some typing on a phone.
GENUINE = {
    "催收": {
        "core": ["你们的催收员一天给我打了{n}十几个电话，我在上班根本没法接",
                 "催收打电话到我单位前台，现在同事都知道我欠钱了",
                 "我才逾期{days}天，催收就说要上门、要通知我家里人",
                 "催收人员骂我是老赖，还说要去我老家村里贴告示",
                 "我妈七十多了，催收天天打她电话吓唬她，她又不是借款人",
                 "晚上十一点多还有人打电话催款，孩子都被吵醒了",
                 "催收短信里说要起诉我并冻结我全部银行卡，我问了律师说根本不是这样",
                 "我已经跟客服约好了{date}还款，催收还是一天打好几遍",
                 "对方自称是法务部的，说已经立案了，我查了根本没有",
                 "打给我通讯录里好多朋友，连我初中同学都接到了电话"],
        "detail": ["我不是不还，只是这个月工资晚发了", "通话录音我都留着", "我有截图可以证明",
                   "我之前从来没有逾期过", "他们的号码每次都不一样", "我丈夫接到电话后和我吵了一架",
                   "我已经还了一部分了", "我现在晚上都睡不着觉"],
        "demand": ["请你们管管这些催收的人", "要求停止骚扰我的家人和同事", "希望你们规范催收，给个说法",
                   "麻烦核实一下是不是你们委托的公司", "请不要再打我单位电话", "希望以后只联系我本人"],
    },
    "利息费用": {
        "core": ["借了{amt}元，宣传说日息万分之三，实际算下来年化超过了{pct}",
                 "合同里根本没写清楚还有担保费和服务费，每期多扣了{fee}块",
                 "我提前还款还要收手续费，当时借的时候没人告诉我",
                 "账单上多了一笔会员费{fee}元，我从来没开通过",
                 "每个月还的钱一大半都是利息，本金几乎没减少",
                 "借款页面显示的利率和实际扣款对不上",
                 "逾期了两天就收了{fee}元罚息，这个标准从哪来的",
                 "所谓的咨询服务费到底是什么服务，我一次都没用过"],
        "detail": ["借款时只看到月供，没看到总费用", "我算了好几遍都不对", "APP里找不到费用明细",
                   "客服说是系统自动生成的", "同期别的平台比这低很多", "当时业务员说没有其他费用"],
        "demand": ["请把多收的费用退给我", "要求提供完整的费用计算明细", "希望重新核算利息",
                   "请说明这笔费用的依据", "要求退还服务费", "请按合同约定的利率重新计算"],
    },
    "扣款": {
        "core": ["{date}银行卡被扣了两次月供，共{amt}元", "我已经结清了，{date}还从我卡里扣了{fee}元",
                 "没经过我同意就从我绑定的工资卡里扣款", "扣款失败后又自动从另一张卡扣了一遍",
                 "我明明设置的是每月15号还款，10号就扣走了", "解绑银行卡之后还在继续扣钱",
                 "还款日当天扣款了但是账单显示还是逾期", "自动续费扣了我{fee}元，我根本没点过同意"],
        "detail": ["导致我房贷扣款失败", "卡里的钱是给孩子交学费的", "银行流水我已经打出来了",
                   "客服让我等三到五个工作日，现在都半个月了", "我打了好几次电话都说在处理"],
        "demand": ["请尽快把多扣的钱退回来", "要求解除自动扣款授权", "请给我一个书面解释",
                   "希望赔偿因此产生的银行罚息", "请核实后退款"],
    },
    "征信": {
        "core": ["我{date}已经全部还清，征信上还显示有逾期", "征信报告上多了一笔我没借过的贷款",
                 "还款当天系统故障，结果给我上报了逾期", "你们上报的逾期金额和实际欠款对不上",
                 "我办了展期，征信却显示连续逾期", "我去银行办房贷被拒，查征信才发现是你们报的逾期"],
        "detail": ["我有结清证明", "这影响我买房了", "我申请了异议但是一直没回复",
                   "当时客服说不会影响征信", "我查了好几次征信都是这样"],
        "demand": ["请按规定更正征信记录", "要求出具书面说明并向人民银行征信中心报送更正",
                   "希望尽快核实处理，我要提交征信异议", "请给我开一个非恶意逾期证明"],
    },
    "个人信息": {
        "core": ["我从来没在你们这借过钱，却一直收到你们的还款提醒", "我的身份证信息被人冒用在你们平台借款",
                 "注销账户之后还能看到我的个人信息和借款记录", "你们把我的信息给了第三方，现在每天都有贷款推销电话",
                 "APP要求必须授权通讯录才能用", "我的手机号是新办的，天天收到上一个机主的催款短信"],
        "detail": ["我已经报警了", "我有报警回执", "这严重侵犯了我的隐私", "我不知道信息是怎么泄露的"],
        "demand": ["请删除我的个人信息", "要求查明信息泄露的原因", "请停止向我发送短信",
                   "请核实冒名贷款并撤销"],
    },
    "营销": {
        "core": ["每天收到好几条借款推销短信，退订也没用", "业务员打电话说是银行的，其实是贷款",
                 "广告写着零利息，借了才发现有各种费用", "直播间里说随借随还不收费，结果收了{fee}元",
                 "推销电话一天打三四次，我说了不需要还一直打", "短信说我有{amt}元额度待领取，点进去是别的平台"],
        "detail": ["我老人家差点被骗借了钱", "我已经回复了退订", "页面上的小字根本看不清"],
        "demand": ["请停止营销骚扰", "要求把我的号码从营销名单里删掉", "请规范你们的广告宣传"],
    },
    "服务态度": {
        "core": ["客服态度特别差，问两句就不耐烦挂电话", "打人工客服排队四十分钟没人接",
                 "客服一直推脱，说这不归他们管", "在线客服全是机器人，根本转不了人工",
                 "提交的工单显示已解决，其实根本没人联系我", "客服答应三天内回电，到现在也没有"],
        "detail": ["我是老年人，不会用手机APP", "前前后后打了{n}次电话", "每次都要重新说一遍情况"],
        "demand": ["请安排专人处理", "希望改善服务", "请给我回个电话", "要求对这个客服进行处理"],
    },
    "额度": {
        "core": ["用了三年的额度突然被降到{fee}元，没有任何通知", "额度冻结了，我一直按时还款",
                 "审批说通过了{amt}元，放款的时候只给了一半", "借款申请提交后一直显示审核中，也不告诉我原因",
                 "提额的时候让我买了会员，最后额度也没提"],
        "detail": ["我从来没有逾期记录", "我急用这笔钱给家人看病", "客服也说不清楚原因"],
        "demand": ["请说明降额的原因", "希望恢复原来的额度", "要求退还会员费", "请给个明确答复"],
    },
    "搭售": {
        "core": ["借款的时候默认勾选了保险，每期多扣{fee}元", "不买他们的会员卡就不给放款",
                 "放款后才发现被捆绑了一个权益包", "贷款附带的意外险我根本不知道"],
        "detail": ["勾选框藏在页面最下面", "我当时问过业务员，他说是必须的", "这些东西我一次都没用过"],
        "demand": ["要求退还保险费", "请取消权益包并退款", "希望整改强制搭售的问题"],
    },
    "被诈骗": {
        "core": ["有人冒充你们客服说要帮我注销学生贷，让我转账{amt}元", "接到电话说我的账户异常要验证，结果被骗了",
                 "一个自称你们公司的人让我下载会议软件共享屏幕", "有人说可以帮我提高额度，先交{fee}元手续费"],
        "detail": ["我已经报警了", "对方知道我的借款信息", "转账记录都在"],
        "demand": ["请核实是不是你们内部泄露了信息", "希望你们配合警方调查", "请在APP里加强提醒"],
    },
}
OPENERS = ("", "", "", "你好，", "您好，", "我要投诉，", "我想反映一个问题：", "本人是{lender}的老客户，",
           "我在{lender}借了钱，", "我是在{product}上借的款，", "实在没办法了才来投诉，", "说一下我的情况，",
           "我是替我爸反映的，", "各位领导好，", "投诉{lender}：", "气死我了，", "麻烦看一下，")
CLOSERS = ("", "", "", "谢谢。", "谢谢！", "盼回复。", "希望尽快处理。", "急！", "麻烦了。", "请给个说法！", "等你们回电。")
SHORT = ("扣了两次款，退钱！", "征信有误，请更正", "催收天天打电话", "客服没人接", "乱收费", "额度没了为什么",
         "退会员费", "保险我没买过", "不是我借的钱", "别再打了", "利息太高了", "请回电", "还款扣款失败",
         "我被骗了", "要求注销账户", "手续费不合理")

# ---- hard negatives (genuine, but with words or patterns an agency also uses) ---------------------
THREAT_12378 = ("再不处理我就去12378投诉", "我已经打了12378，他们让我先找你们", "你们不管我就找银保监会",
                "实在不行只能向金融监管局反映了", "如果还不解决我会向人民银行投诉", "我保留向监管部门投诉的权利")
NEGOTIATE = ("我现在失业了，能不能跟你们协商一下还款，分期慢慢还", "我想申请延期还款三个月，等我找到工作",
             "家里老人住院，这个月实在还不上，能不能先还一部分", "我不想逃债，只是想商量个能承受的还款方案",
             "我听说可以停息挂账，我这种情况能办吗", "能不能把剩下的{amt}元分成十二期", "我愿意还本金，利息能不能减一点",
             "生意赔了，想申请个性化分期，需要什么材料", "请给我一个协商还款的渠道，我打客服总是转不过去")
HOTLINE_Q = ("我打了你们{hotline}客服电话", "拨打{hotline}没人接", "{hotline}的客服说帮我登记了",
             "我按短信上的{hotline}打过去", "客服热线{hotline}一直占线")

# The same real incident reported by many customers in their own words: topic-similar, not templates.
INCIDENTS = {
    "I1": {"split": "dev", "day": 73, "spread": 4, "texts": [
        "{date}早上APP升级以后，我的月供被扣了两次，一共{amt}元，卡里没钱了房租都交不了",
        "同一笔还款扣了我两遍！短信提示两条，客服说系统升级导致的，那什么时候退？",
        "昨天你们系统出问题重复扣款，我这边多扣了{amt}，请尽快原路退回",
        "我看群里好多人都被重复扣款了，我也是，还款后余额显示负数",
        "升级完APP之后银行卡连续扣了两笔一模一样的金额，这是你们的bug吧，要给个交代",
        "本来还款日是{date}，结果扣了两次，导致我信用卡还款失败，产生的罚息谁负责",
        "老人的卡被你们扣了两次钱，她不会用手机，是我帮她查的账",
        "多扣的钱什么时候退？客服只说在排查，已经三天了",
        "请问今天重复扣款的问题解决了吗？我账单上显示已还两期",
        "APP显示扣款失败，结果银行卡实际被扣走两次，你们这系统太不靠谱了",
        "重复划扣{amt}元，要求退款并说明原因，另外不要因此影响我征信",
        "我是自动还款，被扣了双份，卡里留着交医药费的钱没了",
        "系统故障不是我的责任，请立即退回多扣款项并补偿利息损失",
        "扣款两次，我截图发给在线客服了，到现在也没人处理"]},
    "I2": {"split": "dev", "day": 92, "spread": 6, "texts": [
        "你们突然把提前还款手续费改成3%，借款的时候明明说可以免费提前还",
        "合同签的时候没有提前还款违约金，现在单方面改规则，我不接受",
        "我今天想一次性还清，结果要多交{fee}元手续费，公告我根本没收到",
        "修改收费标准应该提前告知，一条短信就算通知了吗？",
        "提前结清收费是新规定吧，老用户也要按新的收？不合理",
        "本来打算年终奖下来把贷款还了，现在多出来一笔费用，心里很窝火",
        "我问客服提前还款费用怎么算，三个客服三个说法",
        "请取消对存量客户的提前还款手续费，这属于单方变更合同",
        "刚收到短信说提前还款要收费了，我是{date}借的，合同条款里没有这一条",
        "收费调整没有征求用户意见，我要求按原合同执行",
        "提前还款还要罚钱，这是什么道理，我又不是逾期",
        "听说从这个月开始提前还款收手续费，能不能对老客户豁免"]},
    "I3": {"split": "test", "day": 48, "spread": 4, "texts": [
        "还款日那天你们APP打不开，我晚上十点才还上，结果被算了逾期",
        "{date}系统崩了，我一整天都还不了款，现在征信上有一条逾期记录",
        "因为你们服务器故障没法还款，却收了我{fee}元罚息，太离谱了",
        "我当天中午就去还款了，页面一直转圈，客服电话也打不通",
        "明明是平台的问题，凭什么让用户承担逾期后果，请撤销逾期记录",
        "那天好多人都还不进去款，我朋友也一样，你们要出个公告说明",
        "我从没逾期过，就因为那天APP故障被催收打电话，很气愤",
        "请核查{date}的系统故障，把我的罚息退了，征信恢复正常",
        "APP显示维护中，我换了三张卡都还不进去，第二天就显示逾期了",
        "我保留了当天的截图，页面报错代码都有，这个逾期不该算我头上",
        "故障期间无法还款产生的违约金应当全额减免",
        "昨天还不了款，今天一早就收到逾期短信，你们自己系统出问题还怪用户？",
        "麻烦确认一下故障那天的还款能不能按正常处理，我担心影响征信"]},
    "I4": {"split": "test", "day": 101, "spread": 5, "texts": [
        "会员自动续费从199涨到299，事先没通知就扣了",
        "我都不记得开过什么权益会员，这个月又扣了{fee}块，还涨价了",
        "会员费涨价没提醒，自动续费直接扣走，请退款并关闭续费",
        "扣了299元的会员费，我查了一下去年是199，凭什么说涨就涨",
        "权益包续费我从来没同意过，现在价格还变了，要求全额退还",
        "你们这个会员到底有什么用？一年扣我好几百，还悄悄涨价",
        "自动续费涨价应该单独征得同意，而不是在协议里改一行字",
        "我母亲的账户被扣了会员费，她七十岁了根本不会用这些权益",
        "今天收到扣款短信，会员续费{fee}元，我要取消并退款",
        "续费价格调整的通知在哪里？我翻遍了APP消息都没有",
        "会员费涨了一百块也不说一声，这是变相收费",
        "请退回本期会员费，并说明涨价依据"]},
}

# ---- gangs ----------------------------------------------------------------------------------------
# A template is a list of blocks; a block is (probability it is kept, [variants]). `movable` blocks are
# shuffled among themselves for a share of the members. {slots} are filled per member.
HARDSHIP = ("因疫情影响公司倒闭失业在家，收入全无", "本人身患重病长期住院，医疗费用巨大", "家中老人卧床需要照顾，无法外出工作",
            "本人创业失败欠下外债，已无力偿还", "孩子上学开销大，爱人又下岗", "因车祸受伤丧失劳动能力",
            "工厂停工拖欠工资半年", "离婚后独自抚养两个孩子，生活十分困难", "农村种地收入微薄，今年又遇洪灾",
            "多平台借贷以贷养贷，现已资不抵债", "父亲去世办丧事花光积蓄", "被公司裁员，目前靠打零工维持")
GANGS = [
    {"id": "G01", "kind": "proxy_template", "split": "dev", "n": 15, "day": 20, "spread": 9,
     "contact": {"agent_name": "周明辉", "agent_phone": "13826491735"},
     "templates": [[
         (1, ["我方当事人{name}，身份证号{idno}，于{date}在{lender}办理借款{amt}元。",
              "我方委托人{name}（身份证号{idno}）于{date}向{lender}借款人民币{amt}元。"]),
         (1, ["经核查，贵司在放贷过程中存在收取砍头息、变相提高综合年化利率等违规行为，",
              "经我方核实，贵司放款时存在砍头息及综合年化成本超过法定上限等违规情形，"]),
         (1, ["严重侵害了我方当事人的合法权益。", "已严重损害当事人的合法权益。"]),
         (0.8, ["现当事人{hardship}，无力按原合同还款。", "当事人目前{hardship}，确实无力偿还。"]),
         (1, ["我方当事人已全权委托我司代为处理本次纠纷，", "当事人已出具授权委托书，全权委托我司处理，"]),
         (1, ["特此函告：请贵司于七个工作日内退还多收利息并停止一切催收行为，",
              "现正式要求贵司七日内退还全部违规收取的利息费用、暂停催收，"]),
         (1, ["否则我方将向银保监会、人民银行及12378热线投诉，并保留诉讼权利。",
              "逾期未处理的，我方将依法向监管部门投诉并提起诉讼。"]),
         (0.75, ["联系人：周明辉，电话{agent_phone}。", "如有疑问请联系代理人周明辉（{agent_phone}）。"]),
     ]], "movable": [1, 3]},
    {"id": "G02", "kind": "debt_evasion", "split": "dev", "n": 14, "day": 35, "spread": 12, "contact": {},
     "templates": [[
         (1, ["本人{name}在{lender}的借款已经逾期，", "我叫{name}，在{lender}借的{amt}元现已逾期，"]),
         (1, ["由于{hardship}，实在无力偿还，", "{hardship}，已经没有任何还款能力，"]),
         (1, ["现申请停息挂账，本金分60期偿还，", "现正式申请停息挂账，剩余本金分60期还款，"]),
         (1, ["并要求免除全部罚息、违约金和剩余利息。", "同时要求全额减免罚息违约金及所有利息。"]),
         (1, ["贵司催收人员多次爆通讯录、恐吓威胁家人，已涉嫌暴力催收，",
              "贵司委托的催收人员多次骚扰我的亲友并言语威胁，涉嫌违法催收，"]),
         (1, ["如不同意我的方案，我将每天向12378、银保监、人民银行投诉，直到处理为止。",
              "若不予受理，我将持续向银保监会、12378和人民银行投诉，并向媒体曝光。"]),
     ]], "movable": [4]},
    {"id": "G03", "kind": "credit_repair", "split": "dev", "n": 16, "day": 52, "spread": 14,
     "contact": {"agent_wechat": "zxxf_kefu88"},
     "templates": [[
         (1, ["本人{name}，身份证{idno}，", "申请人{name}，证件号码{idno}，"]),
         (1, ["在{lender}的借款逾期并非本人主观恶意，而是{hardship}所致，",
              "{lender}借款出现逾期是因为{hardship}，并非恶意拖欠，"]),
         (1, ["贵司在逾期前未履行提醒义务，上报征信违反《征信业管理条例》，",
              "贵司未提前告知即上报不良记录，违反征信业管理条例相关规定，"]),
         (1, ["现提出征信异议，要求删除逾期记录、恢复征信，",
              "现要求贵司撤销逾期上报，删除本人征信不良记录，"]),
         (1, ["并出具非恶意逾期证明。", "并开具非恶意逾期说明。"]),
         (0.7, ["具体事宜请联系微信{agent_wechat}。", "有问题加微信{agent_wechat}沟通。"]),
     ], [
         (1, ["投诉人{name}就{lender}收费问题提出以下诉求：", "{name}对{lender}提出投诉："]),
         (1, ["借款合同中砍头息、服务费、担保费未明确告知，综合利率远超24%，",
              "合同约定的服务费担保费属于变相收息，实际年化已超过24%上限，"]),
         (1, ["要求全额退还超出部分的利息和所有服务费，", "要求退还全部超额利息及服务费用，"]),
         (1, ["同时修复因此产生的征信不良记录。", "并同步修正征信逾期记录。"]),
         (0.8, ["本人已委托专业机构处理，相关事宜联系微信{agent_wechat}。",
                "本人已委托第三方办理，请与微信{agent_wechat}联系。"]),
     ]], "movable": [2]},
    {"id": "G04", "kind": "proxy_template", "split": "dev", "n": 13, "day": 64, "spread": 10,
     "contact": {"agent_name": "刘法务", "agent_landline": "0755-86231947"},
     "templates": [[
         (1, ["我是{name}，{date}在{lender}借了{amt}，", "本人{name}于{date}在{lender}借款{amt}元，"]),
         (1, ["一直按时还款从未逾期，但{hardship}，", "此前一直正常还款，近期{hardship}，"]),
         (1, ["经专业人士计算，贵司实际年化利率高达{pct}，远超法律保护上限，",
              "经专业机构核算，实际年化利率达{pct}，明显超过法定上限，"]),
         (1, ["属于高利贷，合同无效。", "已构成变相高利贷，合同应属无效。"]),
         (1, ["本人要求全额退息，只还本金，", "现要求贵司全额退还利息，本人只归还本金，"]),
         (1, ["并立即停止催收。", "并要求立即停止一切催收。"]),
         (0.8, ["后续由我的代理人刘法务与贵司对接，电话{agent_landline}。",
                "请与刘法务联系，座机{agent_landline}，本人不再接听贵司电话。"]),
     ]], "movable": [2]},
    {"id": "G05", "kind": "debt_evasion", "split": "dev", "n": 10, "day": 80, "spread": 20,
     "contact": {"agent_qq": "2873641905", "agent_phone": "15918273645", "self_phone_share": 0.5},
     # one agency, no common template: each member's text is drawn from a pool of loose sentences
     "pool": ["我申请债务优化，请联系我的顾问QQ{agent_qq}", "要求减免本金和利息，详情请联系QQ{agent_qq}",
              "我现在{hardship}，借的{amt}还不上了", "催收太凶了，我要求停止催收", "我在{lender}的账单要求重新协商",
              "个性化分期请和我委托的人谈，QQ号{agent_qq}", "希望能只还本金，剩下的全部减免",
              "不同意就去银保监投诉", "有事找我的代理，电话{agent_phone}", "利息违法，我不认可"]},
    {"id": "G06", "kind": "proxy_template", "split": "dev", "n": 12, "day": 95, "spread": 7, "contact": {},
     "templates": [[
         (1, ["本人{name}，在{lender}借款{amt}元，", "我叫{name}，{lender}借了{amt}元，"]),
         (1, ["利息过高违规，要求退还多收利息，", "利息超标违规，要求退回多收的利息，"]),
         (1, ["否则向银保监投诉。", "不处理就投诉到银保监。"]),
     ]], "movable": []},
    # ---- test split: different agencies, wording written separately from the dev ones ----
    {"id": "G07", "kind": "proxy_template", "split": "test", "n": 14, "day": 25, "spread": 10,
     "contact": {"agent_account": "6217 0012 3456 7890 123", "agent_name": "陈立新"},
     "templates": [[
         (1, ["委托人{name}（身份证号码：{idno}）系{lender}借款客户，", "{name}，身份证号{idno}，为{lender}的借款人，"]),
         (1, ["借款本金{amt}元，借款日期{date}。", "{date}借款本金{amt}元。"]),
         (1, ["受其委托，我所就以下问题向贵司提出投诉：", "本律师团队受委托人委托，现就下列事项向贵司投诉："]),
         (1, ["一、贵司未如实披露年化利率，违反《关于进一步规范信贷融资收费》相关要求；",
              "一、贵司放款时未明示年化利率，违反信贷收费相关监管规定；"]),
         (1, ["二、贵司委托的第三方催收存在辱骂、爆通讯录等违法行为；",
              "二、贵司外包催收对委托人及其亲属进行辱骂和骚扰；"]),
         (1, ["三、委托人{hardship}，依法享有协商还款的权利。", "三、委托人目前{hardship}，应当给予协商空间。"]),
         (1, ["请贵司将应退利息转入以下账户：{agent_account}（户名{agent_name}），",
              "应退款项请汇入指定账户{agent_account}，收款人{agent_name}，"]),
         (1, ["并于十日内书面答复，否则将向监管部门举报。", "十日内未答复的，我所将向监管机构举报。"]),
     ]], "movable": [3, 4]},
    {"id": "G08", "kind": "debt_evasion", "split": "test", "n": 15, "day": 40, "spread": 12,
     "contact": {"agent_wechat": "shangan_2026"},
     "templates": [[
         (1, ["我是{lender}的用户{name}，", "{lender}借款人{name}投诉："]),
         (1, ["你们的催收人员给我所有联系人发侮辱短信，还P图说我是诈骗犯，",
              "贵司催收爆我通讯录，群发侮辱性信息，说我是诈骗犯，"]),
         (1, ["对我和家人造成了极大的精神伤害。", "给我和家人造成严重精神损害。"]),
         (1, ["我{hardship}，不是不还而是还不起，", "本人{hardship}，并非恶意逃避债务，"]),
         (1, ["要求立即停催，停止计息，本金减半分期偿还，", "要求马上停止催收、停止计息，本金减免一半后分期，"]),
         (1, ["并赔偿精神损失费。", "同时赔偿精神损失。"]),
         (0.7, ["我已加入上岸互助群，后续由群管理微信{agent_wechat}代我处理。",
                "后续事宜由我的协商顾问处理，微信{agent_wechat}。"]),
     ]], "movable": [1, 3]},
    {"id": "G09", "kind": "credit_repair", "split": "test", "n": 13, "day": 58, "spread": 9,
     "contact": {"agent_phone": "17702938456"},
     "templates": [[
         (1, ["{name}反映：", "投诉人：{name}。", "我叫{name}，"]),
         (1, ["{date}在{lender}的贷款出现逾期，原因是{hardship}，属于不可抗力，",
              "由于{hardship}，导致{lender}贷款在{date}后出现逾期，属于客观原因，"]),
         (1, ["根据相关规定，非恶意逾期可申请征信修复，", "按照规定非主观恶意的逾期可以消除不良记录，"]),
         (1, ["请贵司在征信系统中删除该笔逾期记录，", "要求贵司撤回向人行报送的逾期信息，"]),
         (1, ["否则我将向人民银行征信中心提出异议并投诉至监管部门。", "不然我会去人民银行征信中心申请异议并投诉。"]),
         (0.85, ["回电请打{agent_phone}。", "联系电话{agent_phone}。", "请联系{agent_phone}，本人手机已停机。"]),
     ]], "movable": []},
    {"id": "G10", "kind": "debt_evasion", "split": "test", "n": 16, "day": 72, "spread": 15,
     "contact": {"agent_phone": "18620457391"},
     "templates": [[
         (1, ["本人{name}郑重声明：", "借款人{name}声明如下："]),
         (1, ["{lender}放贷资质存疑，借款合同利息违法，合同无效，", "{lender}不具备相应资质，所收利息违法，借款合同无效，"]),
         (1, ["本人只同意归还本金，不再支付任何利息和费用，", "我只还本金，任何利息和费用一概不付，"]),
         (1, ["已还利息应当冲抵本金。", "之前已还的利息要冲抵本金。"]),
         (0.8, ["有事请联系{agent_phone}。", "请拨打{agent_phone}与我方协商。"]),
     ], [
         (1, ["{lender}：", "致{lender}客服部："]),
         (1, ["我因{hardship}，申请债务重组，", "由于{hardship}，现申请债务重组，"]),
         (1, ["将全部欠款打折至三成，一次性结清，", "欠款按三成一次性结清，"]),
         (1, ["结清后出具结清证明并消除全部逾期记录。", "结清后须开具结清证明并消除逾期。"]),
         (0.8, ["协商事宜请致电{agent_phone}。", "对接电话{agent_phone}。"]),
     ]], "movable": [1]},
    {"id": "G11", "kind": "proxy_template", "split": "test", "n": 12, "day": 88, "spread": 8, "contact": {},
     "templates": [[
         (1, ["{name}投诉{lender}：", "关于{lender}的投诉，投诉人{name}："]),
         (1, ["贵司在放款前诱导本人购买会员权益包和保险，属于强制搭售，",
              "放款前贵司诱导购买会员和保险，构成捆绑搭售，"]),
         (1, ["侵犯了消费者的自主选择权和知情权，", "侵害了消费者知情权和自主选择权，"]),
         (1, ["依据《消费者权益保护法》第九条、第十条，", "根据消保法第九条和第十条，"]),
         (1, ["要求退还全部搭售费用，并按三倍赔偿，", "要求全额退还搭售费用并给予三倍赔偿，"]),
         (1, ["七日内未处理将向12378投诉并申请调解。", "七个工作日不处理即投诉至12378。"]),
     ]], "movable": [2, 3]},
    {"id": "G12", "kind": "credit_repair", "split": "test", "n": 10, "day": 104, "spread": 14,
     "contact": {"agent_email": "zhengxin_help@163.com"},
     "pool": ["我要做征信修复，资料发到邮箱{agent_email}", "请删除我在{lender}的逾期记录", "逾期是因为{hardship}",
              "非恶意逾期，必须给我消除不良记录", "具体由我的代办人员跟你们联系，邮箱{agent_email}",
              "你们上报征信没有提前通知我", "我要求出具非恶意逾期证明", "处理结果请发邮件到{agent_email}",
              "我下个月要办房贷，征信必须马上修复"]},
]

# Repeat complainants (缠访): one customer, 4–10 filings across channels within weeks, demands escalating.
REPEAT_ISSUES = ("我{date}还款后账单还显示逾期", "你们收了我{fee}元的服务费一直不退", "催收打到我单位",
                 "会员费自动扣了我没同意", "我的额度被无故降低", "征信上有一笔错误的逾期")
ESCALATION = (["请尽快处理", "请给我解释清楚", "我要求退款"],
              ["这已经是我第{k}次投诉了", "上次投诉到现在没人管", "又来投诉了，你们什么时候处理"],
              ["要求赔偿我的损失", "要求双倍赔偿", "要求补偿误工费"],
              ["不解决我就去12378和银保监投诉", "我已经向金融监管局反映了", "我会找人民银行"],
              ["我要找媒体曝光，发抖音和微博", "我联系了记者", "我要让大家都知道你们怎么对待客户"],
              ["我要起诉到法院", "我已经咨询了律师准备起诉", "我要报警"],
              ["要求三倍赔偿加精神损失费", "赔偿精神损失五万元，少一分都不行", "全额退还所有利息并赔偿"])


# Individual voice: people say the same thing in their own words. Each group lists interchangeable
# wordings; every occurrence in a genuine text is replaced by a random member (the same phrase may come
# out differently twice). Fillers and tone words are sprinkled at clause starts.
VOICE = (("你们", "你们公司", "贵公司", "平台", "你们平台", "这家公司"), ("客服", "人工客服", "工作人员", "客服人员"),
         ("要求", "希望", "请求", "强烈要求", "麻烦"), ("退还", "退回", "返还"),
         ("已经", "早就", "都已经"), ("根本", "完全", "压根"), ("现在", "目前", "到现在", "至今"), ("一直", "始终", "总是"),
         ("没有", "没", "并没有"), ("告诉", "通知", "说明", "提醒"), ("每个月", "每月", "每期"), ("处理", "解决", "处理一下"),
         ("借款", "贷款", "借钱"), ("扣款", "扣钱", "划扣"), ("不合理", "说不过去", "太过分了"), ("问题", "事情", "情况"), ("结果", "没想到", "谁知道"), ("很", "非常", "特别", "十分"))
_VOICE_GROUP = {w: g for g in VOICE for w in g}
_VOICE_RE = re.compile("|".join(sorted(map(re.escape, _VOICE_GROUP), key=len, reverse=True)))
FILLERS = ("", "", "", "", "真的", "说实话", "而且", "然后", "另外", "关键是", "还有就是", "那个", "总之")


def voice(rng: random.Random, text: str) -> str:
    text = _VOICE_RE.sub(lambda m: rng.choice(_VOICE_GROUP[m.group()]), text)   # one pass: no re-rewriting
    clauses = re.split(r"(?<=[，。！])", text)
    return "".join((rng.choice(FILLERS) + c) if i and c else c for i, c in enumerate(clauses))


def crude_mask(text: str) -> str:
    s = unicodedata.normalize("NFKC", text)
    for lender in LENDERS + PRODUCTS:
        s = s.replace(lender, "L")
    s = re.sub(r"\d[\d,.\-]*[万%]?", "#", s)
    return re.sub(r"[^\w#]+", "", s)


def grams(text: str) -> frozenset[str]:
    s = crude_mask(text)
    return frozenset(s[i:i + 4] for i in range(len(s) - 3))


def jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


class Builder:
    def __init__(self, seed: int = SEED):
        self.rng = random.Random(seed)
        self.rows: list[dict] = []
        self.genuine_grams: dict[str, list[tuple[str, frozenset]]] = {"dev": [], "test": []}
        self.redrawn = 0
        self.ids: set[str] = set()

    def when(self, day: float, spread: float = 0.0) -> datetime:
        t = BASE + timedelta(days=day + self.rng.random() * spread, minutes=self.rng.randrange(8 * 60, 22 * 60))
        return t.replace(second=0, microsecond=0)

    def emit(self, split, who, text, at, *, kind="genuine", gang=None, hard=None, source="", channel=None):
        n = len(self.rows) + 1
        rec = {"external_id": f"BG-{n:05d}", "channel": channel or self.rng.choice(CHANNELS),
               "received_at": at.strftime("%Y-%m-%d %H:%M:%S"), **who, "text": text, "split": split,
               "label_flagged": kind != "genuine", "label_kind": kind, "label_gang": gang,
               "label_hard_negative": hard, "label_source": source}
        self.rows.append(rec)
        return rec

    # -- genuine ---------------------------------------------------------------------------------
    def genuine_text(self, split: str, customer: str, extra: str | None = None) -> str:
        rng = self.rng
        for _ in range(40):
            cat = rng.choice(list(GENUINE))
            pieces = GENUINE[cat]
            style = rng.random()
            parts = [fill(rng, rng.choice(OPENERS), {})]
            parts.append(fill(rng, rng.choice(pieces["core"]), {}))
            if style > 0.3:
                parts.append(fill(rng, rng.choice(pieces["detail"]), {}))
            if style > 0.75:
                other = rng.choice(list(GENUINE))
                parts.append(fill(rng, rng.choice(GENUINE[other]["detail"]), {}))
            if extra:
                parts.insert(rng.randrange(1, len(parts) + 1), extra)
            parts.append(fill(rng, rng.choice(pieces["demand"]), {}))
            parts.append(rng.choice(CLOSERS))
            sep = rng.choice(("，", "，", "。", " ", "！"))
            text = sep.join(p.rstrip("，。！") for p in parts if p) + rng.choice(("。", "！", "", "。"))
            text = voice(rng, text)
            if self.accept(split, customer, text):
                return text
            self.redrawn += 1
        return text

    def accept(self, split: str, customer: str, text: str) -> bool:
        g = grams(text)
        if any(c != customer and jaccard(g, o) >= GENUINE_MAX_JACCARD for c, o in self.genuine_grams[split]):
            return False
        self.genuine_grams[split].append((customer, g))
        return True

    def genuine(self, split: str, n: int) -> None:
        rng = self.rng
        for _ in range(n):
            who = person(rng)
            cid = who["customer_id_number"]
            r = rng.random()
            if r < 0.10:
                text, hard = rng.choice(SHORT), "short"
            elif r < 0.20:
                text, hard = self.genuine_text(split, cid, rng.choice(THREAT_12378)), "12378"
            elif r < 0.30:
                text, hard = self.genuine_text(split, cid, fill(rng, rng.choice(NEGOTIATE), {})), "negotiate"
            elif r < 0.37:
                text, hard = self.genuine_text(split, cid, fill(rng, rng.choice(HOTLINE_Q), {})), "hotline"
            else:
                text, hard = self.genuine_text(split, cid), None
            self.emit(split, who, text, self.when(rng.uniform(0, SPAN_DAYS)), hard=hard, source="genuine")

    def shared_phone_pairs(self, split: str, n: int) -> None:
        """Family members sharing one phone: two customers (distinct ID numbers), one number, own problems."""
        rng = self.rng
        for _ in range(n):
            a = person(rng)
            b = person(rng)
            b["customer_phone"] = a["customer_phone"]
            b["customer_name"] = a["customer_name"][0] + rng.choice(GIVEN)
            for who in (a, b):
                mention = rng.choice(("", f"我的电话{who['customer_phone']}", f"有事打{who['customer_phone']}，这是我家里的号"))
                text = self.genuine_text(split, who["customer_id_number"], mention or None)
                self.emit(split, who, text, self.when(rng.uniform(0, SPAN_DAYS)), hard="shared_phone",
                          source="shared_phone")

    def follow_ups(self, split: str, n: int) -> None:
        """A genuine customer whose problem is not solved files again, 2–3 times, without escalating."""
        rng = self.rng
        for _ in range(n):
            who = person(rng)
            first = self.genuine_text(split, who["customer_id_number"])
            day = rng.uniform(0, SPAN_DAYS - 40)
            k = rng.choice((2, 3))
            for i in range(k):
                if i == 0:
                    text = first
                else:
                    text = rng.choice(("上次反映的问题还没解决：", "再次反映：", "跟进一下之前的投诉，", "第二次来问了，")) + first
                self.emit(split, who, text, self.when(day + i * rng.uniform(6, 16)), hard="follow_up", source="follow_up")

    def incidents(self) -> None:
        rng = self.rng
        for key, inc in INCIDENTS.items():
            for t in inc["texts"]:
                who = person(rng)
                at = self.when(inc["day"], inc["spread"])
                text = fill(rng, t, {"date": f"{(BASE + timedelta(days=inc['day'])).month}月{(BASE + timedelta(days=inc['day'])).day}日"})
                self.genuine_grams[inc["split"]].append((who["customer_id_number"], grams(text)))
                self.emit(inc["split"], who, text, at, hard="incident", source=f"incident:{key}")

    # -- gangs -----------------------------------------------------------------------------------
    def gang(self, g: dict) -> None:
        rng = self.rng
        contact = dict(g["contact"])
        ctx_base = {k: v for k, v in contact.items() if k.startswith("agent_")}
        for m in range(g["n"]):
            who = person(rng)
            ctx = {**ctx_base, "name": who["customer_name"], "idno": who["customer_id_number"],
                   "lender": rng.choice(LENDERS), "amt": amount(rng), "date": cn_date(rng),
                   "hardship": rng.choice(HARDSHIP), "pct": f"{rng.randrange(30, 48)}%"}
            if contact.get("self_phone_share") and rng.random() < contact["self_phone_share"]:
                who["customer_phone"] = contact.get("agent_phone", who["customer_phone"])
            if "pool" in g:
                picks = rng.sample(g["pool"], rng.randrange(3, 6))
                text = "，".join(fill(rng, p, ctx) for p in picks) + "。"
            else:
                tpl = g["templates"][m % len(g["templates"])]
                blocks = [(p, rng.choice(v)) for p, v in tpl]
                movable = [i for i in g["movable"] if i < len(blocks)]
                if len(movable) > 1 and rng.random() < 0.5:
                    chosen = [blocks[i] for i in movable]
                    rng.shuffle(chosen)
                    for i, b in zip(movable, chosen):
                        blocks[i] = b
                elif len(movable) == 1 and rng.random() < 0.4:      # move one sentence to the end
                    blocks.append(blocks.pop(movable[0]))
                kept = [s for p, s in blocks if rng.random() < p]
                if rng.random() < 0.25 and len(kept) > 3:           # partial edit: drop one sentence
                    kept.pop(rng.randrange(1, len(kept)))
                if rng.random() < 0.3:                              # partial edit: a personal sentence
                    kept.insert(rng.randrange(1, len(kept) + 1),
                                fill(rng, rng.choice(GENUINE[rng.choice(list(GENUINE))]["detail"]), {}) + "。")
                text = fill(rng, "".join(kept), ctx)
            self.emit(g["split"], who, text, self.when(g["day"], g["spread"]), kind=g["kind"], gang=g["id"],
                      source=f"gang:{g['id']}")

    # -- repeaters -------------------------------------------------------------------------------
    def repeaters(self, split: str, n: int) -> None:
        rng = self.rng
        for _ in range(n):
            who = person(rng)
            # the grievance in the customer's own words (as for any genuine complaint), then the demands
            issue = self.genuine_text(split, who["customer_id_number"], fill(rng, rng.choice(REPEAT_ISSUES), {}))
            issue = issue.rstrip("。！")
            count = rng.randrange(4, 11)
            day = rng.uniform(0, SPAN_DAYS - 40)
            span = rng.uniform(12, 30)
            times = sorted(day + rng.random() * span for _ in range(count))
            for i, t in enumerate(times):
                level = min(len(ESCALATION) - 1, int(i * len(ESCALATION) / count))
                demands = [rng.choice(ESCALATION[j]).replace("{k}", str(i + 1)) for j in sorted({0, level, max(0, level - 1)})]
                lead = rng.choice(("", "我再说一遍，", "还是上次的事，", "", "投诉："))
                text = voice(rng, lead + issue + "，" + "，".join(demands) + rng.choice(("。", "！", "！！")))
                self.emit(split, who, text, self.when(t), kind="repeat_harass", source="repeat",
                          channel=rng.choice(CHANNELS[:4]))

    def build(self) -> list[dict]:
        rng = self.rng
        self.incidents()
        for split in ("dev", "test"):
            self.genuine(split, 215)
            self.shared_phone_pairs(split, 6)
            self.follow_ups(split, 6)
            self.repeaters(split, 5)
        for g in GANGS:
            self.gang(g)
        # arrival order, not generation order: the engine sees them as they would come in
        rows = sorted(self.rows, key=lambda r: (r["received_at"], r["external_id"]))
        rng.shuffle(rows)           # ... then shuffled ties; sort again for a stable file order
        rows.sort(key=lambda r: (r["split"], r["received_at"], r["external_id"]))
        return rows


def dumps(rows: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n" for r in rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="verify the committed file instead of writing it")
    args = ap.parse_args(argv)
    b = Builder()
    text = dumps(b.build())
    test_digest = hashlib.sha256("".join(line + "\n" for line in text.splitlines()
                                         if '"split": "test"' in line).encode()).hexdigest()
    if args.check:
        ok = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print("labelled.jsonl matches build.py" if ok else "labelled.jsonl differs from build.py output")
        print(f"test split sha256 {test_digest}")
        return 0 if ok else 1
    OUT.write_text(text, encoding="utf-8")
    rows = [json.loads(x) for x in text.splitlines()]
    for split in ("dev", "test"):
        part = [r for r in rows if r["split"] == split]
        kinds: dict[str, int] = {}
        for r in part:
            kinds[r["label_kind"]] = kinds.get(r["label_kind"], 0) + 1
        hard = sum(1 for r in part if r["label_hard_negative"])
        gangs = sorted({r["label_gang"] for r in part if r["label_gang"]})
        print(f"{split}: {len(part)} complaints, {kinds}, hard negatives {hard}, gangs {gangs}")
    print(f"genuine texts redrawn for similarity ≥ {GENUINE_MAX_JACCARD}: {b.redrawn}")
    print(f"test split sha256 {test_digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
