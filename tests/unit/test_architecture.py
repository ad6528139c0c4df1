"""docs/architecture.md names every area's file in every layer, and stays true as files move."""

import architecture_map as arch


def test_every_path_the_map_names_exists():
    assert arch.missing_paths() == []


def test_every_module_belongs_to_an_area():
    assert arch.modules_in_no_area() == []


def test_the_doc_shows_the_current_table():
    assert arch.DOC.read_text(encoding="utf-8") == arch.rendered_doc(), "run: python tests/architecture_map.py --write"


def test_pure_layers_import_no_outer_layer():
    outer = ("xiaobao.store", "xiaobao.services", "xiaobao.api", "xiaobao.web", "xiaobao.cli", "xiaobao.demo",
             "xiaobao.config")
    offenders = []
    for layer in ("domain", "engines"):
        for path in (arch.ROOT / "src" / "xiaobao" / layer).rglob("*.py"):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                words = line.split()
                if len(words) >= 2 and words[0] in ("from", "import") and words[1].startswith(outer):
                    offenders.append(f"{path.relative_to(arch.ROOT)}:{n}: {line.strip()}")
    assert offenders == []
