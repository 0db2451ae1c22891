"""Forms of the data catalogue and the showcase: entries, cases, filters and introduction requests."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..enums import AccessTerms, CaseKind, DataLanguage, DataModality, PartnerType
from ..models import Case, DataDemand, DataSet, District, Industry, Organization


class OwnOrganizationMixin:
    """The organisation field offers only the organisations the person acts for."""

    def limit_organizations(self, user):
        field = self.fields["organization"]
        field.queryset = Organization.objects.filter(memberships_of_people__user=user).order_by("name")
        field.empty_label = None


class DataSetForm(OwnOrganizationMixin, forms.ModelForm):
    languages = forms.MultipleChoiceField(label=_("Languages"), choices=DataLanguage.choices, required=False,
                                          widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = DataSet
        fields = ["organization", "name", "description", "modality", "industry", "size_value", "size_unit",
                  "languages", "licence", "access_terms", "contains_personal_information", "security_assessed",
                  "update_frequency", "sample_description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}),
                   "sample_description": forms.Textarea(attrs={"rows": 3})}


class DataDemandForm(OwnOrganizationMixin, forms.ModelForm):
    languages = forms.MultipleChoiceField(label=_("Languages"), choices=DataLanguage.choices, required=False,
                                          widget=forms.CheckboxSelectMultiple)
    accepted_access_terms = forms.MultipleChoiceField(
        label=_("Acceptable access terms"), choices=AccessTerms.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: any terms are acceptable."))

    class Meta:
        model = DataDemand
        fields = ["organization", "title", "description", "modality", "industry", "size_value", "size_unit",
                  "languages", "stage", "quality_needs", "needs_commercial_use", "accepted_access_terms",
                  "budget_min", "budget_max", "deadline"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}),
                   "quality_needs": forms.Textarea(attrs={"rows": 3}),
                   "deadline": forms.DateInput(attrs={"type": "date"})}


class CaseForm(OwnOrganizationMixin, forms.ModelForm):
    class Meta:
        model = Case
        fields = ["organization", "kind", "title", "scenario", "results", "industry", "year"]
        widgets = {"scenario": forms.Textarea(attrs={"rows": 4}), "results": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year


class CatalogueFilter(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    modality = forms.ChoiceField(label=_("Modality"), choices=[("", _("All")), *DataModality.choices],
                                 required=False)
    industry = forms.ModelChoiceField(label=_("Industry"), queryset=Industry.objects.filter(active=True),
                                      required=False, to_field_name="code", empty_label=_("All"))


class ShowcaseFilter(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of case"), choices=[("", _("All")), *CaseKind.choices], required=False)
    industry = forms.ModelChoiceField(label=_("Industry"), queryset=Industry.objects.filter(active=True),
                                      required=False, to_field_name="code", empty_label=_("All"))
    partner_type = forms.ChoiceField(label=_("Partner type"), choices=[("", _("All")), *PartnerType.choices],
                                     required=False)
    year = forms.IntegerField(label=_("Year"), min_value=2023, max_value=2100, required=False)
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.filter(active=True),
                                      required=False, to_field_name="code", empty_label=_("All"))


class IntroductionForm(forms.Form):
    other = forms.UUIDField(widget=forms.HiddenInput)
    message = forms.CharField(label=_("Message to the other side"), max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
