"""The house: packages by bounded context, imports only downward, no cycles,
no module over 400 lines, and a README that names every package.

The import rules are ``.importlinter``'s, checked by import-linter (the same
check ``lint-imports`` runs); the planted-import tests prove the check bites.
"""
import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")
SOURCES = ("pool", "jobs", "models")
MAX_LINES = 400


def _lint(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--no-cache", "--config", str(where / ".importlinter")],
                          cwd=where, capture_output=True, text=True, timeout=120,
                          env={"PATH": str(LINT.parent), "PYTHONPATH": str(where)})


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    """A copy of the sources to plant bad imports in."""
    where = tmp_path_factory.mktemp("house")
    for name in SOURCES:
        shutil.copytree(ROOT / name, where / name, ignore=shutil.ignore_patterns("__pycache__", "data"))
    shutil.copy(ROOT / ".importlinter", where)
    return where


def _plant(copy: Path, module: str, line: str):
    path = copy / (module.replace(".", "/") + ".py")
    original = path.read_text()
    path.write_text(original + "\n" + line + "\n")
    return path, original


def test_the_import_contracts_are_kept():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("module, line, named", [
    # a context reaching up into an edge
    ("pool.eligibility.criteria", "from pool.web import forms  # noqa", "pool.eligibility is not allowed to import pool.web"),
    # the kernel reaching up into a context
    ("pool.kernel.text", "from pool.membership import history  # noqa",
     "pool.kernel is not allowed to import pool.membership"),
    # a lower context reaching up into a higher one
    ("pool.reference.gbt4754", "from pool.records import directory  # noqa",
     "pool.reference is not allowed to import pool.records"),
    # a context reading Flask (or, through it, the clock) instead of taking a date
    ("pool.membership.history", "from flask import current_app  # noqa",
     "pool.membership is not allowed to import flask"),
])
def test_an_upward_import_breaks_the_contract(copy, module, line, named):
    path, original = _plant(copy, module, line)
    try:
        result = _lint(copy)
    finally:
        path.write_text(original)
    assert result.returncode == 1
    assert named in result.stdout


def test_a_cycle_inside_a_package_breaks_the_contract(copy):
    # pool.records.edits imports pool.records.changes; the way back closes a cycle
    path, original = _plant(copy, "pool.records.changes", "from pool.records import edits  # noqa")
    try:
        result = _lint(copy)
    finally:
        path.write_text(original)
    assert result.returncode == 1
    assert "No cycles are allowed in pool.records" in result.stdout


def _modules():
    for name in SOURCES:
        yield from sorted((ROOT / name).rglob("*.py"))
    yield ROOT / "app.py"


def test_no_module_is_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in _modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def _packages() -> list[Path]:
    return sorted(p.parent for p in (ROOT / "pool").glob("*/__init__.py"))


def test_every_package_says_what_it_owns():
    for package in _packages():
        doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8")))
        assert doc and len(doc) > 40, f"{package.name}/__init__.py has no docstring saying what it owns"


def test_the_readme_layout_names_every_package_and_nothing_else():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("## Layout"):]
    layout = layout[:layout.index("\n## ", 1)]
    named = set(re.findall(r"`(pool/[a-z_]+)/`", layout))
    on_disk = {f"pool/{p.name}" for p in _packages()} | {"pool/data"}
    assert named == on_disk


def test_every_layer_in_the_contract_is_a_package_on_disk():
    config = (ROOT / ".importlinter").read_text(encoding="utf-8")
    layers = config.split("layers =", 1)[1].split("\n\n", 1)[0]
    for name in re.findall(r"[a-z_.]+", layers):
        path = ROOT / name.replace(".", "/")
        assert path.is_dir() or path.with_suffix(".py").is_file(), name
    # and every context package is in the contract (a new one must be placed)
    for package in _packages():
        assert f"pool.{package.name}" in layers, package.name
