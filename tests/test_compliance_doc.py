"""docs/COMPLIANCE.md is checked against the code: every test it cites exists, and its table of personal-data
locations is the registry's."""

import ast
import re
from pathlib import Path

from partners import personal_data

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "COMPLIANCE.md"
CITATION = re.compile(r"^(?:tests/)?(?P<file>(?:[\w/]+/)?test_\w+\.py)?(?P<test>(?:::\w+)+)?$")
# The sections whose every table row, bullet and paragraph is a claim that cites the tests checking it.
CLAIM_SECTIONS = ("Switches and settings", "等保 level-3 application controls", "PIPL rights")
SEPARATOR = re.compile(r"^\|(?:\s*:?-+:?\s*\|)+$")


def cited_tests(text: str) -> list[tuple[str, str | None]]:
    """(file, test or None) for each `file::test`, `::test` (same file as the citation before) and `file`.

    A test inside a class is `file::Class::test`; `test` is then "Class::test".
    """
    cited, current = [], None
    for span in re.findall(r"`([^`\n]+)`", text):
        match = CITATION.match(span)
        if not match or not (match["file"] or match["test"]):
            continue
        current = match["file"] or current
        cited.append((current, match["test"][2:] if match["test"] else None))
    return cited


def _skipped(decorators) -> bool:
    """Marked skip outright (pytest.mark.skip, with or without a reason); skipif is a condition, not a skip."""
    for node in decorators:
        target = node.func if isinstance(node, ast.Call) else node
        if isinstance(target, ast.Attribute) and target.attr == "skip":
            return True
    return False


