"""Deadline arithmetic over the real mainland calendar (chinese_calendar + lunardate estimate).

Counting per 投诉办法 Art.43 and 民法典 Art.201–203: calendar days, the day of receipt is not counted,
a last day that is a statutory rest day moves to the first working day after it; a 调休 make-up
working day is a working day, so a period ending on it does not move.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import chinese_calendar
import pytest

from xiaobao.domain.calendar import ChineseWorkCalendar, _qingming, estimated_statutory_holidays
from xiaobao.domain.clocks import (
    ClockState,
    Deadline,
    Pause,
    ReviewPolicy,
    days_left,
    deadline,
    is_overdue,
    review_request_open,
)
from xiaobao.rules import load

CAL = ChineseWorkCalendar()
RULES = load()
NFRA = RULES.regime.policy("nfra_standard")
PBOC = RULES.regime.policy("pboc_forwarded")


def _library_workday(d: date) -> bool:
    return chinese_calendar.is_workday(d)


# ---- basic counting -------------------------------------------------------------------------


def test_day_of_receipt_is_not_counted():
    # Received Monday 2025-03-03: day 1 is 03-04, day 15 is 03-18 (a Tuesday, a workday).
    d = deadline(date(2025, 3, 3), 15, CAL)
    assert d.nominal == date(2025, 3, 18)
    assert d.due == date(2025, 3, 18)
    assert not d.rolled
    assert not d.estimated


def test_one_day_period_ends_on_the_day_after_receipt():
    d = deadline(date(2025, 3, 3), 1, CAL)
    assert d.due == date(2025, 3, 4)


def test_zero_day_period_is_the_day_itself_when_a_workday():
    assert deadline(date(2025, 3, 3), 0, CAL).due == date(2025, 3, 3)


@pytest.mark.parametrize("days, paused", [(-1, 0), (15, -1)])
def test_negative_days_or_pauses_are_rejected(days, paused):
    with pytest.raises(ValueError):
        deadline(date(2025, 3, 3), days, CAL, paused)


def test_deadline_on_ordinary_saturday_rolls_to_monday():
    start = date(2025, 2, 28)  # nominal 2025-03-15 is an ordinary Saturday
    assert date(2025, 3, 15).weekday() == 5 and not _library_workday(date(2025, 3, 15))
    d = deadline(start, 15, CAL)
    assert d.nominal == date(2025, 3, 15)
    assert d.due == date(2025, 3, 17)
    assert d.due.weekday() == 0
    assert d.rolled


def test_deadline_on_ordinary_sunday_rolls_to_monday():
    d = deadline(date(2025, 3, 1), 15, CAL)  # nominal 2025-03-16, Sunday
    assert d.nominal.weekday() == 6
    assert d.due == date(2025, 3, 17)


# ---- statutory holidays --------------------------------------------------------------------


@pytest.mark.parametrize(
    "nominal, first_workday_after",
    [
        (date(2025, 10, 1), date(2025, 10, 9)),  # 2025 国庆+中秋: 10-01..10-08 off
        (date(2025, 10, 3), date(2025, 10, 9)),
        (date(2025, 10, 8), date(2025, 10, 9)),  # the last, a Wednesday, is still a holiday
        (date(2026, 10, 1), date(2026, 10, 8)),  # 2026 国庆: 10-01..10-07 off
        (date(2026, 10, 5), date(2026, 10, 8)),
        (date(2026, 10, 7), date(2026, 10, 8)),
    ],
)
def test_deadline_rolls_past_national_day_to_first_workday(nominal, first_workday_after):
    # The library agrees: every day from nominal to the day before is off, the result is on.
    assert all(not _library_workday(nominal + timedelta(k)) for k in range((first_workday_after - nominal).days))
    assert _library_workday(first_workday_after)
    d = deadline(nominal - timedelta(days=15), 15, CAL)
    assert d.nominal == nominal
    assert d.due == first_workday_after
    assert d.rolled and not d.estimated


@pytest.mark.parametrize(
    "nominal, first_workday_after",
    [
        (date(2025, 1, 28), date(2025, 2, 5)),  # 2025 春节: 01-28 (除夕) .. 02-04 off
        (date(2025, 1, 30), date(2025, 2, 5)),
        (date(2025, 2, 4), date(2025, 2, 5)),
        (date(2026, 2, 15), date(2026, 2, 24)),  # 2026 春节: 02-15 .. 02-23 off
        (date(2026, 2, 18), date(2026, 2, 24)),
        (date(2026, 2, 23), date(2026, 2, 24)),
    ],
)
def test_deadline_rolls_past_spring_festival_to_first_workday(nominal, first_workday_after):
    assert all(not _library_workday(nominal + timedelta(k)) for k in range((first_workday_after - nominal).days))
    assert _library_workday(first_workday_after)
    d = deadline(nominal - timedelta(days=30), 30, CAL)
    assert d.nominal == nominal
    assert d.due == first_workday_after
    assert d.rolled


def test_deadline_rolls_past_labour_day_2025():
    d = deadline(date(2025, 3, 3), 60, CAL)  # nominal 2025-05-02, inside 05-01..05-05
    assert d.nominal == date(2025, 5, 2)
    assert d.due == date(2025, 5, 6)


# ---- 调休 make-up working days ---------------------------------------------------------------


MAKE_UP_WORKDAYS = [
    date(2025, 1, 26),  # Sunday before 春节
    date(2025, 2, 8),  # Saturday after 春节
    date(2025, 9, 28),  # Sunday before 国庆
    date(2025, 10, 11),  # Saturday after 国庆
    date(2026, 2, 14),  # Saturday before 春节
    date(2026, 2, 28),  # Saturday after 春节
    date(2026, 9, 20),  # Sunday before 国庆
    date(2026, 10, 10),  # Saturday after 国庆
]


def test_make_up_workdays_are_real_library_weekend_workdays():
    for d in MAKE_UP_WORKDAYS:
        assert d.weekday() >= 5, d
        assert _library_workday(d), d
        assert d in chinese_calendar.get_workdays(d, d, include_weekends=True)


@pytest.mark.parametrize("make_up_day", MAKE_UP_WORKDAYS, ids=str)
def test_deadline_on_make_up_weekend_workday_does_not_roll(make_up_day):
    d = deadline(make_up_day - timedelta(days=15), 15, CAL)
    assert d.nominal == make_up_day
    assert d.due == make_up_day
    assert not d.rolled


def test_rolling_stops_on_a_make_up_workday_when_it_is_the_first_workday():
    # Local data makes Friday 2025-09-26 a rest day; Saturday 09-27 is an ordinary weekend day;
    # Sunday 09-28 is a 调休 make-up workday, so the period ends there rather than on Monday.
    cal = ChineseWorkCalendar(extra_holidays=[date(2025, 9, 26)])
    d = deadline(date(2025, 9, 11), 15, cal)  # nominal Friday 09-26 → Sat 09-27 off → Sun 09-28 make-up
    assert d.nominal == date(2025, 9, 26)
    assert d.due == date(2025, 9, 28)


# ---- pauses and extension stages -----------------------------------------------------------


def test_paused_days_are_added_day_for_day():
    plain = deadline(date(2025, 3, 3), 15, CAL)
    paused = deadline(date(2025, 3, 3), 15, CAL, paused_days=7)
    assert paused.nominal == plain.nominal + timedelta(days=7)
    assert paused.due == date(2025, 3, 25)


def test_pause_days_count_stop_day_but_not_resume_day():
    assert Pause(date(2025, 3, 5), date(2025, 3, 12), "appraisal").days == 7
    assert Pause(date(2025, 3, 5), date(2025, 3, 5), "appraisal").days == 0
    assert Pause(date(2025, 3, 5), None, "appraisal").days == 0


def test_clock_state_adds_closed_pauses():
    st = ClockState(NFRA, date(2025, 3, 3), 0, (
        Pause(date(2025, 3, 5), date(2025, 3, 8), "appraisal"),
        Pause(date(2025, 3, 10), date(2025, 3, 14), "mediation"),
    ))
    assert not st.paused
    assert st.paused_days == 7
    assert st.deadline(CAL).due == date(2025, 3, 25)


def test_open_pause_means_no_deadline():
    st = ClockState(NFRA, date(2025, 3, 3), 0, (Pause(date(2025, 3, 5), None, "appraisal"),))
    assert st.paused
    assert st.deadline(CAL) is None


@pytest.mark.parametrize("level, days, due", [
    (0, 15, date(2025, 3, 18)),
    (1, 30, date(2025, 4, 2)),
    (2, 60, date(2025, 5, 6)),  # nominal 05-02 is inside the Labour Day holiday
])
def test_nfra_extension_stages_are_15_30_60_days(level, days, due):
    assert NFRA.stage(level).days == days
    d = ClockState(NFRA, date(2025, 3, 3), level).deadline(CAL)
    assert d.nominal == date(2025, 3, 3) + timedelta(days=days)
    assert d.due == due


def test_only_the_60_day_stage_needs_approval_and_notice():
    assert [(s.requires_approver, s.requires_notice) for s in NFRA.stages] == [
        (False, False), (False, False), (True, True)]


def test_pboc_forwarded_is_15_then_60_days_with_approval():
    assert [s.days for s in PBOC.stages] == [15, 60]
    assert PBOC.stages[1].requires_approver and PBOC.stages[1].requires_notice
    assert PBOC.review is None


def test_no_stage_beyond_the_last():
    with pytest.raises(ValueError):
        NFRA.stage(3)
    with pytest.raises(ValueError):
        NFRA.stage(-1)


def test_review_policy_is_30_days_to_ask_and_30_to_decide():
    assert (NFRA.review.request_within_days, NFRA.review.decide_within_days) == (30, 30)


# ---- years the library does not cover -------------------------------------------------------


def test_library_does_not_cover_2027():
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 3, 1))


def test_covered_years_are_not_estimated():
    assert not CAL.is_estimated(date(2025, 6, 1))
    assert not CAL.is_estimated(date(2026, 12, 31))


def test_deadline_in_uncovered_year_is_marked_estimated():
    assert CAL.is_estimated(date(2027, 3, 1))
    d = deadline(date(2027, 3, 1), 15, CAL)
    assert d.due == date(2027, 3, 16)
    assert d.estimated


def test_period_starting_in_covered_year_and_ending_in_2027_is_estimated():
    d = deadline(date(2026, 12, 20), 30, CAL)  # nominal 2027-01-19, Tuesday
    assert d.due == date(2027, 1, 19)
    assert d.estimated


def test_spring_festival_2027_is_treated_as_holiday_by_lunar_estimate():
    from lunardate import LunarDate

    assert LunarDate(2027, 1, 1).to_solar_date() == date(2027, 2, 6)  # 初一 is a Saturday
    # 除夕 Fri 02-05 to 初三 Mon 02-08 are estimated days off; Tue 02-09 is the first workday.
    for d in (date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)):
        assert not CAL.is_workday(d), d
    assert CAL.is_workday(date(2027, 2, 9))
    dl = deadline(date(2027, 2, 5) - timedelta(days=15), 15, CAL)
    assert dl.nominal == date(2027, 2, 5)
    assert dl.due == date(2027, 2, 9)
    assert dl.estimated and dl.rolled


def test_estimated_year_rolls_past_statutory_national_day():
    # 2027-10-01 is a Friday; 10-01..10-03 statutory, Monday 10-04 is a workday in the estimate.
    dl = deadline(date(2027, 9, 16), 15, CAL)
    assert dl.nominal == date(2027, 10, 1)
    assert dl.due == date(2027, 10, 4)
    assert dl.estimated


def test_estimate_follows_2024_holiday_measures_13_days():
    days = estimated_statutory_holidays(2027)
    assert len(days) == 13
    assert {date(2027, 1, 1), date(2027, 5, 1), date(2027, 5, 2), date(2027, 10, 1), date(2027, 10, 2),
            date(2027, 10, 3), date(2027, 4, 5)} <= days


@pytest.mark.parametrize("year", [2025, 2026])
def test_estimated_holidays_are_real_holidays_in_published_years(year):
    # The estimate must never call a published day off a workday (it only lacks 调休 bridging days).
    for d in estimated_statutory_holidays(year):
        assert not _library_workday(d), d


@pytest.mark.parametrize("year", range(2008, 2027))
def test_qingming_approximation_matches_library(year):
    detail = chinese_calendar.get_holiday_detail(_qingming(year))
    assert detail[1] == chinese_calendar.Holiday.tomb_sweeping_day.value, (year, _qingming(year))


# ---- institution data (calendar.yaml) overrides ---------------------------------------------


def test_extra_holiday_overrides_library_workday():
    cal = ChineseWorkCalendar(extra_holidays=[date(2025, 3, 18)])
    assert not cal.is_workday(date(2025, 3, 18))
    assert deadline(date(2025, 3, 3), 15, cal).due == date(2025, 3, 19)


def test_extra_workday_overrides_library_holiday():
    cal = ChineseWorkCalendar(extra_workdays=[date(2025, 10, 8)])
    d = deadline(date(2025, 9, 23), 15, cal)
    assert d.nominal == date(2025, 10, 8)
    assert d.due == date(2025, 10, 8)


def test_loaded_schedule_for_2027_replaces_the_estimate():
    # Published-style data: 春节 02-05..02-11 off, Saturday 02-20 a make-up workday.
    holidays = [date(2027, 2, 5) + timedelta(k) for k in range(7)]
    cal = ChineseWorkCalendar(extra_holidays=holidays, extra_workdays=[date(2027, 2, 20)])
    assert not cal.is_estimated(date(2027, 2, 10))
    assert not cal.is_workday(date(2027, 2, 10))  # a Wednesday the estimate would call a workday
    assert CAL.is_workday(date(2027, 2, 10))
    assert cal.is_workday(date(2027, 2, 20))
    d = deadline(date(2027, 2, 20) - timedelta(days=15), 15, cal)
    assert d.due == date(2027, 2, 20) and not d.estimated
    d = deadline(date(2027, 2, 7) - timedelta(days=15), 15, cal)
    assert d.due == date(2027, 2, 12) and not d.estimated


def test_calendar_yaml_in_rules_dir_is_loaded(tmp_path):
    (tmp_path / "calendar.yaml").write_text(
        "holidays: [2027-10-01, 2027-10-04, 2027-10-05]\nworkdays: ['2027-09-26']\n", encoding="utf-8")
    cal = load(tmp_path).regime.calendar
    assert not cal.is_workday(date(2027, 10, 4))
    assert cal.is_workday(date(2027, 9, 26))  # a Sunday
    assert not cal.is_estimated(date(2027, 10, 4))
    d = deadline(date(2027, 9, 19), 15, cal)  # nominal Mon 10-04
    assert d.due == date(2027, 10, 6) and not d.estimated
    # the bundled calendar.yaml has no data, so 2027 stays estimated there
    assert load().regime.calendar.is_estimated(date(2027, 10, 4))


def test_calendar_yaml_with_bad_date_is_refused(tmp_path):
    from xiaobao.rules import RulesError

    (tmp_path / "calendar.yaml").write_text("holidays: ['2027-13-01']\n", encoding="utf-8")
    with pytest.raises(RulesError, match="calendar.yaml"):
        load(tmp_path)


# ---- helpers --------------------------------------------------------------------------------


def test_days_left_is_zero_on_last_day_and_negative_when_overdue():
    assert days_left(date(2025, 3, 18), date(2025, 3, 18)) == 0
    assert days_left(date(2025, 3, 18), date(2025, 3, 15)) == 3
    assert days_left(date(2025, 3, 18), date(2025, 3, 19)) == -1


def test_period_ends_at_midnight_of_the_last_day():
    assert not is_overdue(date(2025, 3, 18), datetime(2025, 3, 18, 23, 59, 59))
    assert is_overdue(date(2025, 3, 18), datetime(2025, 3, 19, 0, 0))
    assert not is_overdue(None, datetime(2030, 1, 1))


def test_review_request_open_within_window():
    p = ReviewPolicy(30, 30)
    assert review_request_open(date(2025, 3, 1), date(2025, 3, 31), p)
    assert not review_request_open(date(2025, 3, 1), date(2025, 4, 1), p)


def test_deadline_rolled_property():
    assert Deadline(date(2025, 3, 17), date(2025, 3, 15), False).rolled
    assert not Deadline(date(2025, 3, 17), date(2025, 3, 17), False).rolled
