"""The event-type list is complete: every code the code writes to the business audit trail is in it."""

import re
from pathlib import Path

from partners import workflow
from partners.event_types import ALIASES, event_types

ROOT = Path(__file__).resolve().parents[1] / "partners"
LITERAL = re.compile(r'log_event\(\s*"([a-z_]+\.[a-z_]+)"')
DYNAMIC = re.compile(r'log_event\(\s*f"')


def test_every_literal_code_is_listed():
    sources = {p: p.read_text(encoding="utf-8") for p in ROOT.rglob("*.py")}
    written = {code for text in sources.values() for code in LITERAL.findall(text)}
    assert written, "the scan found nothing"
    assert written - set(event_types()) == set()


def test_codes_built_at_run_time_are_listed():
    # The few codes made from a state (objection.<state>, organization.join_<state>) and the transitions'.
    dynamic = sorted(p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*.py")
                     if DYNAMIC.search(p.read_text(encoding="utf-8")))
    assert dynamic == ["services/organizations.py", "services/review.py"]
    listed = set(event_types())
    assert {"objection.upheld", "objection.dismissed", "organization.join_approved",
            "organization.join_declined"} <= listed
    assert {t.code for t in workflow.TRANSITIONS} <= listed
    assert {alias for names in ALIASES.values() for alias in names} <= listed
