"""The table in docs/architecture.md: for each area, its files in every layer.

    python tests/architecture_map.py            # print the table
    python tests/architecture_map.py --write    # rewrite it in docs/architecture.md

The map below is the source; `tests/unit/test_architecture.py` fails when a path in it no longer exists,
when a module under src/xiaobao is in no area, or when the doc is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
BEGIN, END = "<!-- table:begin -->", "<!-- table:end -->"

LAYERS = ["domain", "engines", "rules", "store", "services", "api", "web", "cli", "tests", "docs"]
S = "src/xiaobao/"

AREAS: dict[str, dict[str, list[str]]] = {
    "complaints": {
        "domain": [S + "domain/complaint.py", S + "domain/clocks.py", S + "domain/calendar.py",
                   S + "domain/tiers.py", S + "domain/identity.py", S + "domain/ownership.py"],
        "rules": [S + "rules/channels.yaml", S + "rules/clock.yaml", S + "rules/calendar.yaml",
                  S + "rules/routing.yaml", S + "rules/taxonomy.yaml"],
        "store": [S + "store/complaints/"],
        "services": [S + "services/complaints/"],
        "api": [S + "api/routers/complaints.py"],
        "web": [S + "web/pages/complaints/", S + "web/templates/complaints/", S + "web/list_params.py"],
        "cli": [S + "cli/complaints.py"],
        "tests": ["tests/unit/complaints/", "tests/unit/domain/", "tests/integration/complaints/",
                  "tests/e2e/test_complaints_console.py"],
        "docs": ["README.md"],
    },
    "blackgray": {
        "engines": [S + "engines/blackgray/"],
        "rules": [S + "rules/blackgray.yaml", S + "rules/blackgray_lexicon.yaml", S + "rules/blackgray_lenders.yaml"],
        "store": [S + "store/blackgray/"],
        "services": [S + "services/blackgray/"],
        "api": [S + "api/routers/blackgray.py"],
        "web": [S + "web/pages/blackgray.py", S + "web/templates/blackgray/"],
        "cli": [S + "cli/blackgray.py"],
        "tests": ["tests/unit/blackgray/", "tests/integration/blackgray/"],
        "docs": ["docs/blackgray-engine.md"],
    },
    "marketing": {
        "engines": [S + "engines/marketing/"],
        "rules": [S + "rules/marketing_rules.yaml", S + "rules/marketing_rates.yaml",
                  S + "rules/marketing_normalize.yaml"],
        "store": [S + "store/marketing/"],
        "services": [S + "services/marketing/"],
        "api": [S + "api/routers/marketing.py"],
        "web": [S + "web/pages/marketing.py", S + "web/templates/marketing/"],
        "cli": [S + "cli/marketing.py"],
        "tests": ["tests/unit/marketing/", "tests/integration/marketing/"],
        "docs": ["docs/marketing.md"],
    },
    "privacy": {
        "engines": [S + "engines/privacy/"],
        "rules": [S + "rules/privacy_recognizers.yaml", S + "rules/privacy_policies.yaml",
                  S + "rules/privacy_gazetteer.yaml", S + "rules/privacy_common_words.yaml"],
        "store": [S + "store/privacy/"],
        "services": [S + "services/privacy/"],
        "api": [S + "api/routers/privacy.py", S + "api/privacy_middleware.py"],
        "cli": [S + "cli/privacy.py"],
        "tests": ["tests/unit/privacy/", "tests/integration/privacy/"],
        "docs": ["docs/privacy.md"],
    },
    "collection": {
        "engines": [S + "engines/collection/"],
        "rules": [S + "rules/collection_policy.yaml", S + "rules/collection_utterances.yaml"],
        "store": [S + "store/collection/"],
        "services": [S + "services/collection/"],
        "api": [S + "api/routers/collection.py"],
        "web": [S + "web/pages/collection.py", S + "web/templates/collection/"],
        "cli": [S + "cli/collection.py"],
        "tests": ["tests/unit/collection/", "tests/integration/collection/"],
        "docs": ["docs/collection.md"],
    },
    "classify": {
        "engines": [S + "engines/classify/"],
        "rules": [S + "rules/classify_axes.yaml", S + "rules/classify_lexicon.yaml", S + "rules/classify_points.yaml",
                  S + "rules/classify_escalation.yaml"],
        "store": [S + "store/classify/"],
        "services": [S + "services/classify/"],
        "api": [S + "api/routers/classify.py"],
        "web": [S + "web/pages/classify.py", S + "web/templates/classify/"],
        "cli": [S + "cli/classify.py"],
        "tests": ["tests/unit/classify/", "tests/integration/classify/", "tests/e2e/test_classify_console.py"],
        "docs": ["docs/classify.md"],
    },
    "dashboards": {
        "store": [S + "store/dashboards/"],
        "services": [S + "services/dashboards/"],
        "api": [S + "api/routers/dashboards.py"],
        "web": [S + "web/pages/dashboards.py", S + "web/templates/dashboards/"],
        "cli": [S + "cli/reports.py"],
        "tests": ["tests/integration/dashboards/", "tests/e2e/test_dashboards_console.py",
                  "tests/e2e/test_points_console.py"],
        "docs": ["README.md"],
    },
    "reports": {
        "rules": [S + "rules/reports.yaml"],
        "store": [S + "store/dashboards/"],
        "services": [S + "services/reports/"],
        "api": [S + "api/routers/reports.py"],
        "web": [S + "web/pages/reports.py", S + "web/templates/reports/"],
        "cli": [S + "cli/reports.py"],
        "tests": ["tests/integration/dashboards/test_dashboards.py"],
        "docs": ["README.md"],
    },
    "audit": {
        "domain": [S + "domain/audit.py"],
        "store": [S + "store/audit.py"],
        "services": [S + "services/audit.py"],
        "api": [S + "api/routers/admin.py"],
        "cli": [S + "cli/admin.py"],
        "tests": ["tests/unit/domain/test_audit_chain.py"],
    },
    "users and roles": {
        "domain": [S + "domain/roles.py", S + "domain/login_throttle.py"],
        "rules": [S + "rules/roles.yaml"],
        "store": [S + "store/auth.py"],
        "services": [S + "services/auth.py", S + "services/actors.py"],
        "api": [S + "api/routers/auth.py", S + "api/deps.py"],
        "web": [S + "web/pages/home.py", S + "web/session.py"],
        "cli": [S + "cli/admin.py"],
        "tests": ["tests/integration/api/test_api.py"],
    },
    "shared": {
        "domain": [S + "domain/finding.py", S + "domain/errors.py", S + "domain/review.py"],
        "engines": [S + "engines/textnorm.py", S + "engines/spreadsheet.py"],
        "rules": [S + "rules/__init__.py"],
        "store": [S + "store/base.py", S + "store/schema.py", S + "store/db.py", S + "store/uow.py", S + "store/errors.py",
                  S + "store/migrate.py", S + "store/migrations/"],
        "services": [S + "services/context.py", S + "services/errors.py", S + "services/loading.py", S + "config.py",
                     S + "logs.py"],
        "api": [S + "api/app.py", S + "api/errors.py", S + "api/responses.py", S + "api/schemas.py", S + "api/params.py",
                S + "api/security_headers.py"],
        "web": [S + "web/__init__.py", S + "web/render.py", S + "web/i18n.py", S + "web/nav.py", S + "web/format.py",
                S + "web/errors.py", S + "web/pages/_marks.py", S + "web/locales/", S + "web/static/",
                S + "web/templates/base.html"],
        "cli": [S + "cli/__init__.py", S + "cli/__main__.py", S + "cli/common.py"],
        "tests": ["tests/conftest.py", "tests/security/", "tests/unit/engines/", "tests/unit/rules/", "tests/integration/store/",
                  "tests/integration/api/", "tests/integration/cli/", "tests/integration/web/", "tests/e2e/"],
        "docs": ["docs/architecture.md", "CONTRIBUTING.md", "docs/security.md"],
    },
    "demo": {
        "services": [S + "demo/"],
        "cli": [S + "cli/admin.py"],
        "tests": ["tests/integration/demo/"],
    },
}


def all_paths() -> list[str]:
    return [p for area in AREAS.values() for paths in area.values() for p in paths]


def missing_paths() -> list[str]:
    return [p for p in all_paths() if not (ROOT / p).exists()]


def modules_in_no_area() -> list[str]:
    """Every module under src/xiaobao (but package markers) lies in a listed file or directory."""
    listed = all_paths()
    out = []
    for path in sorted((ROOT / "src" / "xiaobao").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if path.name == "__init__.py" and rel != S + "web/__init__.py" and rel != S + "rules/__init__.py":
            continue
        if not any(rel == p or (p.endswith("/") and rel.startswith(p)) for p in listed):
            out.append(rel)
    return out


def table() -> str:
    head = "| area | " + " | ".join(LAYERS) + " |"
    rows = [head, "|" + "---|" * (len(LAYERS) + 1)]
    for name, layers in AREAS.items():
        cells = ["<br>".join(f"`{p.removeprefix(S)}`" for p in layers.get(layer, [])) or "—" for layer in LAYERS]
        rows.append(f"| **{name}** | " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


def rendered_doc() -> str:
    doc = DOC.read_text(encoding="utf-8")
    before, rest = doc.split(BEGIN, 1)
    _, after = rest.split(END, 1)
    return f"{before}{BEGIN}\n{table()}{END}{after}"


if __name__ == "__main__":
    if "--write" in sys.argv:
        DOC.write_text(rendered_doc(), encoding="utf-8")
    else:
        sys.stdout.write(table())
