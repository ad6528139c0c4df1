"""Normalise Chinese complaint texts for near-duplicate (template family) detection.

A 代理维权 agency fills one template in for each paying debtor: the name, the lender, the amounts,
the dates, the phone and ID numbers change, the rest does not. `normalize()` maps every such slot to
one placeholder character so that two fillings of the same template become (nearly) the same string:

    本人张三，身份证号110101199003071234，于2023年3月5日在招联金融借款30,000元 ...
    本人李小红，身份证号 320102198811112222，于 2024-01-09 在马上消费借款1.5万元 ...
    → 本人⟨名⟩身份证号⟨号⟩于⟨日⟩在⟨机构⟩借款⟨数⟩元 ...

Steps (all regular expressions are compiled once, at import or in `Normalizer.__init__`):
  1. NFKC (full-width letters, digits and punctuation → half-width) and lower-case;
  2. lender and platform names from `rules/blackgray_lenders.yaml` (of the rules in force; one trie-shaped regular
     expression, longest name wins) and generic forms (某某公司, 贵司, XX消费金融有限公司) → LENDER;
  3. dates and times (2025年3月5日, 3月5日, 2025-03-05, 二〇二三年三月, 14:30) → DATE;
  4. e-mail addresses and runs of ≥7 digits, possibly spaced, dashed or masked with * (mobile and
     landline numbers, ID and bank-card numbers) → DIGITS;
  5. numbers and amounts (30,000 / 1.5万 / 20% / 三千 / 两万五) → NUM (a following 元 stays);
  6. a 2–3 character name (common surname first) after a cue such as 我叫/本人/姓名/委托人/代理人 → NAME;
  7. whitespace, punctuation and symbols (Chinese and ASCII) are removed; runs of one placeholder
     collapse to one.

Placeholders are private-use characters (U+E001..U+E005) so they never collide with real text and
count as ordinary characters for shingling. Limits: names without a cue are not recognised (a template
that writes "张三向贵司借款" keeps 张三); a cue followed by an ordinary word that starts with a surname
character may be masked as a name — harmless for similarity, since both sides are masked alike.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from xiaobao.rules import RulesError, read_yaml, rules_dir

LENDER = "\ue001"
NAME = "\ue002"
DATE = "\ue003"
NUM = "\ue004"
DIGITS = "\ue005"
PLACEHOLDERS = (LENDER, NAME, DATE, NUM, DIGITS)

LENDERS_FILE = "blackgray_lenders.yaml"

# --- dates and times -------------------------------------------------------------------------------
_CN_D = "〇零一二两三四五六七八九十"
_DATE_RE = re.compile(
    rf"(?=[\d{_CN_D}])(?:"
    r"\d{2,4}\s*[年./-]\s*\d{1,2}\s*[月./-]\s*\d{1,2}\s*[日号]?"      # 2025年3月5日, 2025-03-05, 2025/3/5
    r"|\d{2,4}\s*年\s*\d{1,2}\s*月份?"                                # 2025年3月
    r"|\d{1,2}\s*月\s*\d{1,2}\s*[日号]"                               # 3月5日
    r"|(?:19|20)\d{2}\s*年(?:初|底|末)?"                              # 2023年
    rf"|[{_CN_D}]{{2,4}}年[{_CN_D}]{{1,3}}月(?:[{_CN_D}]{{1,3}}[日号])?"   # 二〇二三年三月五日
    rf"|[{_CN_D}]{{1,3}}月[{_CN_D}]{{1,3}}[日号]"                          # 三月五日
    r"|\d{1,2}[:：]\d{2}(?:[:：]\d{2})?"                              # 14:30
    r"|\d{1,2}\s*[点时](?:\s*\d{1,2}\s*分|半)?"                       # 10点, 10点30分
    r")"
)
# --- contact and account numbers -------------------------------------------------------------------
_EMAIL_RE = re.compile(r"[a-z0-9_.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+")
_DIGITS_RE = re.compile(r"(?<![\d*])(?=[+\d])\+?\d(?:[\d*]|[ -](?=[\d*])){6,}x?")  # ≥7 digits: phone, ID, card
# --- numbers and amounts ---------------------------------------------------------------------------
_CN_NUM = "零〇一二两三四五六七八九十百千万亿"
_NUM_RE = re.compile(
    rf"(?=[\d{_CN_NUM}])(?:"
    r"\d+(?:,\d{3})+(?:\.\d+)?(?:\s*[万千百亿wk])?"                    # 30,000
    r"|\d+(?:\.\d+)?(?:\s*[万千百亿wk])?"                             # 1.5万, 3000, 20
    rf"|[一二两三四五六七八九十][{_CN_NUM}]*[十百千万亿][{_CN_NUM}]*"       # 三千, 两万五, 一百二十
    rf"|[{_CN_NUM}]+(?=[元块])"                                        # 五元, 八块
    r")"
)
# --- person names after a cue ----------------------------------------------------------------------
_SURNAMES = (
    "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林高罗郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁余叶蒋杜苏魏程吕丁"
    "沈任姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵钱严赖覃"
    "洪武莫孔汤常温康施牛樊葛邢齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪"
    "梅童凌毕单季裴霍涂苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳穆农卓古吉缪简车项"
    "连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂佟臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖"
    "巩佘池查麻苑迟邝封谈匡鞠惠荆冀郁胥班储栗燕楚鄢劳谌奚皮粟冼蔺楼盘闻厉伊仝郜阚权帅屠朴盖练廉禹井"
    "祖漆巴丰支卿狄计索宣晋初容敬扈晁芮阙浦戈伏鹿薄邸雍辜羊裘亓修邰赫杭况宿鲜印逯隆茹诸战慕危亢嵇湛"
    "宾戎勾茅揭尉冶斯束檀衣展阴昝智幸奉植衡富尧"
)
_COMPOUND = "欧阳|司马|诸葛|上官|东方|皇甫|尉迟|公孙|慕容|令狐|长孙|宇文|司徒|夏侯|端木|独孤|南宫|西门"
_CUES = ("我叫|本人姓名|本人|姓名|名叫|委托人|代理人|受托人|申请人|投诉人|借款人|当事人|联系人|"
         "客户|消费者|母亲|父亲|妻子|丈夫|儿子|女儿")
_AFTER_NAME = ("[^\u4e00-\u9fff]|$|身份|证件|因|于|在|是|的|向|从|自|由|现|男|女|与|和|及|系|借|曾|今|住|"
               "电话|手机|联系|性别|出生|年龄|就|已|特|对|通过|名下|之前|此前|先生|女士|委托|授权|共|一直|不|"
               "本|我|他|她|被|让|把|要|想|也|都|还|在|说|称|签|办|申请|投诉|反映")
_NAME_RE = re.compile(
    rf"({_CUES})([:：\s]*(?:是|为)?[:：\s]*)"
    rf"(?:{_COMPOUND}|[{_SURNAMES}])[\u4e00-\u9fff]{{1,2}}?(?={_AFTER_NAME})"
)
_COMPANY_SUFFIX = "(?:(?:股份)?(?:有限)?(?:责任)?公司|集团)?"
# --- clean-up --------------------------------------------------------------------------------------
_PH = "".join(PLACEHOLDERS)
_DROP_RE = re.compile(rf"[^\w{_PH}]+|_+")
_COLLAPSE_RE = re.compile(rf"([{_PH}])\1+")


_FULLWIDTH_RE = re.compile("[\uff01-\uff5e\u3000]")


def _halfwidth(m: re.Match) -> str:
    """Full-width ASCII → half-width, as NFKC does, without NFKC's cost on every CJK character."""
    c = ord(m.group())
    return " " if c == 0x3000 else chr(c - 0xFEE0)


