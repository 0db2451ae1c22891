"""Everything the applicant filled in, grouped and labelled as the application wizard asks for it.

The rows come from the wizard's own forms (their fields, labels and choices), so a field added to a wizard form
appears on the staff page without a second list to keep in step (tests/test_staff_answers.py checks this).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django import forms
from django.db import models
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from ..enums import PartnerType
from ..forms.application import ChannelForm, ContactForm, TypesForm
from ..forms.organization import OrganizationForm
from ..forms.profiles import PROFILE_FORMS, ScenarioForm
from ..models import PROFILE_MODELS

# Fields of the wizard that are not answers to show: files are listed with the attachments.
NOT_ANSWERS = {"letter"}


@dataclass
class Row:
    key: str  # the wizard form's prefix and field name, e.g. "org-website"
    label: str
    value: str
    long: bool = False
    link: str = ""


@dataclass
class Group:
    key: str
    title: str
    rows: list = field(default_factory=list)
    subgroups: list = field(default_factory=list)
    scenarios: list = field(default_factory=list)
    badges: list = field(default_factory=list)


def display(form_field, value) -> str:
    """A stored value as the applicant chose it: choice labels, names, dates, yes/no; empty as ""."""
    if isinstance(value, models.Manager):
        value = list(value.all())
    if value in (None, "", [], ()):
        return ""
    if isinstance(value, bool):
        return _g("Yes") if value else _g("No")
    choices = dict(getattr(form_field, "choices", None) or []) if not isinstance(
        form_field, forms.ModelChoiceField) else {}
    if isinstance(value, (list, tuple)):
        return "、".join(str(choices.get(v, v)) for v in value)
    if choices and value in choices:
        return str(choices[value])
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def form_rows(form, instance, prefix, *, values=None) -> list[Row]:
    """One row per field of a wizard form, read from the saved object (or from `values` for plain forms)."""
    rows = []
    for name, form_field in form.fields.items():
        if name in NOT_ANSWERS or isinstance(form_field.widget, forms.HiddenInput):
            continue
        value = values[name] if values is not None else getattr(instance, name, None)
        text = display(form_field, value)
        long = isinstance(form_field.widget, forms.Textarea)
        link = text if isinstance(form_field, forms.URLField) and text.startswith(("http://", "https://")) else ""
        rows.append(Row(f"{prefix}-{name}", str(form_field.label or name), text, long, link))
    return rows


def scenario_rows(scenario) -> list[Row]:
    form = ScenarioForm(instance=scenario)
    return form_rows(form, scenario, "scenario")


def _profile(application, model):
    """The application's profile of this model, or None: from the row read along with the application when the
    caller read it so (review_detail._get), else in a query of its own."""
    descriptor = getattr(type(application), model._meta.model_name)
    if descriptor.is_cached(application):
        return getattr(application, model._meta.model_name, None)
    return model.objects.filter(application=application).first()


def answer_groups(application) -> list[Group]:
    """The wizard's steps with the answers of this application: organisation and contact, partner types,
    what is offered per type (with each scenario), channel."""
    org = application.organization
    organisation = Group("organization", str(_("Organisation")),
                         rows=form_rows(OrganizationForm(instance=org), org, "org"))
    organisation.rows.insert(2, Row("org-credit_code", str(org._meta.get_field("credit_code").verbose_name),
                                    org.credit_code))
    organisation.subgroups.append(Group("contact", str(_("Contact person")),
                                        rows=form_rows(ContactForm(instance=application), application, "contact")))

    requested = list(application.requested_types.all())
    types = Group("types", str(_("Partner types")), rows=form_rows(
        TypesForm(), None, "types", values={"partner_types": [rt.partner_type for rt in requested]}))

    offer = Group("profiles", str(_("What you offer")))
    for rt in requested:
        model = PROFILE_MODELS[rt.partner_type]
        profile = _profile(application, model)
        form_class = PROFILE_FORMS[rt.partner_type]
        section = Group(rt.partner_type, str(PartnerType(rt.partner_type).label))
        if rt.recommendation:
            section.badges.append(rt.get_recommendation_display())
        if rt.granted is not None:
            section.badges.append(_g("granted") if rt.granted else _g("declined"))
        if profile is not None:
            section.rows = form_rows(form_class(instance=profile), profile, f"profile-{rt.partner_type}")
            if hasattr(profile, "scenarios"):
                section.scenarios = [(s.title, scenario_rows(s)) for s in profile.scenarios.order_by("pk")]
        else:
            section.rows = form_rows(form_class(), None, f"profile-{rt.partner_type}",
                                     values=dict.fromkeys(form_class.base_fields))
        offer.subgroups.append(section)

    invitation = application.invitation
    channel = Group("channel", str(_("Channel")), rows=form_rows(ChannelForm(), None, "channel", values={
        "channel": application.channel, "invitation_code": invitation.code if invitation else "",
        "recommender_name": application.recommender_name}))
    if invitation is not None:
        channel.rows.append(Row("channel-department", str(_("Inviting department")), invitation.department))
    return [organisation, types, offer, channel]
