"""Forms of the application's own steps: contact, partner types, channel, declaration, withdrawal."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..enums import ApplicationState, Channel, PartnerType
from ..models import Application, InvitationCode
from ..phones import normalize_phone, validate_phone
from .attachments import validate_upload


class ContactForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = ["contact_name", "contact_title", "contact_phone", "contact_email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
        # An office contact is often reached on a landline: both kinds are accepted.
        self.fields["contact_phone"].help_text = _("Mobile or landline with area code, e.g. 138 0013 8000 or "
                                                   "010-6552 9988.")
        self.fields["contact_phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})

    def clean_contact_phone(self):
        phone = self.cleaned_data.get("contact_phone", "")
        if phone:
            validate_phone(phone)
            phone = normalize_phone(phone)
        return phone


class TypesForm(forms.Form):
    partner_types = forms.MultipleChoiceField(
        label=_("Partner types applied for"), choices=PartnerType.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose one or more. Each type you choose adds a section to the next step."))


class ChannelForm(forms.Form):
    channel = forms.ChoiceField(label=_("How do you come to the plan?"), choices=Channel.choices, required=False,
                                widget=forms.RadioSelect)
    invitation_code = forms.CharField(label=_("Invitation code"), max_length=32, required=False,
                                      help_text=_("The code the inviting department gave you."))
    recommender_name = forms.CharField(label=_("Recommending organisation"), max_length=200, required=False)
    letter = forms.FileField(label=_("Recommendation letter (PDF, JPEG or PNG)"), required=False)

    def __init__(self, *args, application=None, **kwargs):
        self.application = application
        super().__init__(*args, **kwargs)

    def clean_invitation_code(self):
        code = "".join(self.cleaned_data.get("invitation_code", "").split())
        self.invitation = None
        if code:
            from ..services.applications import invitation_problem

            self.invitation = InvitationCode.objects.filter(code__iexact=code).first()
            problem = invitation_problem(self.invitation, self.application)
            if problem:
                raise forms.ValidationError(problem)
        return code

    def clean_letter(self):
        letter = self.cleaned_data.get("letter")
        if letter:
            validate_upload(letter)
        return letter

    def apply(self, application):
        """Copy the answers onto the (locked) application; only the chosen channel's details are kept."""
        data = self.cleaned_data
        application.channel = data.get("channel") or ""
        application.invitation = (getattr(self, "invitation", None)
                                  if application.channel == Channel.DEPARTMENT_INVITATION else None)
        application.recommender_name = (data.get("recommender_name", "")
                                        if application.channel == Channel.INDUSTRY_RECOMMENDATION else "")
        application.save()


class DeclarationForm(forms.Form):
    declaration = forms.BooleanField(
        label=_("I declare that the information given is true and complete, and that I am authorised to apply "
                "for the organisation."), required=False)
    expected_state = forms.ChoiceField(choices=ApplicationState.choices, widget=forms.HiddenInput)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=1000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))
    expected_state = forms.ChoiceField(choices=ApplicationState.choices, widget=forms.HiddenInput)


class ActionForm(forms.Form):
    expected_state = forms.ChoiceField(choices=ApplicationState.choices, widget=forms.HiddenInput)
