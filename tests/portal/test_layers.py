"""Apps depend downward only: demo > indicators > payments | sync > dossiers | tickets > appointments > procedures > portal.

`make lint` runs the same contract (`lint-imports`); here it fails the suite too, with the
imports that break it, and an import hidden inside a function must say why it cannot be at the
top (a real cycle), so that no cycle is dodged silently again."""

import ast
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]
APPS = (
    "portal",
    "procedures",
    "dossiers",
    "appointments",
    "tickets",
    "payments",
    "sync",
    "assistant",
    "postal",
    "retention",
    "archive",
    "indicators",
    "privacy",
    "demo",
)
MAX_HIDDEN = 9


def test_the_import_contract_holds():
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True) == 0


def _hidden_cross_app_imports(root: Path = ROOT):
    """(file:line, module, has a comment) of every import of another app inside a function."""
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            source = path.read_text(encoding="utf-8")
            lines = source.splitlines()
            for function in ast.walk(ast.parse(source)):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for node in ast.walk(function):
                    if isinstance(node, ast.ImportFrom) and not node.level:
                        modules = [node.module or ""]
                    elif isinstance(node, ast.Import):
                        modules = [alias.name for alias in node.names]
                    else:
                        continue
                    for module in modules:
                        if module.split(".")[0] in APPS and module.split(".")[0] != app:
                            said = "#" in lines[node.lineno - 1] or lines[node.lineno - 2].strip().startswith("#")
                            yield f"{path.relative_to(root)}:{node.lineno}", module, said


def test_imports_of_other_apps_inside_functions_are_few_and_say_why():
    hidden = sorted(set(_hidden_cross_app_imports()))
    assert [(where, module) for where, module, said in hidden if not said] == []
    assert len(hidden) <= MAX_HIDDEN, hidden


if __name__ == "__main__":  # python tests/portal/test_layers.py [tree]: count them in any checkout
    import sys

    found = sorted(set(_hidden_cross_app_imports(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT)))
    for where, module, said in found:
        print(where, module, "(says why)" if said else "")
    print(f"{len(found)} imports of another app inside functions, {sum(not s for *_, s in found)} without a why")
