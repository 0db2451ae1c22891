"""Marks, on every step of the application form, the fields that submitting will require.

A draft may be saved incomplete, so these fields are not `required` in the Django sense; they carry the
same asterisk and `aria-required` as required fields, and the review step lists every requirement.
"""

from django.utils.html import format_html
from django.utils.translation import gettext as _g

from .application import ChannelForm, ContactForm, DeclarationForm, TypesForm
from .organization import OrganizationForm
from .profiles import ProfileForm, ScenarioForm

# What completeness_errors() (services/applications.py) asks for, by the form that collects it.
SUBMIT_REQUIRED = [
    (OrganizationForm, ("name", "legal_representative", "registered_address", "district")),
    (ContactForm, ("contact_name", "contact_phone", "contact_email")),
    (TypesForm, ("partner_types",)),
    (ProfileForm, ("summary",)),
    (ScenarioForm, ("title", "description")),
    (ChannelForm, ("channel",)),
    (DeclarationForm, ("declaration",)),
]


def mark(form):
    """Give the fields this form collects for submission the required mark; returns the names marked."""
    marked = []
    for form_class, names in SUBMIT_REQUIRED:
        if not isinstance(form, form_class):
            continue
        for name in names:
            field = form.fields.get(name)
            if field is None or getattr(field, "_submit_marked", False):
                continue
            field.widget.attrs["aria-required"] = "true"
            if not field.required:  # a required field gets crispy's own asterisk already
                field.label = format_html('{} <span class="asteriskField" title="{}">*</span>', field.label,
                                          _g("required before you can submit"))
            field._submit_marked = True
            marked.append(name)
    return marked


def mark_all(ctx):
    """Mark every form of a wizard step's context (forms, profile sections and scenario formsets)."""
    forms = [v for v in ctx.values() if hasattr(v, "fields")]
    for section in ctx.get("sections") or ():
        forms.append(section["form"])
        if section.get("formset") is not None:
            forms.extend(section["formset"].forms)
            # empty_form is built anew on each access: keep the marked one for the page's row template.
            section["empty_form"] = section["formset"].empty_form
            forms.append(section["empty_form"])
    for form in forms:
        mark(form)
