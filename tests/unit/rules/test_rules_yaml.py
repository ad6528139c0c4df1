"""Rules files read with libyaml (when PyYAML has it) give exactly what the pure-Python loader gives."""

from pathlib import Path

import pytest
import yaml

from xiaobao.rules import BUNDLED, safe_load

FILES = sorted(Path(BUNDLED).glob("*.yaml"))


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_bundled_rules_file_reads_the_same(path):
    text = path.read_text(encoding="utf-8")
    fast, slow = safe_load(text), yaml.load(text, Loader=yaml.SafeLoader)
    assert fast == slow and repr(fast) == repr(slow)


def test_bad_yaml_still_raises_a_yaml_error():
    with pytest.raises(yaml.YAMLError):
        safe_load("a: [1, 2\nb: 3")
