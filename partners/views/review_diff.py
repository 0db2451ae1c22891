"""The changes between two revisions as staff read them: field labels, values as chosen, long texts as word
diffs, attachments by kind and file name (added, removed, replaced). Never a Python repr or a field name."""

import difflib
import re
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _g

from ..enums import PartnerType
from ..forms.application import ContactForm
from ..forms.organization import OrganizationForm
from ..forms.profiles import PROFILE_FORMS, ScenarioForm
from ..models import Application, Attachment, District, Industry, InvitationCode, Organization, Scenario
from .review_answers import display

LONG_TEXT = 60  # characters: above this a change is shown word by word
# Words for the word diff: runs of Latin letters and digits, or one CJK character, or anything else singly.
TOKEN = re.compile(r"[A-Za-z0-9_\-.@/:]+|\s+|.", re.S)


@dataclass
class Change:
    section: str
    label: str
    before: str = ""
    after: str = ""
    words: str = ""  # a word diff (safe HTML) for long texts
    items: list = field(default_factory=list)  # (verb, text) for lists: attachments, scenarios, types


def word_diff(before: str, after: str) -> str:
    """Safe HTML of `after` with deleted words in <del> and inserted ones in <ins>."""
    old, new = TOKEN.findall(before or ""), TOKEN.findall(after or "")
    parts = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(escape("".join(old[a1:a2])))
            continue
        if a2 > a1:
            parts.append(f"<del>{escape(''.join(old[a1:a2]))}</del>")
        if b2 > b1:
            parts.append(f"<ins>{escape(''.join(new[b1:b2]))}</ins>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above


def _value_change(section, label, form_field, before, after, *, long=False) -> Change:
    old, new = display(form_field, before), display(form_field, after)
    if long or len(old) > LONG_TEXT or len(new) > LONG_TEXT:
        return Change(section, label, old, new, words=word_diff(old, new))
    return Change(section, label, old, new)


def _form_field(form_class, name):
    return form_class.base_fields.get(name)


def _model_field(model, name):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _named(model, pks):
    """Names for stored primary keys (districts, industries, invitation codes)."""
    if pks in (None, "", []):
        return pks
    many = isinstance(pks, list)
    found = {obj.pk: str(getattr(obj, "code", "") if model is InvitationCode else obj)
             for obj in model.objects.filter(pk__in=pks if many else [pks])}
    return [found.get(pk, "?") for pk in pks] if many else found.get(pks, "?")


def _fields_changes(section, form_class, model, old, new, *, refs=None):
    refs = refs or {}
    changes = []
    for key in dict.fromkeys([*old, *new]):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        name = key[:-3] if key.endswith("_id") else key
        if name in refs:
            a, b = _named(refs[name], a), _named(refs[name], b)
        form_field = _form_field(form_class, name) if form_class else None
        model_field = _model_field(model, name)
        if form_field is None and model_field is not None:
            form_field = model_field.formfield()
        if form_field is not None and form_field.label:
            label = str(form_field.label)
        elif model_field is not None:
            label = str(model_field.verbose_name)
        else:  # a field an older revision had and the model no longer has
            label = name.replace("_", " ")
        long = form_field is not None and isinstance(form_field.widget, forms.Textarea)
        changes.append(_value_change(section, label, form_field, a, b, long=long))
    return changes


def _attachment_changes(old, new) -> list[Change]:
    kinds = dict(Attachment._meta.get_field("kind").choices)
    changes = []
    for kind in dict.fromkeys([a.get("kind") for a in [*old, *new]]):
        before = [a for a in old if a.get("kind") == kind]
        after = [a for a in new if a.get("kind") == kind]
        old_hashes, new_hashes = {a.get("sha256") for a in before}, {a.get("sha256") for a in after}
        removed = [a for a in before if a.get("sha256") not in new_hashes]
        added = [a for a in after if a.get("sha256") not in old_hashes]
        items = []
        while removed and added:  # one file out and one in of the same kind: the applicant replaced it
            out, into = removed.pop(0), added.pop(0)
            items.append((_g("replaced"), _g("%(old)s with %(new)s") % {"old": out.get("name"), "new": into.get("name")}))
        items += [(_g("added"), a.get("name")) for a in added] + [(_g("removed"), a.get("name")) for a in removed]
        if items:
            changes.append(Change(_g("Attachments"), str(kinds.get(kind, kind)), items=items))
    return changes


def _scenario_changes(section, old, new) -> list[Change]:
    changes = []
    old_by, new_by = {s.get("title"): s for s in old}, {s.get("title"): s for s in new}
    for title in dict.fromkeys([*old_by, *new_by]):
        a, b = old_by.get(title), new_by.get(title)
        label = _g("Scenario “%(title)s”") % {"title": title}
        if a is None:
            changes.append(Change(section, label, items=[(_g("added"), title)]))
        elif b is None:
            changes.append(Change(section, label, items=[(_g("removed"), title)]))
        else:
            for change in _fields_changes(section, ScenarioForm, Scenario, a, b):
                change.label = f"{label} · {change.label}"
                changes.append(change)
    return changes


def _types_label(codes):
    return [str(PartnerType(c).label) if c in PartnerType.values else c for c in codes or []]


def readable_diff(old: dict, new: dict) -> list[Change]:
    """Every change between two snapshots (partners/services/snapshot.py), labelled for people."""
    old, new = old or {}, new or {}
    org_section, contact_section = _g("Organisation"), _g("Contact person")
    changes = _fields_changes(org_section, OrganizationForm, Organization, old.get("organization") or {},
                              new.get("organization") or {}, refs={"district": District})
    app_old, app_new = old.get("application") or {}, new.get("application") or {}
    contact = set(ContactForm.Meta.fields)
    changes += _fields_changes(contact_section, ContactForm, Application,
                               {k: v for k, v in app_old.items() if k in contact},
                               {k: v for k, v in app_new.items() if k in contact})
    changes += _fields_changes(_g("Channel"), None, Application,
                               {k: v for k, v in app_old.items() if k not in contact},
                               {k: v for k, v in app_new.items() if k not in contact},
                               refs={"invitation": InvitationCode})
    a_types, b_types = old.get("partner_types") or [], new.get("partner_types") or []
    if a_types != b_types:
        items = [(_g("added"), t) for t in _types_label([t for t in b_types if t not in a_types])]
        items += [(_g("removed"), t) for t in _types_label([t for t in a_types if t not in b_types])]
        changes.append(Change(_g("Partner types"), _g("Partner types applied for"), items=items))
    profiles_old, profiles_new = old.get("profiles") or {}, new.get("profiles") or {}
    for code in dict.fromkeys([*profiles_old, *profiles_new]):
        section = str(PartnerType(code).label) if code in PartnerType.values else code
        a, b = dict(profiles_old.get(code) or {}), dict(profiles_new.get(code) or {})
        scenarios = _scenario_changes(section, a.pop("scenarios", []) or [], b.pop("scenarios", []) or [])
        form_class = PROFILE_FORMS.get(code)
        model = form_class._meta.model if form_class else None
        changes += _fields_changes(section, form_class, model, a, b,
                                   refs={"industry": Industry, "industries": Industry}) + scenarios
    changes += _attachment_changes(old.get("attachments") or [], new.get("attachments") or [])
    return changes
