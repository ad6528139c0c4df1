"""ADDRESS on real complaint text: a place name followed by ordinary words that happen to end in a
suffix character (路 of 套路, 里 of 那里, 城 of 封城) or by an institution is no address; real
addresses still are, whole."""

import pytest

from xiaobao.engines.privacy.scanner import default_scanner


def addresses(text: str) -> list[str]:
    return [text[h.start:h.end] for h in default_scanner().scan(text) if h.type == "ADDRESS"]


@pytest.mark.parametrize("text", [
    "宁波银行白领贷套路！前两年因为资金周转",
    "资金问题，并且在深圳市住建部门约谈蛋壳公寓之后，微众银行",
    "上海全世界都知道封城了，我想问复工时间",
    "长春疫情严重导致封城，银行都不上班",
    "填错，怎么会发到秦皇岛那里去？当天本人",
    "当初去到武汉信用卡中心还款，有专员接待",
    "宁波银行组团活动规则写得不清楚",
    "我本人在铁岭手机店里看见的捷信工作人员",
    "给当地官方售后（兰州王府井天音）工作人员",
])
def test_ordinary_words_after_a_place_name_are_no_address(text):
    assert addresses(text) == []


@pytest.mark.parametrize("text,address", [
    ("办理好去到北海市海城区北部湾路东都对面工行", "北海市海城区北部湾路"),
    ("住在广州市越秀区中山北路5号，电话", "广州市越秀区中山北路5号"),
    ("家住浙江省杭州市西湖区文三路，离公司近", "浙江省杭州市西湖区文三路"),
    ("我在北京朝阳区建国路88号上班", "北京朝阳区建国路88号"),
    ("家住西安市临潼区澜泊湾6号楼1509室，电话", "西安市临潼区澜泊湾6号楼1509室"),
    ("居住地址河南省商丘市梁园区桂林路23号，联系电话", "河南省商丘市梁园区桂林路23号"),
])
def test_real_addresses_are_still_found_whole(text, address):
    assert addresses(text) == [address]
