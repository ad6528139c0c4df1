"""Generate the labelled PII evaluation set `eval/pii/labelled.jsonl` (deterministic for a seed).

    .venv/bin/python eval/pii/generate.py [--n 800] [--seed 20261121]

Texts in the shapes the platform sees: customer chat lines, complaint excerpts, collection notes,
CSV rows and JSON lines. Every inserted value is labelled with its offsets; decoys that must NOT be
reported are labelled too: order/contract numbers (some Luhn-valid by construction), amounts,
dates, Luhn-failing cards, ID numbers with a wrong check digit, masked values, hotlines, pseudonyms
(王某), and ordinary words that start with a surname (高利贷, 周一 …).

Given names are drawn from a pool wider than the recognizer's lexicon (about a third of their
characters are not in `given_chars`), and a share of names and addresses appear with no cue at all
(CSV columns, sentence-initial), so the set measures the recognizer rather than echoing it.
"""

from __future__ import annotations

import argparse
import json
import random
import string
from pathlib import Path

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤"
COMPOUND = ("欧阳", "司马", "上官", "诸葛")
GIVEN = ("伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰",
         "霞", "平", "刚", "桂英", "文", "华", "建国", "红梅", "玉兰", "志强", "海燕", "晓东", "丹", "辉", "鹏飞", "俊", "浩",
         "宇", "欣怡", "子涵", "雨萱", "梓轩", "浩然", "思远", "一鸣", "佳琪", "婷", "雪", "琳", "斌", "波", "凯", "慧",
         "建华", "国强", "淑珍", "德明", "春梅", "小红", "立新", "卫东", "永刚", "素芬", "翠花", "铁柱", "二妞", "金凤",
         "宏图", "少华", "炳坤", "耀祖", "锦程", "如意", "书瑶", "沐辰", "奕辰", "嘉懿", "若汐", "宛如", "冬生", "满仓")
PLACES = (("北京市", "朝阳区"), ("北京市", "海淀区"), ("上海市", "浦东新区"), ("上海市", "徐汇区"), ("广东省广州市", "天河区"),
          ("广东省深圳市", "南山区"), ("浙江省杭州市", "西湖区"), ("四川省成都市", "武侯区"), ("湖北省武汉市", "洪山区"),
          ("江苏省南京市", "鼓楼区"), ("陕西省西安市", "雁塔区"), ("重庆市", "渝中区"), ("湖南省长沙市", "岳麓区"),
          ("河南省郑州市", "金水区"), ("山东省青岛市", "市南区"), ("福建省厦门市", "思明区"), ("河北省保定市", "莲池区"),
          ("安徽省合肥市", "蜀山区"), ("江西省赣州市", "章贡区"), ("广西壮族自治区南宁市", "青秀区"), ("云南省昆明市", "五华区"))
STREETS = ("建设路", "人民路", "解放大道", "中山路", "和平街", "长江路", "文化路", "新华路", "东风路", "科技园路", "学府街", "滨江大道")
ESTATES = ("阳光花园", "幸福小区", "锦绣家园", "翠苑", "金色港湾", "和谐公寓", "碧桂园", "万科城")
AREAS = ("110105", "110108", "310104", "310115", "440106", "440305", "330106", "510107", "420111", "320106", "610113",
         "500103", "430104", "410105", "370202", "350203", "130606", "340104", "360702", "450103", "530102")
MOBILE_PREFIXES = ("130", "131", "135", "136", "137", "138", "139", "150", "151", "152", "158", "159", "166", "173",
                   "176", "177", "180", "181", "185", "186", "187", "188", "189", "191", "195", "198", "199")
DECOY_WORDS = ("高利贷", "周一", "周末", "万元", "于是", "金额", "方式", "平台", "马上", "程序", "曾经", "关于", "余额", "明天",
               "安全", "任何", "黄金", "白条", "全部", "常州", "华为", "宁可", "严重", "康复")
PROVINCE = "京沪粤浙苏川鄂湘豫鲁闽冀皖赣桂云陕渝津"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
ID_CHECK = "10X98765432"
ID_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_W = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def luhn_digit(body: str) -> str:
    for d in "0123456789":
        s = 0
        for i, ch in enumerate(reversed(body + d)):
            n = int(ch)
            if i % 2:
                n = n * 2 - 9 if n > 4 else n * 2
            s += n
        if s % 10 == 0:
            return d
    raise AssertionError


