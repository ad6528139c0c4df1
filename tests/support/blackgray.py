"""Black/gray test data shared by several test modules: the labelled evaluation set's complaints as
import records (fields only, no labels), for the engine tests that compare the batch scan with
incremental triage; and the template gang and genuine complaints the platform tests submit."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import record
from xiaobao.engines.blackgray.evaluation import import_records, load

LABELLED = Path(__file__).resolve().parents[2] / "eval" / "blackgray" / "labelled.jsonl"


def labelled_records() -> list[dict]:
    return import_records(load(LABELLED))


GANG_TEXT = ("本人{name}于{year}年在贵司借款{amount}元，因{story}无力偿还，贵司催收严重影响生活。现要求停息挂账、"
             "减免全部利息罚息、本金分{n}期偿还，否则将向银保监会、人民银行投诉并起诉。委托代理人张律师，联系电话 139-1234-5678。")
STORIES = ["疫情失业收入骤降", "生病住院花光积蓄", "生意失败负债累累", "家人重病需要照顾", "公司裁员没有收入",
           "车祸受伤无法工作"]
NAMES = ["王伟", "李娜", "赵敏", "钱坤", "孙丽", "周杰"]
GENUINE = [
    "我要去12378投诉你们！上个月自动扣款扣了两次，客服一直说在处理，到现在也没退。",
    "你好，我最近手头紧，想问问能不能协商还款，分几个月还，我不是不还。",
    "APP上显示的年化利率和合同不一致，请解释一下多收的钱怎么算的。",
    "催收员给我单位同事打电话说我欠钱，这让我很难堪，请停止骚扰第三人。",
]


def gang(i: int, **over) -> dict:
    """The i-th filing of one proxy agency's template (its agent's phone in the text; name, story, figures vary)."""
    text = GANG_TEXT.format(name=NAMES[i % 6], year=2023 + i % 3, amount=10000 + 1237 * i, story=STORIES[i % 6],
                            n=24 + 12 * (i % 4))
    base = record(100 + i, external_id=f"GANG-{i:03d}", customer_name=NAMES[i % 6], customer_id_number="",
                  customer_phone=f"1380013{i:04d}", text=text, received_at=f"2026-11-{10 + i % 8:02d} 09:30:00",
                  category="other")
    base.update(over)
    return base


def genuine(i: int) -> dict:
    """A genuine customer's complaint, some in words an agency also uses."""
    return record(500 + i, external_id=f"OK-{i:03d}", customer_id_number="", customer_phone=f"1370013{i:04d}",
                  text=GENUINE[i % len(GENUINE)], category="other")
