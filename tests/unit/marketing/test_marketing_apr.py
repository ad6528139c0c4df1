"""APR arithmetic against independent computations: polynomial roots (numpy) and the closed-form
annuity payment, and Chinese rate expressions read the way PBOC 公告〔2021〕第3号 asks."""

from __future__ import annotations

import numpy as np
import pytest

from xiaobao.engines.marketing.apr import (
    daily_apr,
    fee_quote_apr,
    monthly_apr,
    payment_quote_apr,
    periodic_irr,
)
from xiaobao.engines.marketing.normalize import views
from xiaobao.engines.marketing.rates import cn_number, fraction, read_rates


def irr_by_roots(principal: float, payment: float, n: int) -> float:
    """Independent IRR: the real positive root x = 1/(1+r) of  -P + pmt·(x + x² + … + xⁿ) = 0."""
    coeffs = [payment] * n + [-principal]  # highest power first: pmt·xⁿ + … + pmt·x − P
    roots = np.roots(coeffs)
    x = next(z.real for z in roots if abs(z.imag) < 1e-9 and 0 < z.real < 1)
    return 1 / x - 1


@pytest.mark.parametrize("fee,n", [(0.006, 12), (0.0075, 24), (0.01, 3), (0.002, 36), (0.0045, 6)])
def test_fee_quote_apr_equals_the_irr_of_the_real_cash_flows(fee, n):
    r = irr_by_roots(1.0, 1 / n + fee, n)
    got = fee_quote_apr(fee, n)
    assert got.apr == pytest.approx(r * 1200, abs=1e-6)
    assert got.effective == pytest.approx(((1 + r) ** 12 - 1) * 100, abs=1e-6)
    assert "IRR" in got.method and f"{n}期" in got.method


def test_the_classic_0_6_percent_a_month_for_12_months_is_about_13_percent_not_7_2():
    assert fee_quote_apr(0.006, 12).apr == pytest.approx(13.03, abs=0.01)


@pytest.mark.parametrize("rate,n", [(0.01, 12), (0.015, 24), (0.02, 6)])
def test_payment_quote_recovers_the_rate_of_a_closed_form_annuity(rate, n):
    payment = 10000 * rate / (1 - (1 + rate) ** -n)
    assert payment_quote_apr(10000, payment, n).apr == pytest.approx(rate * 1200, abs=1e-7)
    assert periodic_irr(10000, payment, n) == pytest.approx(rate, abs=1e-10)


def test_no_cost_means_zero_and_nonsense_is_refused():
    assert periodic_irr(1000, 100, 10) == 0.0
    with pytest.raises(ValueError):
        periodic_irr(0, 100, 10)


def test_simple_annualisation_says_so():
    assert daily_apr(0.0005).apr == pytest.approx(18.0) and "单利" in daily_apr(0.0005).method
    assert monthly_apr(0.01).apr == pytest.approx(12.0) and "×12" in monthly_apr(0.01).method


def test_chinese_numbers_and_rate_fractions():
    assert cn_number("十二") == 12 and cn_number("五") == 5 and cn_number("零点五") == 0.5
    assert fraction("万分之五") == pytest.approx(0.0005) and fraction("万5") == pytest.approx(0.0005)
    assert fraction("千分之一") == pytest.approx(0.001) and fraction("0.05%") == pytest.approx(0.0005)


def read(text):
    return read_rates(views(text).folded.text).mentions


@pytest.mark.parametrize("text,kind,apr", [
    ("日利率0.05%", "daily", 18.0), ("日息万分之五", "daily", 18.0), ("日息 万 3", "daily", 10.8),
    ("月利率1%", "monthly", 12.0), ("月息1.5%", "monthly", 18.0),
    ("借1万每天只要3元", "daily_cost", 10.8), ("每千元每天0.3元", "daily_cost", 10.8),
    ("年化利率（单利）7.2%起", "annual", 7.2), ("ＡＰＲ　１８％", "annual", 18.0),
])
def test_rate_expressions_are_read_and_annualised(text, kind, apr):
    m = read(text)
    assert len(m) == 1 and m[0].kind == kind and m[0].aprs[0] == pytest.approx(apr)


def test_a_range_and_a_fee_quote_with_several_terms_give_every_apr():
    (annual,) = read("综合年化成本7.2%-24%")
    assert annual.aprs == (7.2, 24.0)
    (fee,) = read("可分3/6/12期，每期手续费低至0.6%")
    assert [round(a, 3) for a in fee.aprs] == [round(fee_quote_apr(0.006, n).apr, 3) for n in (3, 6, 12)]
    (guess,) = read("每期手续费0.6%")
    assert guess.assumed_periods and guess.aprs[0] == pytest.approx(13.0342, abs=1e-3)


def test_investment_yield_is_not_a_loan_rate_and_a_daily_cost_without_figure_is_still_a_daily_rate():
    assert read("理财年化收益4.5%") == []
    (hint,) = read("日息低至几毛钱")
    assert hint.kind == "daily_hint" and hint.aprs == ()
