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


class PartnerChoiceField(forms.ModelMultipleChoiceField):
    """The partners involved: any active member of the plan is accepted (checked against the database), but only
    a few are offered as boxes to tick (those chosen, a search's results, the members paired with the
    organisation), so the page stays small however many members the plan has."""

    default_error_messages = {
        "invalid_list": _("Choose the partners among the plan's members."),
        "invalid_choice": _("Only active members of the plan can be named as partners of a case."),
        "invalid_pk_value": _("Choose the partners among the plan's members."),
    }

    def __init__(self, **kwargs):
        from ..services.case_partners import active_members

        super().__init__(queryset=active_members(), required=False, widget=forms.CheckboxSelectMultiple,
                         label=_("Partners involved"),
                         help_text=_("Other members of the plan that took part: search them by name or member "
                                     "number, or tick the members your organisation is paired with."), **kwargs)

    def clean(self, value):
        from ..services.case_partners import MAX_PARTNERS, PK_LIMIT

        values = value if isinstance(value, (list, tuple)) else [value] if value else []
        # Not a row id at all, or too many: refused here, before any of it reaches a query.
        if any(not str(v).strip().isdigit() or int(str(v).strip()) > PK_LIMIT for v in values):
            raise forms.ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value")
        if len(set(values)) > MAX_PARTNERS:
            raise forms.ValidationError(_("A case can name at most %(n)d partners."), code="too_many",
                                        params={"n": MAX_PARTNERS})
        return super().clean(value)

    def offer(self, organizations):
        """The boxes shown: these organisations, each with its member number."""
        seen, choices = set(), []
        for org in organizations:
            if org.pk in seen:
                continue
            seen.add(org.pk)
            number = getattr(getattr(org, "membership", None), "number", "")
            choices.append((org.pk, f"{org.name} ({number})" if number else org.name))
        self.widget.choices = choices


class CaseForm(OwnOrganizationMixin, forms.ModelForm):
    partners = PartnerChoiceField()

    class Meta:
        model = Case
        fields = ["organization", "kind", "title", "scenario", "results", "industry", "year", "partners"]
        widgets = {"scenario": forms.Textarea(attrs={"rows": 4}), "results": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["year"].initial = timezone.localdate().year
        else:
            # A case stays with the organisation it was started for.
            self.fields["organization"].disabled = True

    def chosen_partner_ids(self) -> list[int]:
        """The ids ticked in the submitted form (or saved on the case), for the boxes to show again."""
        if self.is_bound:
            values = self.data.getlist(self.add_prefix("partners")) if hasattr(self.data, "getlist") else []
            return [int(v) for v in values if str(v).isdigit() and int(v) < 2**63]
        if self.instance.pk is not None:
            return list(self.instance.partners.values_list("pk", flat=True))
        return []

    def offer_partners(self, user, term=""):
        """Boxes for the partners chosen, the members found by `term`, and the organisations' paired members."""
        from ..services import case_partners

        own = list(self.fields["organization"].queryset.values_list("pk", flat=True))
        chosen = list(case_partners.active_members().filter(pk__in=self.chosen_partner_ids())
                      .select_related("membership").order_by("name"))
        exclude = own + [org.pk for org in chosen]
        found = case_partners.search(term, exclude=exclude) if term else []
        paired = case_partners.paired_with(own, exclude=exclude + [org.pk for org in found])
        self.fields["partners"].offer([*chosen, *found, *paired])
        return found

    def clean(self):
        data = super().clean()
        organization = data.get("organization") or (self.instance.organization if self.instance.pk else None)
        partners = data.get("partners")
        if organization is not None and partners is not None and organization in partners:
            self.add_error("partners", _("The case's own organisation is not one of its partners."))
        return data


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


class TargetForm(forms.Form):
    """A year's targets of the plan: how many benchmark applications and industry solutions to land."""

    year = forms.IntegerField(label=_("Year"), min_value=2023, max_value=2100)
    applications = forms.IntegerField(label=_("Benchmark applications"), min_value=1, max_value=1000,
                                      help_text=_("The plan asks for 10 or more a year."))
    solutions = forms.IntegerField(label=_("Industry solutions"), min_value=1, max_value=1000,
                                   help_text=_("The plan asks for 10 or more a year."))
