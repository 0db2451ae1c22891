"""Loads the reference data in seeds/reference/ into its tables; idempotent, used by a migration and a command."""

import json
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "seeds" / "reference"
FILES = {"District": "districts.json", "Industry": "industries.json"}


def read(name):
    return json.loads((SEEDS / FILES[name]).read_text(encoding="utf-8"))


def load(apps=None) -> dict[str, int]:
    """Insert or update every row; rows no longer in the files are marked inactive, never deleted."""
    counts = {}
    for model_name in FILES:
        if apps is not None:
            model = apps.get_model("partners", model_name)
        else:
            from django.apps import apps as live_apps

            model = live_apps.get_model("partners", model_name)
        rows = read(model_name)
        for position, row in enumerate(rows):
            model.objects.update_or_create(
                code=row["code"],
                defaults={"name_zh": row["name_zh"], "name_en": row["name_en"], "position": position,
                          "active": True},
            )
        model.objects.exclude(code__in=[r["code"] for r in rows]).update(active=False)
        counts[model_name] = len(rows)
    return counts
