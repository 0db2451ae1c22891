"""Extra fields of the sign-up form: consent to a specific version of the privacy notice (个人信息保护法 art. 14)."""

from django import forms
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from ..services import privacy


class SignupForm(forms.Form):
    """allauth builds its sign-up form on this class (ACCOUNT_SIGNUP_FORM_CLASS)."""

    # The name greets the person and stands for them in lists of people (the address is only a fallback).
    display_name = forms.CharField(
        label=_("Your name"), max_length=100, required=True,
        help_text=_("As colleagues and the plan office should see it, for example 王芳."),
        error_messages={"required": _("Please tell us your name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree to the processing of my personal information it describes."),
        required=True,
        error_messages={"required": _("Please read the privacy notice and agree to it to create an account.")},
    )
    privacy_notice_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        notice = privacy.current_notice()
        self.notice = notice
        if notice is not None:
            self.fields["privacy_notice_version"].initial = notice.version
            url = reverse("privacy:notice")
            self.fields["consent"].help_text = mark_safe(  # noqa: S308 - a fixed link and a number, no input
                f'<a href="{url}" target="_blank" rel="noopener">{_g("Read the privacy notice")} '
                f"(v{notice.version})</a>"
            )

    def clean_privacy_notice_version(self):
        version = self.cleaned_data.get("privacy_notice_version")
        if version and self.notice is not None and version != self.notice.version:
            raise forms.ValidationError(
                _("The privacy notice changed while you were reading it; please read the new version and agree again."))
        return version

    def clean_display_name(self):
        name = " ".join((self.cleaned_data.get("display_name") or "").split())
        if not name:
            raise forms.ValidationError(_("Please tell us your name."))
        return name

    def signup(self, request, user):
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])
        if self.notice is not None:
            privacy.record_consent(user, self.notice, request=request)
