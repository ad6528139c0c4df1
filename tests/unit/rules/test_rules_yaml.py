"""Rules files read with libyaml (when PyYAML has it) give exactly what the pure-Python loader gives, and
the one loader (`xiaobao.rules.read_yaml`) resolves the directory and names the file it cannot use."""

from pathlib import Path

import pytest
import yaml

from xiaobao.rules import BUNDLED, RulesError, read_yaml, rules_dir, source

FILES = sorted(Path(BUNDLED).glob("*.yaml"))


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_bundled_rules_file_reads_the_same(path):
    fast, slow = read_yaml(path.name, BUNDLED), yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    assert fast == slow and repr(fast) == repr(slow)


def test_bad_yaml_is_a_rules_error_naming_the_file(tmp_path):
    (tmp_path / "clock.yaml").write_text("a: [1, 2\nb: 3", encoding="utf-8")
    with pytest.raises(RulesError, match="YAML") as e:
        read_yaml("clock.yaml", tmp_path)
    assert str(tmp_path.resolve() / "clock.yaml") in str(e.value)
    assert isinstance(e.value.__cause__, yaml.YAMLError)


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path):
    (tmp_path / "clock.yaml").write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(RulesError, match="映射"):
        read_yaml("clock.yaml", tmp_path)


def test_the_directory_is_the_argument_then_the_setting_then_the_bundled_rules(tmp_path, monkeypatch):
    monkeypatch.delenv("XIAOBAO_RULES_DIR", raising=False)
    assert rules_dir() == BUNDLED
    monkeypatch.setenv("XIAOBAO_RULES_DIR", str(tmp_path))
    assert rules_dir() == tmp_path.resolve()
    other = tmp_path / "other"
    other.mkdir()
    assert rules_dir(other) == other.resolve()
    # a file the institution's copy lacks is the bundled one
    (tmp_path / "clock.yaml").write_text("policies: {}\n", encoding="utf-8")
    assert source("clock.yaml") == tmp_path.resolve() / "clock.yaml"
    assert source("roles.yaml") == BUNDLED / "roles.yaml"


def test_a_rules_directory_that_does_not_exist_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("XIAOBAO_RULES_DIR", str(tmp_path / "missing"))
    with pytest.raises(RulesError, match="规则目录不存在"):
        read_yaml("clock.yaml")
