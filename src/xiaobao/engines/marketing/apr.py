"""Annualised rates the way PBOC 公告〔2021〕第3号 asks: every cost included, over the principal
actually in use, annualised; the method is always stated.

- Daily and monthly rates: simple annualisation (日 × 360, 月 × 12, Chinese banking convention;
  the announcement allows simple if it says so — our result says "单利").
- Per-instalment fee quotes (每期手续费 x%, fee on the ORIGINAL principal every period, principal repaid
  in equal parts): the borrower really pays P/n + P·f each period while the balance shrinks, so the
  cost is the internal rate of return r of  P = Σ pmt/(1+r)^k, k = 1..n.  APR = 12·r (nominal, the
  figure lenders display), and the effective annual rate (1+r)^12 − 1 is reported beside it.
- Payment quotes (借 P 分 n 期 每期还 A): the same IRR on the quoted payment.

The IRR is found by Newton's method on the annuity equation, safeguarded by bisection: the present
value of a level payment is strictly decreasing in r, so the bracket [0, 1] per period always holds the
single root for any payment above P/n. Accurate to 1e-12 per period in a handful of iterations.
"""

from __future__ import annotations

from dataclasses import dataclass

PERIODS_PER_YEAR = 12


@dataclass(frozen=True, slots=True)
class Annualised:
    apr: float  # percent, nominal
    method: str  # human-readable, Chinese
    method_en: str
    effective: float | None = None  # percent, compound


def annuity_pv(rate: float, n: int, payment: float) -> float:
    if rate == 0:
        return payment * n
    return payment * (1 - (1 + rate) ** -n) / rate


def periodic_irr(principal: float, payment: float, n: int, *, tol: float = 1e-13, max_iter: int = 100) -> float:
    """Per-period IRR of receiving `principal` and paying `payment` n times (end of each period)."""
    if principal <= 0 or payment <= 0 or n <= 0:
        raise ValueError("principal, payment and n must be positive")
    if payment * n <= principal:
        return 0.0  # nothing paid beyond principal: no cost (or a rebate); not a loan price
    lo, hi = 0.0, 1.0
    while annuity_pv(hi, n, payment) > principal:  # absurd prices: widen until bracketed
        hi *= 2
    # First guess: the flat-rate approximation 2·n·c / (P·(n+1)) for total cost c; close for consumer loans.
    r = min(hi / 2, max(1e-9, 2 * (payment * n - principal) / (principal * (n + 1))))
    for _ in range(max_iter):
        f = annuity_pv(r, n, payment) - principal
        if abs(f) < tol * principal:
            return r
        if f > 0:
            lo = r
        else:
            hi = r
        # d/dr of the annuity PV
        v = (1 + r) ** -n
        d = payment * (n * v / (1 + r) / r - (1 - v) / r ** 2)
        nr = r - f / d if d else (lo + hi) / 2
        r = nr if lo < nr < hi else (lo + hi) / 2
        if hi - lo < 1e-15:
            return r
    return r


def fee_quote_apr(fee_per_period: float, n: int, periods_per_year: int = PERIODS_PER_YEAR) -> Annualised:
    """fee_per_period as a fraction of the original principal (0.006 for 0.6%)."""
    payment = 1.0 / n + fee_per_period
    r = periodic_irr(1.0, payment, n)
    return Annualised(r * periods_per_year * 100,
                      f"内部收益率法（IRR）：每期费率{fee_per_period * 100:g}%、{n}期等额，月IRR×{periods_per_year}",
                      f"IRR: {fee_per_period * 100:g}% fee per period on original principal, {n} equal "
                      f"instalments, monthly IRR × {periods_per_year}",
                      ((1 + r) ** periods_per_year - 1) * 100)


def payment_quote_apr(principal: float, payment: float, n: int,
                      periods_per_year: int = PERIODS_PER_YEAR) -> Annualised:
    r = periodic_irr(principal, payment, n)
    return Annualised(r * periods_per_year * 100,
                      f"内部收益率法（IRR）：借{principal:g}元分{n}期每期还{payment:g}元，月IRR×{periods_per_year}",
                      f"IRR: borrow {principal:g}, {n} payments of {payment:g}, monthly IRR × {periods_per_year}",
                      ((1 + r) ** periods_per_year - 1) * 100)


def daily_apr(daily_fraction: float, days_per_year: int = 360) -> Annualised:
    return Annualised(daily_fraction * days_per_year * 100, f"单利：日利率×{days_per_year}",
                      f"simple: daily rate × {days_per_year}")


def monthly_apr(monthly_fraction: float, months: int = 12) -> Annualised:
    return Annualised(monthly_fraction * months * 100, f"单利：月利率×{months}", f"simple: monthly rate × {months}")
