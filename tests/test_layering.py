"""The sandbox is a leaf (issue #7): no production module imports ``storebridge.sandbox``.

Two independent guards, so a gap in one does not hide a violation:

* ruff's banned-api rule (TID251, configured in ``pyproject.toml``) must pass on the whole tree and
  must fail on a production module that imports the sandbox — otherwise the lint guard is a no-op;
* an AST walk over every production module finds no import of the sandbox, whatever the spelling
  (absolute, ``from storebridge import sandbox``, relative, or ``importlib.import_module``).

Production means everything under ``storebridge/``, ``workers/`` and ``schemas/`` except the sandbox
itself and the few modules that exist to run it: ``commands/sandbox.py``, ``commands/demo.py`` and
``devstack/``. ``bench/`` and ``tests/`` are not production.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
SANDBOX = "storebridge.sandbox"
PRODUCTION_PACKAGES = ("storebridge", "workers", "schemas")
#: Modules (files or folders, relative to the root) that may import the sandbox.
ALLOWED = (
    "storebridge/sandbox",
    "storebridge/commands/sandbox.py",
    "storebridge/commands/demo.py",
    "storebridge/devstack",
)
#: A production-looking module that imports the sandbox (what the guards must refuse).
LEAKY_SOURCE = (
    '"""Leaks the simulator into production."""\n\nfrom storebridge.sandbox.runner import Sandbox\n'
)


def _ruff(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "TID251", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


def test_ruff_banned_import_rule_passes_on_the_tree() -> None:
    result = _ruff(".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_fails_on_a_production_module_that_imports_the_sandbox(tmp_path: Path) -> None:
    module = tmp_path / "storebridge" / "sync" / "leaky.py"
    module.parent.mkdir(parents=True)
    module.write_text(LEAKY_SOURCE)
    result = _ruff("--config", str(PYPROJECT), str(module))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "TID251" in result.stdout
    assert "the sandbox is a leaf" in result.stdout


@pytest.mark.parametrize(
    ("path", "banned"),
    [
        ("workers/daemon.py", True),
        ("storebridge/serve.py", True),
        ("storebridge/commands/smoke.py", True),
        ("schemas/naver.py", True),
        ("storebridge/commands/demo.py", False),
        ("storebridge/commands/sandbox.py", False),
        ("storebridge/devstack/processes.py", False),
        ("storebridge/sandbox/runner.py", False),
        ("bench/scenario.py", False),
        ("tests/sync/test_pipeline.py", False),
    ],
)
def test_ruff_allows_the_sandbox_only_to_its_runners(path: str, banned: bool) -> None:
    result = _ruff("--stdin-filename", path, "-", stdin=LEAKY_SOURCE + '\n__all__ = ["Sandbox"]\n')
    assert (result.returncode == 1) is banned, result.stdout + result.stderr
    assert ("TID251" in result.stdout) is banned


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_modules(path: Path, root: Path) -> list[str]:
    """Every module ``path`` imports, absolute and fully qualified (``from a import b`` gives ``a.b``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    name = _module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # ``from ..x import y`` in package a.b.c means a.b.x
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found.extend(f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and _dynamic_import_target(node):
            found.append(_dynamic_import_target(node))
    return found


def _dynamic_import_target(call: ast.Call) -> str:
    """The constant module name of ``importlib.import_module("…")`` / ``__import__("…")``, else ''."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name not in ("import_module", "__import__") or not call.args:
        return ""
    first = call.args[0]
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else ""


def _imports_sandbox(path: Path, root: Path = ROOT) -> list[str]:
    return [m for m in _imported_modules(path, root) if m == SANDBOX or m.startswith(SANDBOX + ".")]


def _production_modules() -> list[Path]:
    modules = []
    for package in PRODUCTION_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if not any(relative == allowed or relative.startswith(allowed + "/") for allowed in ALLOWED):
                modules.append(path)
    return modules


def test_no_production_module_imports_the_sandbox() -> None:
    modules = _production_modules()
    assert any(p.relative_to(ROOT).as_posix() == "workers/daemon.py" for p in modules)
    offenders = {p.relative_to(ROOT).as_posix(): _imports_sandbox(p) for p in modules}
    assert {path: names for path, names in offenders.items() if names} == {}


@pytest.mark.parametrize(
    ("relative", "source"),
    [
        ("storebridge/sync/leaky.py", "from storebridge.sandbox.runner import Sandbox\n"),
        ("storebridge/sync/leaky.py", "import storebridge.sandbox.stats\n"),
        ("storebridge/sync/leaky.py", "from storebridge import sandbox\n"),
        ("storebridge/sync/leaky.py", "from ..sandbox import runner\n"),
        ("storebridge/leaky.py", "from .sandbox.runner import Sandbox\n"),
        ("workers/leaky.py", "def f():\n    from storebridge.sandbox import faults\n"),
        ("workers/leaky.py", "import importlib\nimportlib.import_module('storebridge.sandbox.runner')\n"),
    ],
)
def test_the_ast_walk_sees_every_spelling_of_a_sandbox_import(
    relative: str, source: str, tmp_path: Path
) -> None:
    module = tmp_path / relative
    module.parent.mkdir(parents=True, exist_ok=True)
    module.write_text(source)
    assert _imports_sandbox(module, root=tmp_path)


@pytest.mark.parametrize(
    "source",
    [
        "from storebridge.serve import ServedApp\n",
        "from storebridge import sandboxes\n",
        "from . import sandbox_tools\n",
        "import storebridge.sandboxed\n",
    ],
)
def test_the_ast_walk_ignores_modules_that_only_look_alike(source: str, tmp_path: Path) -> None:
    module = tmp_path / "storebridge" / "sync" / "fine.py"
    module.parent.mkdir(parents=True)
    module.write_text(source)
    assert _imports_sandbox(module, root=tmp_path) == []
