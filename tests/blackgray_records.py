"""The black/gray evaluation set's complaints as import records (fields only, no labels), for the
engine tests that compare the batch scan with incremental triage."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def labelled_records() -> list[dict]:
    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("blackgray_eval", root / "bench" / "blackgray_eval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [{k: r[k] for k in module.IMPORT_FIELDS} for r in module.load()]
