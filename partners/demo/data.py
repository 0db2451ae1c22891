"""Reads the demo data files in seeds/demo/ and derives what is deterministic (credit codes, phones)."""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..enums import ApplicationState, PartnerType
from ..validators import USCC_CHARSET, build_credit_code

DEMO_DIR = Path(__file__).resolve().parent.parent.parent / "seeds" / "demo"

# Registration authority and category by organisation type (GB 32100-2015, positions 1 and 2).
AUTHORITY = {
    "enterprise": ("9", "1"), "investor": ("9", "1"),
    "institute": ("1", "2"), "university": ("1", "2"), "public_institution": ("1", "2"),
    "association": ("5", "1"),
}


def read(name):
    return json.loads((DEMO_DIR / name).read_text(encoding="utf-8"))


def digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def pick(pool, key: str, salt: str = ""):
    """A stable choice from a pool: the same organisation always gets the same item."""
    return pool[digest(key + salt)[0] % len(pool)]


def credit_code(entry) -> str:
    """A valid code whose organisation-code body comes from the name, so every run builds the same code."""
    authority, category = AUTHORITY[entry.get("org_type", "enterprise")]
    division = entry.get("division") or entry["district"]
    body = "MA" + "".join(USCC_CHARSET[b % 31] for b in digest(entry["name"])[:6])
    return build_credit_code(authority, category, division, body)


def mobile(key: str) -> str:
    return "139" + "".join(str(b % 10) for b in digest(key)[:8])


@dataclass
class ApplicationSpec:
    types: list
    state: str
    detour: bool = False
    reject_at: str = "first"
    granted: list = field(default_factory=list)
    objection: bool = False
    channel: str = "self"


def application_specs(entry) -> list[ApplicationSpec]:
    raw = entry.get("applications") or [{"types": entry["types"], "state": entry["state"]}]
    specs = []
    for item in raw:
        spec = ApplicationSpec(
            types=item["types"], state=item["state"], detour=entry.get("detour", False),
            reject_at=entry.get("reject_at", "first"), granted=entry.get("granted") or list(item["types"]),
            objection=entry.get("objection", False), channel=entry.get("channel", "self"))
        if spec.state not in ApplicationState.values or any(t not in PartnerType.values for t in spec.types):
            raise ValueError(f"Bad demo application for {entry['name']}: {item}")
        specs.append(spec)
    return specs


def organizations():
    entries = read("organizations.json")
    codes = [credit_code(e) for e in entries]
    if len(set(codes)) != len(codes):
        raise ValueError("Two demo organisations derive the same credit code; rename one.")
    return list(zip(entries, codes, strict=True))


def content():
    return read("content.json")
