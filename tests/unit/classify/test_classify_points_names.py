"""Every complaint point the rules name has an English name for the console's English view."""

from xiaobao.engines.classify.points import load_points, name_en


def test_every_point_rule_has_an_english_name():
    ex = load_points()
    assert len(ex.rules) >= 20
    for pid, rule in ex.rules.items():
        assert rule.name_en and rule.name_en.isascii() and rule.name_en != rule.name_zh, pid
        assert name_en(ex, pid, rule.name_zh) == rule.name_en


def test_points_without_a_rule_keep_their_stored_name():
    ex = load_points()
    assert name_en(ex, "fee:信用评估费", "信用评估费") == "Fee: 信用评估费"
    assert name_en(ex, "retired_point", "旧诉点") == "旧诉点"
