"""The Chinese catalogue is complete: every string of the templates and code has a real translation.

The completeness test runs makemessages on a copy of the sources, so a string added anywhere without a
translation fails here, as does a fuzzy guess, an empty msgstr or a translation that drops a placeholder.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
PO_PATH = Path("partners/locale/zh_Hans/LC_MESSAGES/django.po")
MAKEMESSAGES = ["makemessages", "-l", "zh_Hans", "--ignore=.venv", "--ignore=var", "--ignore=bench"]
PLACEHOLDER = re.compile(r"%\([a-zA-Z_]\w*\)[sdfir]|%[sdfir]|\{[a-zA-Z_]\w*\}")


def _unquote(text: str) -> str:
    return text[1:-1].encode("raw_unicode_escape").decode("unicode_escape") if text.startswith('"') else text


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgid, msgid_plural, msgstr (a list), flags, obsolete."""
    entries, entry, key = [], None, None

    def flush():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if line.startswith("#,"):
            if entry is not None and "msgid" in entry:
                flush()
                entry = None
            entry = entry or {"flags": set(), "msgstr": [], "obsolete": False}
            entry["flags"].update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        if word == "msgid":
            if entry is not None and "msgid" in entry:
                flush()
                entry = None
            entry = entry or {"flags": set(), "msgstr": [], "obsolete": False}
            entry["obsolete"] = obsolete
            entry["msgid"], key = _unquote(rest), "msgid"
        elif word == "msgctxt":
            flush()
            entry, key = {"flags": set(), "msgstr": [], "obsolete": obsolete, "msgctxt": _unquote(rest)}, None
        elif word == "msgid_plural":
            entry["msgid_plural"], key = _unquote(rest), "msgid_plural"
        elif word.startswith("msgstr"):
            entry["msgstr"].append(_unquote(rest))
            key = "msgstr"
        elif line.startswith('"') and entry is not None and key:
            if key == "msgstr":
                entry["msgstr"][-1] += _unquote(line)
            else:
                entry[key] += _unquote(line)
    flush()
    return [e for e in entries if e["msgid"]]  # the header has an empty msgid


def problems(entries) -> list[str]:
    found = []
    for e in entries:
        if e["obsolete"]:
            continue
        label = e["msgid"][:70]
        if "fuzzy" in e["flags"]:
            found.append(f"fuzzy: {label}")
        if not e["msgstr"] or any(not s.strip() for s in e["msgstr"]):
            found.append(f"untranslated: {label}")
            continue
        wanted = sorted(PLACEHOLDER.findall(e.get("msgid_plural") or e["msgid"]))
        for text in e["msgstr"]:
            if sorted(PLACEHOLDER.findall(text)) != wanted:
                found.append(f"placeholders differ: {label} -> {text[:70]}")
    return found


def test_committed_catalogue_has_no_fuzzy_empty_or_broken_entries():
    entries = parse_po(ROOT / PO_PATH)
    assert len(entries) > 300
    assert problems(entries) == []


def test_parser_sees_what_the_checks_need(tmp_path):
    po = tmp_path / "x.po"
    po.write_text('msgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n\n#, fuzzy\nmsgid "A %(n)s"\nmsgstr "甲"\n\n'
                  'msgid "B"\nmsgstr ""\n\nmsgid "C"\nmsgid_plural "Cs %(n)s"\nmsgstr[0] "丙 %(n)s"\n\n'
                  'msgid "D"\nmsgstr ""\n"丁"\n', encoding="utf-8")
    entries = parse_po(po)
    assert [e["msgid"] for e in entries] == ["A %(n)s", "B", "C", "D"]
    assert problems(entries) == ["fuzzy: A %(n)s", "placeholders differ: A %(n)s -> 甲", "untranslated: B"]


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext tools are not installed (make messages installs them)")
def test_every_string_in_templates_and_code_has_a_translation(tmp_path):
    """Extract afresh from a copy of the sources; anything new without a translation shows up here."""
    copy = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo")
    for name in ("partners", "templates", "registry"):
        shutil.copytree(ROOT / name, copy / name, ignore=ignore)
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "registry.settings"}
    result = subprocess.run([sys.executable, "manage.py", *MAKEMESSAGES], cwd=copy, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    fresh = parse_po(copy / PO_PATH)
    committed = {e["msgid"] for e in parse_po(ROOT / PO_PATH) if not e["obsolete"]}
    missing = sorted(e["msgid"][:70] for e in fresh if not e["obsolete"] and e["msgid"] not in committed)
    assert not missing, ("strings without a translation; run makemessages and translate them (see README): "
                         + " | ".join(missing[:60]))
    assert problems(fresh) == []


def test_compiled_catalogue_is_used():
    with translation.override("zh-hans"):
        assert translation.gettext("Compute partner") == "算力伙伴"
        assert translation.gettext("Public notice") == "公示"
        assert translation.gettext("First review") == "初审"
        assert translation.gettext("Final review") == "复审"
    with translation.override("en"):
        assert translation.gettext("Compute partner") == "Compute partner"
