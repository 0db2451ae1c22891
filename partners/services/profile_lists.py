"""The facts of a partner type's profile that hold several values: the choices ticked (services, data roles and
modalities, investment stages), the industries a model partner serves, and an application partner's scenarios.

A member proposes the whole new list; it is validated by the application form's own field (or the scenario
form, with the application's bounds), kept in the ProfileChange as JSON text, shown to staff and the public with
labels, and written to the profile in one step when accepted.
"""

import json

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _g

from ..enums import ComputeService, DataRole, FundType, InvestmentStage, Modality, PartnerType
from .applications import ServiceError

SCENARIOS = "scenarios"
SCENARIO_FIELDS = ("title", "description", "data_available", "budget_min_10k", "budget_max_10k")
# More values than any choice list has: a longer list is refused before anything looks at its items.
MAX_VALUES = 100

# The multi-valued facts of each partner type a member changes; "choices" fields hold stable codes.
LIST_FIELDS = {
    PartnerType.COMPUTE: ("services",),
    PartnerType.DATA: ("roles", "modalities"),
    PartnerType.MODEL: ("industries",),
    PartnerType.APPLICATION: (SCENARIOS,),
    PartnerType.INVESTMENT: ("stages",),
}
# The labels of the codes a field keeps (industries are reference rows, named by their own labels).
CODE_LABELS = {"services": ComputeService, "roles": DataRole, "modalities": Modality, "stages": InvestmentStage,
               "fund_type": FundType}


def is_list(partner_type, field) -> bool:
    return field in LIST_FIELDS.get(partner_type, ())


def field_label(partner_type, field):
    from ..models import PROFILE_MODELS

    if field == SCENARIOS:
        from ..models import Scenario

        return Scenario._meta.verbose_name_plural
    return PROFILE_MODELS[partner_type]._meta.get_field(field).verbose_name


def _as_list(value):
    """A proposed list as given: a list, JSON text, or codes separated by commas or new lines."""
    if isinstance(value, (list, tuple)):
        return list(value)
    text = (value or "").strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except ValueError:
            raise ServiceError(_g("Enter a list of values."), field="value") from None
        if isinstance(parsed, list):
            return parsed
        raise ServiceError(_g("Enter a list of values."), field="value")
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


def clean(partner_type, field, value) -> str:
    """The proposed list as the application form accepts it, as canonical JSON text (ServiceError if not)."""
    items = _as_list(value)
    if field == SCENARIOS:
        return _dump(clean_scenarios(items))
    from ..forms.profiles import PROFILE_FORMS

    if len(items) > MAX_VALUES or not all(isinstance(i, str) for i in items):
        raise ServiceError(_g("Enter a list of values."), field="value")
    form_field = PROFILE_FORMS[partner_type]().fields[field]
    try:
        cleaned = form_field.clean(items)
    except ValidationError as exc:
        raise ServiceError(" ".join(str(m) for m in exc.messages), field="value") from None
    if field == "industries":
        codes = [industry.pk for industry in cleaned.order_by("position", "code")]
    else:
        order = [code for code, _label in form_field.choices]
        codes = sorted(set(cleaned), key=order.index)
    return _dump(codes)


def clean_scenarios(items) -> list[dict]:
    """Each scenario through the application's scenario form; a title and a description each, 1 to 10 of them."""
    from ..forms.profiles import MAX_SCENARIOS, ScenarioForm

    if not items:
        raise ServiceError(_g("Describe at least one scenario you open to model teams."), field="value")
    if len(items) > MAX_SCENARIOS:
        raise ServiceError(_g("Please submit at most %(n)d scenarios.") % {"n": MAX_SCENARIOS}, field="value")
    out = []
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ServiceError(_g("Enter a list of values."), field="value")
        data = {name: "" if item.get(name) is None else str(item.get(name)).strip() for name in SCENARIO_FIELDS}
        form = ScenarioForm(data=data)
        if not form.is_valid():
            messages = [str(m) for errors in form.errors.values() for m in errors]
            raise ServiceError(_g("Scenario %(n)d: %(errors)s") % {"n": position, "errors": " ".join(messages)},
                               field="value")
        if not (form.cleaned_data["title"] and form.cleaned_data["description"]):
            raise ServiceError(_g("Every scenario needs a title and a description."), field="value")
        out.append({name: form.cleaned_data[name] for name in SCENARIO_FIELDS})
    return out


def _dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def current(profile, field) -> str:
    """The list a profile holds now, as the same canonical JSON text."""
    if field == SCENARIOS:
        return _dump([{name: getattr(s, name) for name in SCENARIO_FIELDS}
                      for s in profile.scenarios.order_by("pk")])
    if field == "industries":
        return _dump([i.pk for i in profile.industries.order_by("position", "code")])
    return _dump(list(getattr(profile, field) or []))


def apply(profile, field, text):
    """Write an accepted list to the profile (inside the caller's transaction); scenarios are replaced."""
    values = json.loads(text or "[]")
    if field == SCENARIOS:
        from ..models import Scenario

        # One by one, not in bulk: each row's signals renew the public cache of the member's page.
        for scenario in profile.scenarios.all():
            scenario.delete()
        for item in values:
            Scenario.objects.create(profile=profile, **item)
    elif field == "industries":
        profile.industries.set(values)
    else:
        setattr(profile, field, values)
        profile.save(update_fields=[field])


def _code_label(field, code):
    enum = CODE_LABELS.get(field)
    if enum is not None and code in enum.values:
        return str(enum(code).label)
    return code


def scenario_line(item) -> str:
    """One scenario as a readable line: title: description (data; budget)."""
    line = f"{item.get('title', '')}: {item.get('description', '')}"
    extra = []
    if item.get("data_available"):
        extra.append(_g("data: %(data)s") % {"data": item["data_available"]})
    low, high = item.get("budget_min_10k"), item.get("budget_max_10k")
    if low is not None or high is not None:
        extra.append(_g("budget %(low)s–%(high)s (10,000 CNY)") % {"low": "" if low is None else low,
                                                                     "high": "" if high is None else high})
    return f"{line} ({'; '.join(extra)})" if extra else line


def _industry_names() -> dict:
    from ..models import Industry

    return {i.pk: str(i) for i in Industry.objects.all()}


def labels(field, values, industry_names=None) -> list[str]:
    """The readable form of a list's values: choice labels, industry names, scenario lines."""
    if field == SCENARIOS:
        return [scenario_line(item) for item in values if isinstance(item, dict)]
    if field == "industries":
        names = _industry_names() if industry_names is None else industry_names
        return [names.get(code, str(code)) for code in values]
    return [_code_label(field, str(code)) for code in values]


def shown(partner_type, field, text, industry_names=None) -> str:
    """A change's stored text as staff read it: labels, one scenario a line; a single choice by its label."""
    if field in LIST_FIELDS.get(partner_type, ()):
        try:
            values = json.loads(text or "[]")
        except ValueError:
            return text
        if not isinstance(values, list):
            return text
        separator = "\n" if field == SCENARIOS else ", "
        return separator.join(labels(field, values, industry_names))
    if field in CODE_LABELS and text:
        return _code_label(field, text)
    return text


def label_changes(changes) -> list:
    """Give each ProfileChange `old_shown` and `new_shown`: its values as staff read them (one query for the
    industries' names, and only when a change names industries)."""
    changes = list(changes)
    names = _industry_names() if any(c.field == "industries" for c in changes) else {}
    for change in changes:
        change.old_shown = shown(change.profile_type, change.field, change.old_value, names)
        change.new_shown = shown(change.profile_type, change.field, change.new_value, names)
    return changes