def module_tests(path: Path) -> dict[str, bool]:
    """Each test of a module ("name" or "Class::name") and whether it is marked skip."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module_skip = False
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "pytestmark" for t in node.targets):
            marks = node.value.elts if isinstance(node.value, ast.List | ast.Tuple) else [node.value]
            module_skip = _skipped(marks)
    names = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names[node.name] = module_skip or _skipped(node.decorator_list)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    names[f"{node.name}::{item.name}"] = (module_skip or _skipped(node.decorator_list)
                                                          or _skipped(item.decorator_list))
    return names


def citation_problems(text: str, tests_dir: Path) -> list[str]:
    """Citations of a module or test that does not exist, or of a test marked skip."""
    problems, names = [], {}
    for file, test in cited_tests(text):
        path = tests_dir / file if file else None
        if path is None or not path.exists():
            problems.append(f"{file}::{test}" if test else str(file))
            continue
        if test is None:
            continue
        if file not in names:
            names[file] = module_tests(path)
        if test not in names[file]:
            problems.append(f"{file}::{test}")
        elif names[file][test]:
            problems.append(f"{file}::{test} (marked skip)")
    return problems


def missing_citations(text: str, tests_dir: Path) -> list[str]:
    return citation_problems(text, tests_dir)


def claim_units(text: str) -> list[str]:
    """Every claim of the claims sections: a table row (not the header), a bullet, or a paragraph."""
    units, current, section = [], [], None

    def flush():
        if current:
            units.append("\n".join(current))
            current.clear()

    for line in text.splitlines():
        if line.startswith("## "):
            flush()
            section = line[3:].strip()
            continue
        if section not in CLAIM_SECTIONS:
            continue
        if line.startswith("#") or not line.strip():
            flush()
        elif line.startswith("|"):
            flush()
            if SEPARATOR.match(line.strip()):
                units.pop()  # the row before the separator is the table's header
            else:
                units.append(line)
        elif line.startswith("- "):
            flush()
            current.append(line)
        else:
            current.append(line)
    flush()
    return units


def uncited_claims(text: str) -> list[str]:
    """Claims that cite no test by name (`file::test`; `::test` only after a `file::test` of the same claim)."""
    bad = []
    for unit in claim_units(text):
        named, current = False, None
        for span in re.findall(r"`([^`\n]+)`", unit):
            match = CITATION.match(span)
            if not match or not (match["file"] or match["test"]):
                continue
            current = match["file"] or current
            if match["test"] and current:
                named = True
            elif match["test"]:
                bad.append(unit)  # `::test` with no file before it in the same claim
                break
        else:
            if not named:
                bad.append(unit)
    return bad


def test_every_test_cited_in_compliance_md_exists():
    text = DOC.read_text(encoding="utf-8")
    assert len(cited_tests(text)) > 50, "the citations were not found, so nothing was checked"
    problems = citation_problems(text, ROOT / "tests")
    assert not problems, "docs/COMPLIANCE.md cites tests that do not exist or are skipped: " + ", ".join(problems)


def test_every_claim_cites_the_tests_that_check_it():
    text = DOC.read_text(encoding="utf-8")
    units = claim_units(text)
    assert len(units) > 50, "the claims were not found, so nothing was checked"
    bad = uncited_claims(text)
    assert not bad, "claims in docs/COMPLIANCE.md that cite no test by name:\n" + "\n".join(u[:160] for u in bad)


def test_every_table_row_has_the_cells_of_its_header():
    """A row with a cell too many or too few puts its test citations under the wrong heading."""
    width, bad = None, []
    for number, line in enumerate(DOC.read_text(encoding="utf-8").splitlines(), 1):
        if not line.startswith("|"):
            width = None
            continue
        cells = len(re.sub(r"`[^`]*`", "x", line).strip().strip("|").split("|"))
        if width is None:
            width = cells
        elif cells != width:
            bad.append(f"line {number}: {cells} cells, header {width}")
    assert not bad, bad


def test_the_document_says_how_to_read_it():
    text = DOC.read_text(encoding="utf-8")
    head = text.split("\n## ", 2)
    assert head[1].startswith("How to read this document")
    for section in (*CLAIM_SECTIONS, "Known limits"):
        assert f"\n## {section}\n" in text


ENV_DEFAULT = re.compile(r'env(?:\.\w+)?\("(?P<name>[A-Z_]+)", default=(?P<value>[^)]+)\)')


def _default_in_the_doc(value: str) -> str:
    return {"on": "True", "off": "False"}.get(value, value)


def _default_in_settings(value: str) -> str:
    value = value.strip()
    if re.fullmatch(r"[\d\s*]+", value):  # e.g. 3 * 365
        product = 1
        for factor in value.split("*"):
            product *= int(factor)
        return str(product)
    return value


def test_the_settings_table_states_the_defaults_of_registry_settings():
    source = (ROOT / "registry" / "settings.py").read_text(encoding="utf-8")
    defaults = {m["name"]: _default_in_settings(m["value"]) for m in ENV_DEFAULT.finditer(source)}
    section = DOC.read_text(encoding="utf-8").split("## Switches and settings", 1)[1].split("\n## ", 1)[0]
    checked = 0
    for row in (line for line in section.splitlines() if line.startswith("| `")):
        cells = [c.strip() for c in row.strip("|").split("|")]
        names = re.findall(r"`([A-Z_]+)`", cells[0])
        values = [_default_in_the_doc(v.strip()) for v in cells[1].split(",")]
        if len(names) != len(values) or not all(re.fullmatch(r"\d+|True|False", v) for v in values):
            continue  # "see docs/SECURITY.md", "— (required in production)"
        for name, value in zip(names, values, strict=True):
            assert defaults.get(name) == value, f"{name}: docs/COMPLIANCE.md says {value}, settings.py {defaults.get(name)}"
            checked += 1
    assert checked >= 12, "the settings table was not read, so nothing was checked"


def test_the_citation_check_catches_a_test_that_does_not_exist():
    text = ("| x | y | `test_compliance_doc.py::test_every_test_cited_in_compliance_md_exists`, "
            "`::test_that_was_renamed` |\n| z | `test_nowhere.py` |")
    assert missing_citations(text, ROOT / "tests") == ["test_compliance_doc.py::test_that_was_renamed",
                                                       "test_nowhere.py"]


def test_the_citation_check_catches_a_skipped_test_and_reads_classes(tmp_path):
    (tmp_path / "test_sample.py").write_text(
        "import pytest\n\n@pytest.mark.skip(reason='later')\ndef test_later():\n    pass\n\n"
        "@pytest.mark.skipif(False, reason='x')\ndef test_sometimes():\n    pass\n\n"
        "class TestGroup:\n    def test_inside(self):\n        pass\n", encoding="utf-8")
    text = "`test_sample.py::test_later`, `::test_sometimes`, `::TestGroup::test_inside`, `::TestGroup::test_gone`"
    assert citation_problems(text, tmp_path) == ["test_sample.py::test_later (marked skip)",
                                                 "test_sample.py::TestGroup::test_gone"]
    (tmp_path / "test_skipped_module.py").write_text(
        "import pytest\npytestmark = [pytest.mark.skip]\n\ndef test_any():\n    pass\n", encoding="utf-8")
    assert citation_problems("`test_skipped_module.py::test_any`", tmp_path) == [
        "test_skipped_module.py::test_any (marked skip)"]


def test_the_claim_check_finds_a_claim_without_a_test():
    text = ("# t\n\n## PIPL rights\n\n| right | test |\n|---|---|\n| cited | `test_a.py::test_b` |\n"
            "| only a module | `test_a.py` |\n| shorthand alone | `::test_b` |\n\n- a bullet `test_a.py::test_c`\n"
            "- a bullet\n  over two lines with no test\n\nA paragraph that cites nothing.\n\n"
            "## Screens\n\n| not a claim section |\n")
    assert claim_units(text)[0] == "| cited | `test_a.py::test_b` |"
    assert uncited_claims(text) == ["| only a module | `test_a.py` |", "| shorthand alone | `::test_b` |",
                                    "- a bullet\n  over two lines with no test", "A paragraph that cites nothing."]


def _doc_table_rows(text: str) -> list[str]:
    section = text.split("## Personal-data locations", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| `")]


def test_personal_data_table_matches_the_registry():
    text = DOC.read_text(encoding="utf-8")
    assert personal_data.TABLE_HEADER in text
    rows = _doc_table_rows(text)
    expected = personal_data.markdown_rows()
    not_described = [row for row in expected if row not in rows]
    assert not not_described, "registry entries not described (word for word) in docs/COMPLIANCE.md:\n" + \
        "\n".join(not_described)
    assert rows == expected, "docs/COMPLIANCE.md describes locations the registry does not have, or another order"
    described = {row.split("`")[1] for row in rows}
    assert described == {loc.model for loc in personal_data.LOCATIONS}
