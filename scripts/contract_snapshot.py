"""Record what the product says on fixed input, so a structural change can be shown to change nothing.

    python scripts/contract_snapshot.py OUTDIR

writes, under OUTDIR:
- `cli/*.out`: the offline CLI contracts (`marketing check`, `pii scan`, `collection inspect`,
  `blackgray scan`) on the repository's evaluation files, with their exit codes;
- `api/*.json` and `ui/*.html`: every GET route of the API and the console, as admin and as agent1,
  on a demo database built with a fixed clock and a fixed key file.

Run it before and after a change and `diff -r` the two directories. Only what cannot be the same twice
is normalised: CSRF tokens, bearer tokens and the audit chain's hashes (AES nonces differ per run, so
the audit entries that record ciphertext digests hash differently).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXED_NOW = datetime(2026, 11, 21, 12, 0, 0)
CLI_CASES = [
    ("marketing_check", ["marketing", "check", "eval/marketing/materials.jsonl", "--out", "{out}"], "{out}"),
    ("pii_scan", ["pii", "scan", "eval/pii/labelled.jsonl", "--out", "{out}"], "{out}"),
    ("collection_inspect", ["collection", "inspect", "eval/collection/calls.jsonl", "--out", "{out}"], "{out}"),
    ("blackgray_scan", ["blackgray", "scan", "eval/blackgray/labelled.jsonl", "--out", "{out}"], "{out}"),
]
VOLATILE = [
    (re.compile(r'name="csrf[^"]*" value="[^"]+"'), 'name="csrf" value="…"'),
    (re.compile(r'(csrf[-_a-z]*["\']?\s*[:=]\s*["\'])[^"\']+'), r"\1…"),
    (re.compile(r'"X-CSRF-Token": "[0-9a-f]+"'), '"X-CSRF-Token": "…"'),
    (re.compile(r"\b[0-9a-f]{64}\b"), "<sha256>"),
    (re.compile(r"\?v=[0-9a-f]{6,}"), "?v=…"),
]


def normalise(text: str) -> str:
    for pattern, repl in VOLATILE:
        text = pattern.sub(repl, text)
    return text


def snapshot_cli(out: Path) -> None:
    (out / "cli").mkdir(parents=True, exist_ok=True)
    exe = str(Path(sys.executable).with_name("xiaobao"))
    for name, args, out_file in CLI_CASES:
        target = out / "cli" / f"{name}.file"
        argv = [exe] + [a.replace("{out}", str(target)) for a in args]
        run = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
        body = run.stdout + (target.read_text(encoding="utf-8") if out_file else "")
        (out / "cli" / f"{name}.out").write_text(f"exit {run.returncode}\n{run.stderr[-2000:]}\n{normalise(body)}",
                                                  encoding="utf-8")
        target.unlink(missing_ok=True)


def _demo_context(db: Path):
    from xiaobao.config import Settings
    from xiaobao.services import context as context_module

    settings = Settings(database_url=f"sqlite:///{db}", keyfile=str(db.parent / "demo-keys.json"))
    ctx = context_module.open_context(settings)
    ctx.now = lambda: FIXED_NOW
    return ctx


def _load_demo(ctx):
    import importlib

    # The demo moved in issue 16; the module is named by string so the script runs on either side of it.
    for name in ("xiaobao.demo.complaints", "xiaobao.services" + ".demo"):
        try:
            return importlib.import_module(name).load_demo(ctx)
        except ModuleNotFoundError:
            continue
    raise SystemExit("no demo module found")


def _get_routes(app) -> list[str]:
    """API GET paths from the OpenAPI document; console paths from every page module's own router."""
    import importlib
    import pkgutil

    from xiaobao.web import pages

    paths = [p for p, ops in app.openapi()["paths"].items() if "get" in ops]
    for info in pkgutil.walk_packages(pages.__path__, pages.__name__ + "."):
        router = getattr(importlib.import_module(info.name), "router", None)
        for route in getattr(router, "routes", ()):
            if "GET" in (getattr(route, "methods", None) or ()):
                paths.append(route.path)
    return sorted({p for p in paths if "{" not in p and not p.startswith(("/ui/static", "/docs", "/redoc"))})


def snapshot_app(out: Path, workdir: Path) -> None:
    from fastapi.testclient import TestClient

    from xiaobao.api.app import create_app

    db = workdir / "demo.db"
    # The same key both times, so blind indexes (and what is grouped by them) are comparable.
    keys = Path(os.environ.get("SNAPSHOT_KEYS", "/tmp/xiaobao-snapshot-keys.json"))
    if keys.exists():
        (workdir / "demo-keys.json").write_text(keys.read_text())
    ctx = _demo_context(db)
    if not keys.exists():
        keys.write_text((workdir / "demo-keys.json").read_text())
    summary = _load_demo(ctx)
    (out / "demo_summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1, sort_keys=True,
                                                      default=str))
    app = create_app(ctx)
    paths = _get_routes(app)
    (out / "routes.txt").write_text("\n".join(paths) + "\n")
    for user in ("admin", "agent1", "supervisor1"):
        client = TestClient(app)
        login = client.post("/auth/login", json={"username": user, "password": "xiaobao-demo"})
        token = login.json().get("access_token") or login.json().get("token")
        ui = TestClient(app)
        form = ui.get("/ui/login").text  # the login form's CSRF pair, where the release has one
        csrf = re.search(r'name="csrf" value="([^"]+)"', form)
        ui.post("/ui/login", data={"username": user, "password": "xiaobao-demo", **({"csrf": csrf[1]} if csrf else {})},
                follow_redirects=False)
        ids = [c["id"] for c in client.get("/complaints", params={"limit": 5},
                                           headers={"Authorization": f"Bearer {token}"}).json().get("items", [])]
        samples = [f"/complaints/{i}" for i in ids] + [f"/ui/complaints/{i}" for i in ids]
        for path in paths + samples:
            if path.startswith("/ui"):
                response = ui.get(path, follow_redirects=False)
            else:
                response = client.get(path, headers={"Authorization": f"Bearer {token}"})
            kind = "ui" if path.startswith("/ui") else "api"
            name = (path.strip("/").replace("/", "_") or "root") + f".{user}"
            (out / kind).mkdir(exist_ok=True)
            (out / kind / name).write_text(f"{response.status_code}\n{normalise(response.text)}", encoding="utf-8")


def main() -> None:
    out = Path([a for a in sys.argv[1:] if not a.startswith("--")][0]).resolve()
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    snapshot_cli(out)
    if "--cli-only" in sys.argv:
        return
    with tempfile.TemporaryDirectory() as tmp:
        snapshot_app(out, Path(tmp))


if __name__ == "__main__":
    main()
