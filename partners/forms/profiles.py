"""One form per partner-type profile, and the scenario formset of application partners."""

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from ..enums import ComputeService, DataRole, FundType, InvestmentStage, Modality, PartnerType
from ..models import (
    ApplicationProfile,
    ComputeProfile,
    DataProfile,
    Industry,
    InvestmentProfile,
    ModelProfile,
    Scenario,
)
from ..units import ParameterScaleField

MAX_SCENARIOS = 10


def _choices(enum, label, blank=False):
    if blank:
        return forms.ChoiceField(label=label, choices=[("", "---------"), *enum.choices], required=False)
    return forms.MultipleChoiceField(label=label, choices=enum.choices, required=False,
                                     widget=forms.CheckboxSelectMultiple)


class ProfileForm(forms.ModelForm):
    """Nothing is required while a draft: the submit check lists what is missing."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
        self.fields["summary"].widget = forms.Textarea(attrs={"rows": 4})
        self.fields["summary"].widget.attrs["maxlength"] = 2000


class ComputeProfileForm(ProfileForm):
    services = _choices(ComputeService, _("Services"))

    class Meta:
        model = ComputeProfile
        fields = ["summary", "capacity_pflops_fp16", "accelerators_domestic", "accelerators_foreign",
                  "datacenter_locations", "services", "sme_pricing"]
        widgets = {"sme_pricing": forms.Textarea(attrs={"rows": 3})}


class DataProfileForm(ProfileForm):
    roles = _choices(DataRole, _("Roles in the data market"))
    modalities = _choices(Modality, _("Modalities"))

    class Meta:
        model = DataProfile
        fields = ["summary", "roles", "domains", "modalities", "volume_tb", "compliance_certifications"]


class ModelProfileForm(ProfileForm):
    # People write model sizes as 70B or 700亿, never in units of ten billion (十亿).
    parameter_scale_billion = ParameterScaleField(required=False)
    industries = forms.ModelMultipleChoiceField(label=_("Industries served"), required=False,
                                                queryset=Industry.objects.filter(active=True),
                                                widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ModelProfile
        fields = ["summary", "industries", "base_models", "parameter_scale_billion", "algorithm_filing",
                  "genai_filing"]

    def clean_algorithm_filing(self):
        return self.cleaned_data.get("algorithm_filing", "").strip()

    def clean_genai_filing(self):
        return self.cleaned_data.get("genai_filing", "").strip()


class ApplicationProfileForm(ProfileForm):
    class Meta:
        model = ApplicationProfile
        fields = ["summary", "industry"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industry"].queryset = Industry.objects.filter(active=True)


class InvestmentProfileForm(ProfileForm):
    fund_type = _choices(FundType, _("Fund type"), blank=True)
    stages = _choices(InvestmentStage, _("Stages"))

    class Meta:
        model = InvestmentProfile
        fields = ["summary", "fund_type", "fund_size_100m", "stages", "focus_areas", "ai_investments"]
        widgets = {"ai_investments": forms.Textarea(attrs={"rows": 3})}


PROFILE_FORMS = {
    PartnerType.COMPUTE: ComputeProfileForm,
    PartnerType.DATA: DataProfileForm,
    PartnerType.MODEL: ModelProfileForm,
    PartnerType.APPLICATION: ApplicationProfileForm,
    PartnerType.INVESTMENT: InvestmentProfileForm,
}


class ScenarioForm(forms.ModelForm):
    class Meta:
        model = Scenario
        fields = ["title", "description", "data_available", "budget_min_10k", "budget_max_10k"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}),
                   "data_available": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False

    def clean(self):
        data = super().clean()
        low, high = data.get("budget_min_10k"), data.get("budget_max_10k")
        if low is not None and high is not None and low > high:
            self.add_error("budget_max_10k", _("The budget's lower bound cannot exceed its upper bound."))
        return data


ScenarioFormSet = inlineformset_factory(
    ApplicationProfile, Scenario, form=ScenarioForm, extra=1, can_delete=True,
    max_num=MAX_SCENARIOS, validate_max=True, absolute_max=MAX_SCENARIOS,
)
