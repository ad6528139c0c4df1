"""Chinese rate expressions in marketing text, each turned into an annual percentage with its method.

Reads the `folded` view (full-width → half-width, lower case, no spaces; see `normalize`). Understood:

  年化利率(单利)7.2%起 · 年化7.2%-24% · 综合年化成本不超过24% · APR 18%        → stated annual rate(s)
  日利率0.05% · 日息万分之五 · 日息万5 · 日费率千分之一                          → daily rate, × 360 (单利)
  月利率1% · 月息1.5%                                                         → monthly rate, × 12 (单利)
  每期手续费0.6% · 月费率0.75% · 分期服务费率0.5%（分12期 / 3/6/12期）          → fee on original principal,
                                                                               IRR (see `apr`)
  借1万每天只要3元 · 每千元每天0.3元 · 1000元日息低至0.2元                      → daily cost ÷ principal, × 360
  借1万元分12期，每期还款888.49元                                              → IRR of the payment
  日息低至…、每天只要几块钱 (no figure)                                          → a daily-rate mention, no value

A fee quote without a number of periods is priced at `assumed_periods` (12 by default) and says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from xiaobao.engines.marketing.apr import Annualised, daily_apr, fee_quote_apr, monthly_apr, payment_quote_apr

_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
             "九": 9}
_CN = "零〇一二两三四五六七八九十百千点"
_N = rf"(?:\d+(?:\.\d+)?|[{_CN}]+)"

_VALUE = rf"(?:\d+(?:\.\d+)?%|百分之{_N}|千分之{_N}|万分之{_N}|万[\d一二两三四五六七八九](?:\.\d+)?(?![\d万元块]))"
_RANGE = rf"(?P<v1>{_VALUE}|\d+(?:\.\d+)?(?=(?:-|~|—|至|到)\d+(?:\.\d+)?%))(?:(?:-|~|—|至|到)(?P<v2>{_VALUE}))?"
_GAP = r"[^%\d。；;!！?？\n]{0,12}?"

_ANNUAL = re.compile(
    r"(?P<kw>年化综合(?:资金|融资)?成本|综合年化(?:成本|利率|费率)?|年化(?:借款)?(?:利率|费率)|年化|年利率|年息|apr)"
    rf"(?!收益|回报)(?P<gap>{_GAP}){_RANGE}")
_DAILY = re.compile(rf"(?P<kw>日(?:综合)?(?:利率|费率|利息|息|化利率|化|均利率|手续费率?)|每日利率){_GAP}{_RANGE}")
_MONTHLY = re.compile(rf"(?P<kw>月(?:综合)?(?:利率|利息|息)|每期利率|每月利率){_GAP}{_RANGE}")
_FEE = re.compile(rf"(?P<kw>(?:每期|每月|分期|月|期)(?:仅收|只收|收取|仅需)?(?:综合)?(?:手续费|服务费|管理费|费)率?)"
                  rf"{_GAP}{_RANGE}")
_AMOUNT = r"(?P<amt>\d+(?:\.\d+)?|[一二两三四五六七八九十]+)?(?P<unit>万|千|百)?元?"
_DAILY_COST = re.compile(
    rf"(?:借|每借|每)?{_AMOUNT}[^。；;!！\n\d]{{0,8}}?(?:每天|每日|一天|1天|日)"
    r"(?:利息|息|费用|成本|仅需|仅|只要|只需|低至|才|最低|约|花|还|[:：]){0,4}"
    r"(?P<cost>\d+(?:\.\d+)?|[一二两三四五六七八九十]+)(?P<cu>元|块|毛|角|分钱)")
_DAILY_HINT = re.compile(r"日利率|日息|日费率|日利息|每天(?:只要|仅需|仅|低至|才)?(?:几|\d+(?:\.\d+)?)(?:块|元|毛)|"
                         r"万分之|一天(?:只要|仅需|仅|才)?(?:几|\d+(?:\.\d+)?)(?:块|元|毛)")
_PERIODS = re.compile(r"(?:分|共|可分)?(?P<ns>\d+(?:[/、,，或和及]\d+)*)(?:期|个月)")
_PAYMENT = re.compile(r"(?:每期|每月|月供)(?:还款?|仅需|只需|只要|仅|应还|约)*(?P<a>\d+(?:,\d{3})*(?:\.\d+)?)元")
_BORROW = re.compile(rf"借(?:款|钱)?{_AMOUNT}")
_SENTENCE = re.compile(r"[^。；;!！?？\n]+")
_UPPER = re.compile(r"[^。；;!！?？\n%\d]{0,8}?(?:最高|不超过|上限|封顶)(?:不超过|为|可达|至)?(?P<v>\d+(?:\.\d+)?%)")
_SIMPLE = re.compile(r"单利")
_COMPOUND = re.compile(r"复利")


def cn_number(s: str) -> float:
    """'0.05' / '五' / '十二' / '一百' / '零点五' → a number."""
    try:
        return float(s)
    except ValueError:
        pass
    if "点" in s:
        whole, frac = s.split("点", 1)
        return (cn_number(whole) if whole else 0) + float("0." + "".join(str(_CN_DIGIT[c]) for c in frac))
    total, current = 0, 0
    for c in s:
        if c in _CN_DIGIT:
            current = _CN_DIGIT[c]
        elif c in "十百千":
            total += (current or 1) * {"十": 10, "百": 100, "千": 1000}[c]
            current = 0
        else:
            raise ValueError(s)
    return float(total + current)


def fraction(value: str) -> float:
    """A rate as a fraction: '0.05%' → 0.0005, '万分之五' / '万5' → 0.0005, '千分之一' → 0.001."""
    if value.endswith("%"):
        return float(value[:-1]) / 100
    for prefix, scale in (("百分之", 100), ("千分之", 1000), ("万分之", 10000)):
        if value.startswith(prefix):
            return cn_number(value[len(prefix):]) / scale
    if value.startswith("万"):
        return cn_number(value[1:]) / 10000
    return float(value) / 100  # the bare first half of "7.2-24%"


def _amount(amt: str | None, unit: str | None) -> float | None:
    if amt is None and unit is None:
        return None
    base = cn_number(amt) if amt else 1.0
    return base * {"万": 10000, "千": 1000, "百": 100, None: 1}[unit]


@dataclass(frozen=True)
class RateMention:
    kind: str  # annual | daily | monthly | fee | daily_cost | payment | daily_hint
    start: int  # in the folded view
    end: int
    raw: str
    aprs: tuple[float, ...] = ()  # annual percent(s); empty when the text gives no figure
    method: str = ""
    method_en: str = ""
    effective: tuple[float, ...] = ()
    assumed_periods: bool = False
    stated_method: str = ""  # 单利 / 复利 when the text says which

    @property
    def small(self) -> bool:
        """A daily/monthly rate or per-period fee: the kinds that must not outshine the APR."""
        return self.kind in ("daily", "monthly", "fee", "daily_cost", "daily_hint", "payment")


@dataclass
class RateConfig:
    days_per_year: int = 360
    months_per_year: int = 12
    assumed_periods: int = 12


@dataclass
class RateReading:
    mentions: list[RateMention] = field(default_factory=list)

    @property
    def annual(self) -> list[RateMention]:
        return [m for m in self.mentions if m.kind == "annual"]

    @property
    def small(self) -> list[RateMention]:
        return [m for m in self.mentions if m.small]

    def all_aprs(self) -> list[float]:
        return [a for m in self.mentions for a in m.aprs]


def _values(m: re.Match) -> list[float]:
    out = [fraction(m.group("v1"))]
    if m.group("v2"):
        out.append(fraction(m.group("v2")))
    return out


def _overlaps(spans: list[tuple[int, int]], s: int, e: int) -> bool:
    return any(a < e and s < b for a, b in spans)


def read_rates(folded: str, config: RateConfig | None = None) -> RateReading:
    cfg = config or RateConfig()
    out: list[RateMention] = []
    taken: list[tuple[int, int]] = []
    stated = "单利" if _SIMPLE.search(folded) else "复利" if _COMPOUND.search(folded) else ""

    def add(m: RateMention):
        out.append(m)
        taken.append((m.start, m.end))

    # Each pattern runs only when its anchor character occurs: most sentences of an ad hold no rate.
    for m in _ANNUAL.finditer(folded) if ("年" in folded or "apr" in folded) else ():
        vals = [round(v * 100, 10) for v in _values(m)]
        end = m.end()
        if upper := _UPPER.match(folded, end):  # 年化利率最低7.2%，最高不超过24%
            vals.append(round(fraction(upper.group("v")) * 100, 10))
            end = upper.end()
        add(RateMention("annual", m.start(), end, folded[m.start():end], tuple(vals), "广告所示年化利率",
                        "annual rate as stated", stated_method=stated))
    for m in _FEE.finditer(folded) if "费" in folded else ():
        if _overlaps(taken, m.start(), m.end()):
            continue
        periods, assumed = _periods_near(folded, m.start(), cfg.assumed_periods)
        results = [fee_quote_apr(f, n, cfg.months_per_year) for f in _values(m) for n in periods]
        add(_priced("fee", m, results, assumed))
    for m in _DAILY.finditer(folded) if "日" in folded else ():
        if not _overlaps(taken, m.start(), m.end()):
            add(_priced("daily", m, [daily_apr(f, cfg.days_per_year) for f in _values(m)]))
    for m in _MONTHLY.finditer(folded) if ("月" in folded or "期利率" in folded) else ():
        if not _overlaps(taken, m.start(), m.end()):
            add(_priced("monthly", m, [monthly_apr(f, cfg.months_per_year) for f in _values(m)]))
    for m in _DAILY_COST.finditer(folded) if ("天" in folded or "日" in folded) else ():
        if _overlaps(taken, m.start(), m.end()):
            continue
        principal = _amount(m.group("amt"), m.group("unit"))
        cost = cn_number(m.group("cost")) * {"元": 1, "块": 1, "毛": 0.1, "角": 0.1, "分钱": 0.01}[m.group("cu")]
        if principal and principal >= 100:
            add(_priced("daily_cost", m, [daily_apr(cost / principal, cfg.days_per_year)]))
        else:
            add(RateMention("daily_hint", m.start(), m.end(), m.group()))
    for sent in _SENTENCE.finditer(folded) if ("借" in folded and "元" in folded) else ():
        text = sent.group()
        if "借" not in text:
            continue
        pay, borrow = _PAYMENT.search(text), _BORROW.search(text)
        periods = _PERIODS.search(text)
        if not (pay and borrow and periods) or _overlaps(taken, sent.start() + pay.start(), sent.start() + pay.end()):
            continue
        principal = _amount(borrow.group("amt"), borrow.group("unit"))
        n = int(periods.group("ns").split("/")[0].split("、")[0].split(",")[0].split("，")[0])
        if principal and n > 0:
            res = payment_quote_apr(principal, float(pay.group("a").replace(",", "")), n, cfg.months_per_year)
            s = sent.start() + min(borrow.start(), pay.start())
            e = sent.start() + max(pay.end(), periods.end())
            add(RateMention("payment", s, e, folded[s:e], (res.apr,), res.method, res.method_en,
                            (res.effective,) if res.effective is not None else ()))
    for m in _DAILY_HINT.finditer(folded):
        if not _overlaps(taken, m.start(), m.end()):
            add(RateMention("daily_hint", m.start(), m.end(), m.group()))
    out.sort(key=lambda r: r.start)
    return RateReading(out)


def _priced(kind: str, m: re.Match, results: list[Annualised], assumed: bool = False) -> RateMention:
    return RateMention(kind, m.start(), m.end(), m.group(), tuple(r.apr for r in results),
                       "；".join(dict.fromkeys(r.method for r in results)),
                       "; ".join(dict.fromkeys(r.method_en for r in results)),
                       tuple(r.effective for r in results if r.effective is not None), assumed)


def _periods_near(folded: str, at: int, default: int) -> tuple[list[int], bool]:
    """The instalment counts the text offers, nearest first; the default when it names none."""
    found = []
    for m in _PERIODS.finditer(folded):
        ns = [int(x) for x in re.split(r"[/、,，或和及]", m.group("ns")) if x.isdigit()]
        ns = [n for n in ns if 1 < n <= 360]
        if ns:
            found.append((abs(m.start() - at), ns))
    if not found:
        return [default], True
    found.sort(key=lambda x: x[0])
    return found[0][1], False
