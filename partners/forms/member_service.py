"""Staff and member forms of the member services: officers, contacts, key-enterprise flags, requests."""

from datetime import date

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..enums import ContactKind, MemberRequestKind, StaffRole
from ..models import User
from .review import bootstrap


def officers_queryset(user=None):
    """Service officers (and administrators) to choose from; district staff choose only within their district."""
    from ..member_scope import district_of

    qs = User.objects.filter(is_active=True).filter(
        Q(groups__name=StaffRole.SERVICE_OFFICER) | Q(groups__name=StaffRole.ADMINISTRATOR)).distinct()
    district = district_of(user) if user is not None else None
    if district is not None:
        qs = qs.filter(officer_scope__district_id=district)
    return qs.order_by("display_name", "email")


class DateInput(forms.DateInput):
    input_type = "date"


class AssignOfficersForm(forms.Form):
    city_officer = forms.ModelChoiceField(label=_("City service officer"), required=False, queryset=User.objects.none())
    district_officer = forms.ModelChoiceField(label=_("District service officer"), required=False,
                                              queryset=User.objects.none())
    clear = forms.BooleanField(label=_("Remove the officers instead"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        officers = officers_queryset()
        self.fields["city_officer"].queryset = officers.filter(officer_scope__isnull=True)
        self.fields["district_officer"].queryset = officers_queryset(user)
        bootstrap(self)

    def clean(self):
        data = super().clean()
        if not (data.get("city_officer") or data.get("district_officer") or data.get("clear")):
            raise forms.ValidationError(_("Choose an officer."))
        return data


def _sane_date(value):
    if value and not (date(2000, 1, 1) <= value <= date(2100, 12, 31)):
        raise forms.ValidationError(_("Enter a date between 2000 and 2100."))
    return value


class ContactForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of contact"), choices=ContactKind.choices)
    contacted_on = forms.DateField(label=_("Date of contact"), widget=DateInput)
    participants = forms.CharField(label=_("Participants"), max_length=500, required=False)
    topics = forms.CharField(label=_("Topics"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    follow_up = forms.CharField(label=_("Follow-up"), max_length=500, required=False)
    follow_up_due = forms.DateField(label=_("Follow-up due on"), required=False, widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)

    def clean_contacted_on(self):
        return _sane_date(self.cleaned_data["contacted_on"])

    def clean_follow_up_due(self):
        return _sane_date(self.cleaned_data["follow_up_due"])

    def clean(self):
        data = super().clean()
        if data.get("follow_up") and not data.get("follow_up_due"):
            self.add_error("follow_up_due", _("Give the follow-up a due date."))
        return data

    def follow_ups(self):
        data = self.cleaned_data
        return [(data["follow_up"], data["follow_up_due"])] if data.get("follow_up") else []


class KeyEnterpriseForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=[("city", _("City")), ("district", _("District"))])
    flagged = forms.BooleanField(label=_("Key enterprise"), required=False)
    since = forms.DateField(label=_("Since"), required=False, widget=DateInput)
    reference = forms.CharField(label=_("Decision reference"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)

    def clean_since(self):
        return _sane_date(self.cleaned_data["since"])


class MemberRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of request"), choices=MemberRequestKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class RequestActionForm(forms.Form):
    """The inputs an action of the member-request process may need; which are required depends on the action."""

    department = forms.CharField(label=_("Department"), max_length=200, required=False)
    due_on = forms.DateField(label=_("The department answers by"), required=False, widget=DateInput)
    resolution = forms.CharField(label=_("Resolution"), max_length=2000, required=False,
                                 widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)

    def clean_due_on(self):
        return _sane_date(self.cleaned_data["due_on"])

    def inputs(self, transition):
        return {name: self.cleaned_data.get(name) for name in ("department", "due_on", "resolution", "reason")
                if name in transition.requires}


class ReportMonthForm(forms.Form):
    month = forms.RegexField(label=_("Month"), regex=r"^\d{4}-(0[1-9]|1[0-2])$", max_length=7, required=False,
                             error_messages={"invalid": _("Enter the month as YYYY-MM.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)

    def clean_month(self):
        value = self.cleaned_data["month"]
        if value:
            year = int(value[:4])
            if not 2000 <= year <= 2100:
                raise forms.ValidationError(_("Enter a month between 2000 and 2100."))
        return value
