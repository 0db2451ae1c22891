"""docs/COMPLIANCE.md is checked against the code: every test it cites exists, and its table of personal-data
locations is the registry's."""

import ast
import re
from pathlib import Path

from partners import personal_data

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "COMPLIANCE.md"
CITATION = re.compile(r"^(?P<file>test_\w+\.py)?(?:::(?P<test>test_\w+))?$")


def cited_tests(text: str) -> list[tuple[str, str | None]]:
    """(file, test or None) for each `file::test`, `::test` (same file as the citation before) and `file`."""
    cited, current = [], None
    for span in re.findall(r"`([^`\n]+)`", text):
        match = CITATION.match(span)
        if not match or not (match["file"] or match["test"]):
            continue
        current = match["file"] or current
        cited.append((current, match["test"]))
    return cited


def missing_citations(text: str, tests_dir: Path) -> list[str]:
    missing, names = [], {}
    for file, test in cited_tests(text):
        path = tests_dir / file if file else None
        if path is None or not path.exists():
            missing.append(f"{file}::{test}" if test else str(file))
            continue
        if test is None:
            continue
        if file not in names:
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names[file] = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
        if test not in names[file]:
            missing.append(f"{file}::{test}")
    return missing


def test_every_test_cited_in_compliance_md_exists():
    text = DOC.read_text(encoding="utf-8")
    assert len(cited_tests(text)) > 50, "the citations were not found, so nothing was checked"
    missing = missing_citations(text, ROOT / "tests")
    assert not missing, "docs/COMPLIANCE.md cites tests that do not exist: " + ", ".join(missing)


def test_the_citation_check_catches_a_test_that_does_not_exist():
    text = ("| x | y | `test_compliance_doc.py::test_every_test_cited_in_compliance_md_exists`, "
            "`::test_that_was_renamed` |\n| z | `test_nowhere.py` |")
    assert missing_citations(text, ROOT / "tests") == ["test_compliance_doc.py::test_that_was_renamed",
                                                       "test_nowhere.py"]


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