class Gen:
    def __init__(self, seed: int):
        self.r = random.Random(seed)

    def digits(self, n: int) -> str:
        return "".join(self.r.choice(string.digits) for _ in range(n))

    def name(self) -> str:
        sur = self.r.choice(COMPOUND) if self.r.random() < 0.05 else self.r.choice(SURNAMES)
        return sur + self.r.choice(GIVEN)

    def mobile(self) -> str:
        m = self.r.choice(MOBILE_PREFIXES) + self.digits(8)
        style = self.r.random()
        if style < 0.15:
            return f"{m[:3]} {m[3:7]} {m[7:]}"
        if style < 0.25:
            return f"{m[:3]}-{m[3:7]}-{m[7:]}"
        if style < 0.32:
            return "+86 " + m
        if style < 0.4:
            return m.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        return m

    def landline(self) -> str:
        area = self.r.choice(("010", "021", "020", "0755", "0571", "028", "027", "025", "029", "023"))
        sub = str(self.r.randint(2, 8)) + self.digits(7 if len(area) == 3 else self.r.choice((6, 7)))
        return self.r.choice((f"{area}-{sub}", f"({area}){sub}", f"{area} {sub}", area + sub))

    def id18(self, valid: bool = True) -> str:
        y = self.r.randint(1950, 2004)
        body = f"{self.r.choice(AREAS)}{y}{self.r.randint(1, 12):02d}{self.r.randint(1, 28):02d}{self.digits(3)}"
        c = ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_W)) % 11]
        if not valid:
            c = self.r.choice([x for x in "0123456789X" if x != c])
        v = body + c
        if valid and self.r.random() < 0.15:
            return f"{v[:6]} {v[6:14]} {v[14:]}"
        return v

    def card(self, valid: bool = True) -> str:
        bins = ("622202", "621700", "622848", "623668", "621483", "625958", "436742", "512345", "622588")
        n = self.r.choice((16, 19, 19))
        body = self.r.choice(bins) + self.digits(n - 7)
        c = luhn_digit(body)
        if not valid:
            c = str((int(c) + self.r.randint(1, 9)) % 10)
        v = body + c
        if valid and self.r.random() < 0.25:
            return " ".join(v[i:i + 4] for i in range(0, len(v), 4))
        return v

    def email(self) -> str:
        user = "".join(self.r.choice(string.ascii_lowercase) for _ in range(self.r.randint(3, 9)))
        if self.r.random() < 0.4:
            user += self.r.choice((".", "_", "")) + self.digits(self.r.randint(2, 4))
        return user + "@" + self.r.choice(("qq.com", "163.com", "126.com", "gmail.com", "sina.com", "foxmail.com", "corp.example.cn"))

    def uscc(self) -> str:
        body = self.r.choice("9159") + self.r.choice("123") + self.r.choice(AREAS) + "".join(
            self.r.choice(USCC_CHARS) for _ in range(9))
        total = sum(USCC_CHARS.index(c) * w for c, w in zip(body, USCC_W))
        return body + USCC_CHARS[(31 - total % 31) % 31]

    def address(self) -> str:
        prov, dist = self.r.choice(PLACES)
        a = prov + dist + self.r.choice(STREETS) + f"{self.r.randint(1, 999)}号"
        if self.r.random() < 0.6:
            a += self.r.choice(ESTATES) + f"{self.r.randint(1, 30)}栋{self.r.randint(1, 6)}单元{self.r.randint(1, 30)}0{self.r.randint(1, 4)}室"
        return a

    def plate(self) -> str:
        return self.r.choice(PROVINCE) + self.r.choice(PLATE_LETTERS) + "".join(
            self.r.choice("0123456789" + "ABCDEFGHJKLMNPQRSTUVWXYZ" * 0) for _ in range(5))

    def ip(self) -> str:
        return ".".join(str(self.r.randint(1, 254)) for _ in range(4))

    def passport(self) -> str:
        return self.r.choice("EG") + self.digits(8)

    def hk_permit(self) -> str:
        return self.r.choice("HM") + self.digits(8)

    def wechat(self) -> str:
        return self.r.choice(string.ascii_lowercase) + "".join(
            self.r.choice(string.ascii_lowercase + string.digits + "_") for _ in range(self.r.randint(5, 12)))

    def qq(self) -> str:
        return str(self.r.randint(1, 9)) + self.digits(self.r.randint(6, 9))

    # ---- decoys: values that look like PII and are not ----
    def decoy(self) -> str:
        kind = self.r.randrange(12)
        if kind == 0:
            return "DD" + self.digits(16)
        if kind == 1:
            # a Luhn-valid 16-digit order number: only the cue 订单号 keeps it from being a card
            body = "20" + self.digits(13)
            return body + luhn_digit(body)
        if kind == 2:
            return f"{self.r.randint(100, 99999)}.{self.digits(2)}元"
        if kind == 3:
            return f"2026-{self.r.randint(1, 12):02d}-{self.r.randint(1, 28):02d}"
        if kind == 4:
            return self.card(valid=False).replace(" ", "")
        if kind == 5:
            return self.id18(valid=False)
        if kind == 6:
            m = self.r.choice(MOBILE_PREFIXES) + self.digits(8)
            return m[:3] + "****" + m[7:]
        if kind == 7:
            return self.r.choice(("95188", "4008001234", "12378", "12315", "95555"))
        if kind == 8:
            return self.r.choice(SURNAMES) + "某"
        if kind == 9:
            return "2026" + self.digits(14)
        if kind == 10:
            c = self.card()
            return c.replace(" ", "")[:6] + "******" + c.replace(" ", "")[-4:]
        return f"{self.r.randint(2019, 2026)}{self.r.randint(1, 12):02d}{self.r.randint(1, 28):02d}"


