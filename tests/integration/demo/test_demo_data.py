"""The demo's text tables (src/xiaobao/demo/data/*.yaml): what YAML would silently turn into something
else is an error naming the file and the entry, and every table in them is one the demo reads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from xiaobao.demo import data


@pytest.fixture
def tables(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "DATA", tmp_path)
    data.load.cache_clear()
    yield tmp_path
    data.load.cache_clear()


def test_unquoted_numbers_and_yes_no_are_refused_not_converted(tables: Path):
    (tables / "t.yaml").write_text("prefixes: [130, '131']\nwords: [yes, 好]\nweights: {a: 1, b: 'x'}\n"
                                   "rows: [['410105', 河南省, 6]]\n", encoding="utf-8")
    with pytest.raises(data.DemoDataError, match=r"t\.yaml: prefixes\[0\].*130"):
        data.texts("t", "prefixes")
    with pytest.raises(data.DemoDataError, match=r"t\.yaml: words\[0\].*True"):
        data.texts("t", "words")
    with pytest.raises(data.DemoDataError, match=r"t\.yaml: weights\.b"):
        data.weighted("t", "weights")
    assert data.rows("t", "rows", "ttw") == (("410105", "河南省", 6),)
    with pytest.raises(data.DemoDataError, match="应为 2 项的列表"):
        data.rows("t", "rows", "tt")
    with pytest.raises(data.DemoDataError, match="缺少 nothing.here"):
        data.get("t", "nothing.here")


def test_a_record_has_exactly_its_fields(tables: Path):
    (tables / "t.yaml").write_text("m: [{facts: 事实, requests: [诉求]}, {facts: 事实}]\n", encoding="utf-8")
    with pytest.raises(data.DemoDataError, match=r"m\[1\]: 应有且只有 facts, requests"):
        data.records("t", "m", {"facts": "t", "requests": "T"})


def test_every_table_in_the_data_files_is_read_by_the_demo():
    """A table added to a file but read by no generator would change nothing; say so instead."""
    script = """
import json
from xiaobao.demo import data
read, get = set(), data.get
def recording(name, key):
    read.add((name, key.split(".")[0]))
    return get(name, key)
data.get = recording
import xiaobao.demo.complaints, xiaobao.demo.collection, xiaobao.demo.marketing
print(json.dumps(sorted(read)))
"""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True).stdout
    read = {tuple(x) for x in json.loads(out)}
    in_files = {(p.stem, key) for p in data.DATA.glob("*.yaml") for key in data.load(p.stem)}
    assert in_files == read
