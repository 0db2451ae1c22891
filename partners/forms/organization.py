"""Forms about the organisation: claim by credit code, its facts, and the people who act for it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import District, Organization
from ..validators import credit_code_errors, normalize_credit_code


class ClaimForm(forms.Form):
    credit_code = forms.CharField(
        label=_("Unified social credit code"), max_length=40,
        help_text=_("18 characters, as printed on the business licence. Spaces and full-width characters are "
                    "accepted; the letters O and I, which never occur in a credit code, are read as 0 and 1."))
    name = forms.CharField(label=_("Registered name (Chinese)"), max_length=200, required=False,
                           help_text=_("Needed only when the organisation is not registered here yet."))
    message = forms.CharField(label=_("Message to the owner"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=_("If the organisation is already registered, its owner reads this."))

    def clean_credit_code(self):
        code = normalize_credit_code(self.cleaned_data["credit_code"])
        errors = credit_code_errors(code)
        if errors:
            raise forms.ValidationError(errors)
        return code


class OrganizationForm(forms.ModelForm):
    """The organisation's facts; the credit code is its identity and is not edited here."""

    website = forms.URLField(label=_("Website"), max_length=200, required=False, assume_scheme="https")

    class Meta:
        model = Organization
        fields = ["name", "name_en", "org_type", "legal_representative", "registered_capital", "capital_currency",
                  "founded_on", "registered_address", "district", "province", "in_etown", "scale", "ownership",
                  "high_tech_certificate", "specialized_level", "website", "description", "beijing_entity_name",
                  "beijing_entity_credit_code"]
        widgets = {
            "founded_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.filter(active=True)
        if self.instance.pk and not self.instance.district_id and not self.is_bound:
            # The credit code's region names the district (or outside Beijing): offer it, the person confirms.
            from ..services.eligibility import location_from_code

            for name, value in location_from_code(self.instance.credit_code).items():
                if self.initial.get(name.removesuffix("_id")) in (None, "", False):
                    self.initial[name.removesuffix("_id")] = value
        for name, field in self.fields.items():
            if name != "name":
                field.required = False  # a draft may be incomplete; the submit check lists what is missing

    def clean_beijing_entity_credit_code(self):
        from ..services.eligibility import beijing_entity_problem

        code = normalize_credit_code(self.cleaned_data.get("beijing_entity_credit_code", ""))
        if code:
            problem = beijing_entity_problem(code)
            if problem:
                raise forms.ValidationError(problem)
        return code

    def clean(self):
        data = super().clean()
        # Model defaults must survive a blank choice in a draft.
        for name in ("org_type", "capital_currency"):
            if not data.get(name):
                data[name] = getattr(self.instance, name) or Organization._meta.get_field(name).default
        return data


class AddColleagueForm(forms.Form):
    email = forms.EmailField(label=_("Colleague's e-mail address"), max_length=254,
                             help_text=_("They receive an invitation and act for the organisation once they "
                                         "accept it; without an account they sign up with this address first."))
    title = forms.CharField(label=_("Job title"), max_length=50, required=False)


class HandOverForm(forms.Form):
    new_owner = forms.TypedChoiceField(label=_("New owner"), coerce=int)

    def __init__(self, *args, colleagues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_owner"].choices = [(u.pk, f"{u} <{u.email}>") for u in colleagues]
