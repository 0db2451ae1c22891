"""A JSON picture of everything the applicant submitted, frozen in each revision and compared in diffs."""

from decimal import Decimal

from django.db import models

ORG_FIELDS = ["name", "name_en", "credit_code", "org_type", "legal_representative", "registered_capital",
              "capital_currency", "founded_on", "registered_address", "district_id", "province", "in_etown", "scale",
              "ownership", "high_tech_certificate", "specialized_level", "website", "description"]
APPLICATION_FIELDS = ["channel", "invitation_id", "recommender_name", "contact_name", "contact_title",
                      "contact_phone", "contact_email"]


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _fields(obj, names):
    return {n: _plain(getattr(obj, n)) for n in names}


def profile_data(profile):
    data = {}
    for f in profile._meta.concrete_fields:
        if f.name in ("id", "application"):
            continue
        data[f.attname] = _plain(getattr(profile, f.attname))
    for m2m in profile._meta.many_to_many:
        data[m2m.name] = sorted(getattr(profile, m2m.name).values_list("pk", flat=True))
    if hasattr(profile, "scenarios"):
        data["scenarios"] = [
            {"title": s.title, "description": s.description, "data_available": s.data_available,
             "budget_min_10k": s.budget_min_10k, "budget_max_10k": s.budget_max_10k}
            for s in sorted(profile.scenarios.all(), key=lambda s: s.pk)  # read with the profile, if it was
        ]
    return data


def _attachments(application):
    """Oldest first: those read with the application (the submission's check reads them), else from the database."""
    from .applications import attachments_read_with

    read = attachments_read_with(application)
    return sorted(read, key=lambda a: a.pk) if read is not None else application.attachments.order_by("pk")


def snapshot(application) -> dict:
    from .applications import profile_of  # reads the profiles the application was loaded with, if it was

    profiles = {}
    for t in application.partner_types:
        profile = profile_of(application, t)
        if profile is not None:
            profiles[t] = profile_data(profile)
    return {
        "organization": _fields(application.organization, ORG_FIELDS),
        "application": _fields(application, APPLICATION_FIELDS),
        "partner_types": application.partner_types,
        "profiles": profiles,
        "attachments": [
            {"kind": a.kind, "name": a.original_name, "sha256": a.sha256, "size": a.size}
            for a in _attachments(application)
        ],
    }


def diff(old: dict, new: dict, prefix="") -> list[tuple[str, object, object]]:
    """(path, before, after) for every value that changed between two snapshots."""
    changes = []
    keys = list(dict.fromkeys([*(old or {}).keys(), *(new or {}).keys()]))
    for key in keys:
        a, b = (old or {}).get(key), (new or {}).get(key)
        path = f"{prefix}{key}"
        if isinstance(a, dict) or isinstance(b, dict):
            changes.extend(diff(a or {}, b or {}, path + "."))
        elif a != b:
            changes.append((path, a, b))
    return changes


__all__ = ["snapshot", "diff", "profile_data", "models"]
