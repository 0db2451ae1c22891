"""docs/OPERATIONS.md lists every setting the test suite switches off, each with tests that run it switched on.

A setting turned off for the tests to pass, and on in production with no test there, is how the missing static
manifest reached the first deployment. Adding such a switch to registry/settings_test.py or tests/conftest.py
without a row (and a real test) in the table fails here.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "OPERATIONS.md"


def _section(title) -> str:
    text = DOC.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"docs/OPERATIONS.md has no section {title!r}"
    return match.group(1)


def switched_in_tests() -> set[str]:
    """Every setting registry/settings_test.py sets (through the environment or directly) and every setting the
    autouse fixtures of tests/conftest.py change."""
    names = set()
    tree = ast.parse((ROOT / "registry" / "settings_test.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "setdefault" and node.args and \
                isinstance(node.args[0], ast.Constant):
            names.add(node.args[0].value)
        elif isinstance(node, ast.For) and isinstance(node.iter, ast.Tuple):
            names.update(e.value for e in node.iter.elts if isinstance(e, ast.Constant))
        elif isinstance(node, ast.Assign):  # at the top or under an `if`
            names.update(t.id for t in node.targets if isinstance(t, ast.Name) and t.id.isupper()
                         and not t.id.startswith("_"))
    conftest = ast.parse((ROOT / "tests" / "conftest.py").read_text(encoding="utf-8"))
    for fn in conftest.body:
        if isinstance(fn, ast.FunctionDef) and any(
                isinstance(d, ast.Call) and any(k.arg == "autouse" for k in d.keywords) for d in fn.decorator_list):
            for node in ast.walk(fn):
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
                        node.value.id == "settings" and isinstance(node.ctx, ast.Store):
                    names.add(node.attr)
    # Not switched off: the same as production, or a value production must supply itself.
    return names - {"DEBUG", "SECRET_KEY", "AXES_ENABLED"}


def test_the_parser_sees_the_known_switches():
    assert {"MANIFEST_STATIC", "SECURE_SSL_REDIRECT", "MFA_REQUIRED_FOR_STAFF", "PASSWORD_HASHERS",
            "PUBLIC_RESPONSE_CACHE"} <= switched_in_tests()


def test_every_switched_off_setting_is_listed_with_tests_that_exist():
    section = _section("Settings that tests switch off")
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `(\w+)` \|(.*)$", section, re.M)}
    missing = sorted(switched_in_tests() - set(rows))
    assert not missing, f"add a row to docs/OPERATIONS.md for {missing}, naming a test that runs it switched on"
    for setting, row in rows.items():
        tests = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", row)
        assert tests, f"{setting}: no test named"
        for path, name in tests:
            source = (ROOT / path).read_text(encoding="utf-8")
            assert re.search(rf"^def {name}\(", source, re.M), f"{setting}: {path}::{name} does not exist"


def test_the_operations_doc_has_its_sections_and_readme_links_it():
    for title in ("Deployment", "Health checks", "Settings that tests switch off", "Periodic jobs",
                  "Backup and restore", "When a service fails", "Database roles"):
        _section(title)
    assert "docs/OPERATIONS.md" in (ROOT / "README.md").read_text(encoding="utf-8")
