"""Black/gray test data shared by several test modules: the labelled evaluation set's complaints as
import records (fields only, no labels), for the engine tests that compare the batch scan with
incremental triage."""

from __future__ import annotations

from pathlib import Path

from xiaobao.engines.blackgray.evaluation import import_records, load

LABELLED = Path(__file__).resolve().parents[2] / "eval" / "blackgray" / "labelled.jsonl"


def labelled_records() -> list[dict]:
    return import_records(load(LABELLED))