def nfkc(text: str) -> str:
    """`unicodedata.normalize("NFKC", text)`, fast on Chinese text: full-width forms (，：１２Ａ) are
    what usually keeps a complaint from being NFKC already, and they map to one ASCII character each
    (their NFKD is that character, so mapping them first changes nothing NFKC does); the rest is
    normalised only when it is not NFKC already."""
    s = _FULLWIDTH_RE.sub(_halfwidth, text)
    return s if unicodedata.is_normalized("NFKC", s) else unicodedata.normalize("NFKC", s)


def _trie_regex(words: Iterable[str]) -> str:
    """One regular expression for many literal words, shaped as a trie: at each position only the
    branch of the next character is tried, and longer words win (quantified optional suffixes)."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch != ""]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            return "(?:" + body + ")?"
        return body

    return build(trie)


def load_lenders(directory: str | Path | None = None) -> tuple[list[str], list[str]]:
    """Lender names and generic patterns from `blackgray_lenders.yaml` of the rules in force."""
    data = read_yaml(LENDERS_FILE, directory)
    names = []
    for n in data.get("lenders") or ():
        n = unicodedata.normalize("NFKC", str(n)).lower().strip()
        if n and n not in names:
            names.append(n)
    patterns = [str(p) for p in data.get("generic_patterns") or ()]
    for p in patterns:
        try:
            re.compile(p)
        except re.error as e:
            raise RulesError(f"{LENDERS_FILE}: generic_patterns 中的正则表达式无效 (invalid regex) {p!r}：{e}") from e
    return names, patterns


class Normalizer:
    """Slot-masking normaliser; build once (regular expressions are compiled here) and reuse."""

    def __init__(self, lenders: Iterable[str] | None = None, generic_patterns: Iterable[str] | None = None,
                 directory: str | Path | None = None):
        if lenders is None or generic_patterns is None:
            file_names, file_patterns = load_lenders(directory)
            lenders = file_names if lenders is None else lenders
            generic_patterns = file_patterns if generic_patterns is None else generic_patterns
        names = [unicodedata.normalize("NFKC", n).lower() for n in lenders if n]
        # a name may carry a company-form suffix (重庆蚂蚁消费金融有限公司): swallow it with the name
        self._names_re = re.compile(_trie_regex(names) + _COMPANY_SUFFIX) if names else None
        # generic patterns run one by one (one big alternation is several times slower); a pattern
        # ending in 公司 only runs when the text contains 公司
        self._generic = [(re.compile(p), "公司" if p.endswith("公司") else None) for p in generic_patterns]

    def __call__(self, text: str) -> str:
        return self.normalize(text)

    def normalize(self, text: str) -> str:
        s = nfkc(text).lower()
        if self._names_re is not None:
            s = self._names_re.sub(LENDER, s)
        for pattern, needle in self._generic:
            if needle is None or needle in s:
                s = pattern.sub(LENDER, s)
        s = _DATE_RE.sub(DATE, s)
        if "@" in s:
            s = _EMAIL_RE.sub(DIGITS, s)
        s = _DIGITS_RE.sub(DIGITS, s)
        s = _NUM_RE.sub(NUM, s)
        s = _NAME_RE.sub(lambda m: m.group(1) + NAME, s)
        s = _DROP_RE.sub("", s)
        return _COLLAPSE_RE.sub(r"\1", s)


def default_normalizer(directory: str | Path | None = None) -> Normalizer:
    """The normaliser on the lender list in force, built once per process and rules directory."""
    return _normalizer(rules_dir(directory))


@lru_cache(maxsize=8)
def _normalizer(directory: Path) -> Normalizer:
    return Normalizer(directory=directory)


def normalize(text: str) -> str:
    """Normalise one complaint text with the lender list in force (see module docstring)."""
    return default_normalizer().normalize(text)


def readable(normalized: str) -> str:
    """The normalised text with placeholders spelled out, for explanations and debugging."""
    return (normalized.replace(LENDER, "⟨机构⟩").replace(NAME, "⟨名⟩").replace(DATE, "⟨日⟩")
            .replace(NUM, "⟨数⟩").replace(DIGITS, "⟨号⟩"))
