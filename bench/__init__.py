"""Benchmark and evaluation scripts: run each as a file (`.venv/bin/python bench/<name>.py --help`).

Not part of the installed package. Their scoring, where a user might run it too, lives in `src/xiaobao`
(e.g. `engines.blackgray.evaluation`, `demo.evaluation`); a script reads its data and prints. This file
makes the directory a package so that `tests/bench_scripts/` can import a script as `bench.<name>` (with
the repository root on `sys.path`, as it is under `python -m pytest` from the root) and check that it
still runs, instead of loading it by file path.
"""
