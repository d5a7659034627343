"""Test modules import helpers from tests/kits/ and fixtures from conftest.py, never each other.

A test module imported by another one runs its own tests' imports and fixtures in the importer,
and its helpers change under the tests that lean on them; a kit is there to be shared.
"""

import ast
from pathlib import Path

TESTS = Path(__file__).parent


def imported_test_modules(path: Path) -> set[str]:
    """The test modules (`test_*`) that the file at `path` imports, in any import form."""
    imported = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
            imported |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {
        name for name in imported if name.startswith("tests.") and name.split(".")[-1].startswith("test_")
    }


def test_no_test_module_imports_another():
    offenders = {
        str(path.relative_to(TESTS)): sorted(modules)
        for path in sorted(TESTS.rglob("*.py"))
        if (modules := imported_test_modules(path))
    }
    assert offenders == {}


def test_the_check_sees_every_import_form(tmp_path: Path):
    module = tmp_path / "test_x.py"
    module.write_text(
        "import tests.test_a\nfrom tests.web.test_b import helper\n"
        "from tests import test_c\nfrom tests.kits import flow\n"
    )
    assert imported_test_modules(module) == {"tests.test_a", "tests.web.test_b", "tests.test_c"}
