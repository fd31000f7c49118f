"""The package reads top-down: core (baths, models, solvers, dynamics, observables) ← model
families ← generic tools (sweep, maximize, interop) ← the papers' models, figures and
paper-specific optimisations ← the command line. No module imports from a layer above its
own (checked on the source, function-level imports included)."""

import ast
from pathlib import Path

import pytest


PACKAGE = Path(__file__).parent.parent / "jaxthermo"

LAYERS = {
    0: {"_baths", "_checks", "_contract", "_custom_types", "_dynamics", "_gaussian", "_linalg",
        "_lyapunov", "_observables", "_ode", "_quadratic", "_quadratic_counting", "_response",
        "_solution", "_counting",
        "_statistics", "lyapunov"},
    1: {"_fewlevel", "_junction", "_closed", "fewlevel", "junction", "closed"},
    2: {"_sweep", "_optimize", "_qutip", "_cycles"},
    3: {"models", "_engines", "_paper_optimizations", "_reproduce"},
    4: {"_cli", "__main__", "__init__"},
}  # fmt: skip
LAYER_OF = {name: level for level, names in LAYERS.items() for name in names}


def _unit(path: Path) -> str:
    rel = path.relative_to(PACKAGE).parts
    return rel[0] if len(rel) > 1 else path.stem


def _imported_units(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    here = path.relative_to(PACKAGE).parts[:-1]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            base = list(here[: len(here) - (node.level - 1)]) if node.level > 1 else list(here)
            parts = base + (node.module.split(".") if node.module else [])
            if parts:
                out.add(parts[0])
            else:  # `from . import x`
                out.update(a.name for a in node.names)
    return out


MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_upward_imports(path):
    unit = _unit(path)
    assert unit in LAYER_OF, f"{unit} has no layer: add it to tests/test_layers.py"
    level = LAYER_OF[unit]
    for other in _imported_units(path):
        if other == unit:
            continue
        assert other in LAYER_OF, f"{path.name} imports unknown unit {other}"
        assert LAYER_OF[other] <= level, (
            f"{path.relative_to(PACKAGE)} (layer {level}) imports {other} (layer {LAYER_OF[other]})"
        )