DECOY_CUE = {0: "订单号", 1: "订单号", 9: "流水号"}


def build(parts: list) -> dict:
    text, spans, decoys = "", [], []
    for p in parts:
        if isinstance(p, str):
            text += p
        else:
            kind, v = p
            start = len(text)
            text += v
            (decoys if kind == "DECOY" else spans).append({"start": start, "end": len(text), "type": kind} if kind != "DECOY" else {"start": start, "end": len(text)})
    return {"text": text, "spans": spans, "decoys": decoys}


def doc(g: Gen, i: int) -> dict:
    r = g.r
    shape = i % 6
    N = ("PERSON_NAME", g.name())
    M = ("CN_MOBILE", g.mobile())
    D1 = ("DECOY", g.decoy())
    dw = r.choice(DECOY_WORDS)
    if shape == 0:  # complaint excerpt
        return build(["本人", N, "，身份证号", ("CN_ID_CARD", g.id18()), "，于2026年3月在贵司借款，订单号", ("DECOY", "DD" + g.digits(16)),
                      "。催收人员多次拨打我的手机", M, "并骚扰我的紧急联系人", ("PERSON_NAME", g.name()),
                      f"，{dw}的问题一直没有解决，要求退还多收的", ("DECOY", f"{r.randint(100, 9999)}.{g.digits(2)}元"), "。"])
    if shape == 1:  # chat line
        return build([r.choice(("客服你好，", "在吗？", "您好，")), "我的银行卡", ("BANK_CARD", g.card()), "被扣了", ("DECOY", f"{r.randint(100, 9999)}元"),
                      "，请联系", ("PERSON_NAME", g.name()), r.choice(("先生", "女士", "经理")), "，电话", ("CN_LANDLINE", g.landline()),
                      "，或者发邮件到", ("EMAIL", g.email()), "，微信号：", ("WECHAT_ID", g.wechat()), "。另外流水号", ("DECOY", "2026" + g.digits(14)), "不是我的。"])
    if shape == 2:  # collection note
        return build(["催收记录：", ("DECOY", f"2026-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"), " 致电借款人", N, "（", M,
                      "），对方称已还款，提供尾号", ("DECOY", g.digits(4)), "的截图。客户家住", ("ADDRESS", g.address()),
                      "，车牌", ("LICENSE_PLATE", g.plate()), "。", D1, f"，{dw}。客户要求发送验证码到手机，验证码",
                      ("AUTH_SECRET", g.digits(6)), "已作废。"])
    if shape == 3:  # CSV row, no cues
        sep = r.choice((",", "\t", "|"))
        return build([("DECOY", f"C{g.digits(8)}"), sep, N, sep, M, sep, ("CN_ID_CARD", g.id18().replace(" ", "")), sep,
                      ("ADDRESS", g.address()), sep, ("EMAIL", g.email()), sep, ("DECOY", f"{r.randint(1000, 99999)}.00"),
                      sep, ("DECOY", f"2026-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}")])
    if shape == 4:  # JSON line
        return build(['{"customer_name": "', N, '", "phone": "', M, '", "ip": "', ("IP_ADDRESS", g.ip()),
                      '", "company_uscc": "', ("CN_USCC", g.uscc()), '", "order_no": "', ("DECOY", "DD" + g.digits(16)),
                      '", "amount": "', ("DECOY", f"{r.randint(100, 99999)}.{g.digits(2)}"), '", "note": "客户QQ ', ("QQ_NUMBER", g.qq()),
                      '，', f"{dw}", '", "card_masked": "', ("DECOY", g.card().replace(" ", "")[:6] + "******" + g.digits(4)), '"}'])
    # shape 5: identity documents and a bare name at sentence start
    return build([N, r.choice(("昨天", "今天上午", "本周")), "来电，称其护照号", ("CN_PASSPORT", g.passport()), "、回乡证", ("CN_HK_MACAU_PERMIT", g.hk_permit()),
                  "已更新，原登记手机", ("DECOY", g.decoy() if r.random() < 0.5 else g.mobile()[:3] + "****" + g.digits(4)), "停用，新号码", M,
                  "。寄送地址：", ("ADDRESS", g.address()), "。错误的身份证号", ("DECOY", g.id18(valid=False)), "和卡号",
                  ("DECOY", g.card(valid=False).replace(" ", "")), "已驳回。"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=900)
    ap.add_argument("--seed", type=int, default=20261121)
    ap.add_argument("--out", type=Path, default=Path(__file__).with_name("labelled.jsonl"))
    a = ap.parse_args()
    g = Gen(a.seed)
    with a.out.open("w", encoding="utf-8") as f:
        for i in range(a.n):
            d = doc(g, i)
            d["doc_id"] = f"E{i:05d}"
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    print(f"{a.n} labelled texts → {a.out}")


if __name__ == "__main__":
    main()
