"""The small forms behind the admin's workflow buttons: one field per input the transition needs."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..enums import PartnerType, Recommendation
from ..models import User


class WorkflowActionForm(forms.Form):
    """Built from the transition: message, points, a recommendation per type, or the types granted."""

    def __init__(self, *args, application, transition, **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application
        self.transition = transition
        requires = set(transition.requires) if transition else set()
        types = application.partner_types
        labels = dict(PartnerType.choices)
        if transition is None or transition.action not in ("submit", "resubmit", "start_review"):
            self.fields["message"] = forms.CharField(
                label=_("Reason") if transition and transition.action == "withdraw" else _("Message"),
                required="message" in requires, max_length=5000,
                widget=forms.Textarea(attrs={"rows": 5, "cols": 70}))
        if "points" in requires:
            self.fields["points"] = forms.CharField(
                label=_("Points to address (one per line)"), max_length=5000,
                widget=forms.Textarea(attrs={"rows": 5, "cols": 70}))
        if "recommendations" in requires:
            for t in types:
                self.fields[f"rec_{t}"] = forms.ChoiceField(
                    label=_("Recommendation for %(type)s") % {"type": labels[t]}, choices=Recommendation.choices)
        if "granted_types" in requires:
            recommended = [rt.partner_type for rt in application.requested_types.all()
                           if rt.recommendation != Recommendation.DECLINE]
            self.fields["granted_types"] = forms.MultipleChoiceField(
                label=_("Partner types granted"), choices=[(t, labels[t]) for t in types],
                initial=recommended, widget=forms.CheckboxSelectMultiple)

    def inputs(self) -> dict:
        data = self.cleaned_data
        inputs = {}
        if data.get("message"):
            inputs["message"] = data["message"].strip()
        if data.get("points"):
            inputs["points"] = [line.strip() for line in data["points"].splitlines() if line.strip()]
        recs = {name[4:]: value for name, value in data.items() if name.startswith("rec_")}
        if recs:
            inputs["recommendations"] = recs
        if data.get("granted_types"):
            inputs["granted_types"] = list(data["granted_types"])
        return inputs


def reviewers():
    return User.objects.filter(is_active=True, groups__name__in=["reviewer", "administrator"]).distinct()


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name} <{obj.email}>" if obj.display_name else obj.email


class AssignForm(forms.Form):
    reviewer = PersonChoiceField(label=_("Reviewer"), queryset=User.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers()
