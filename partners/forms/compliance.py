"""Forms of the privacy and security screens: profile correction, deletion, audit filter, roles, settings."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..enums import StaffRole
from ..models import PrivacyNotice, SecuritySetting, User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "phone", "language"]


class DeletionForm(forms.Form):
    confirm_email = forms.EmailField(label=_("Type your e-mail address to confirm"))
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_confirm_email(self):
        value = self.cleaned_data["confirm_email"].strip().lower()
        if self.user is None or value != self.user.email.lower():
            raise forms.ValidationError(_("This is not the e-mail address of your account."))
        return value


class AuditFilterForm(forms.Form):
    RESULTS = [("", _("any")), ("success", _("success")), ("failure", _("failure")), ("refused", _("refused"))]

    date_from = forms.DateField(label=_("from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    actor = forms.CharField(label=_("actor"), required=False, max_length=254)
    action = forms.CharField(label=_("action"), required=False, max_length=60,
                             help_text=_('A code, e.g. <code translate="no">auth.login</code>, or <code translate="no">auth.</code> '
                                         'for every login event'))
    result = forms.ChoiceField(label=_("result"), required=False, choices=RESULTS)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data


class RoleChangeForm(forms.Form):
    OPERATIONS = [("grant", _("Grant role")), ("revoke", _("Revoke role")), ("unlock", _("Unlock account")),
                  ("reset_mfa", _("Reset two-factor authentication"))]

    operation = forms.ChoiceField(choices=OPERATIONS)
    role = forms.ChoiceField(choices=[("", "—")] + list(StaffRole.choices), required=False)

    def clean(self):
        data = super().clean()
        if data.get("operation") in ("grant", "revoke") and not data.get("role"):
            self.add_error("role", _("Choose a role."))
        return data


class SplitDutiesForm(forms.Form):
    system_admin = forms.EmailField(label=StaffRole.SYSTEM_ADMIN.label,
                                    help_text=_("users, settings and reference data"))
    security_admin = forms.EmailField(label=StaffRole.SECURITY_ADMIN.label,
                                      help_text=_("roles and permissions, lockouts, two-factor resets"))
    audit_admin = forms.EmailField(label=StaffRole.AUDIT_ADMIN.label, help_text=_("reads the security audit log"))

    def clean(self):
        data = super().clean()
        emails = [(data.get(f) or "").lower() for f in ("system_admin", "security_admin", "audit_admin")]
        if all(emails) and len(set(emails)) != 3:
            raise forms.ValidationError(_("The three roles need three different people."))
        return data


class SecuritySettingForm(forms.Form):
    key = forms.ChoiceField(label=_("setting"), choices=SecuritySetting.Key.choices)
    value = forms.IntegerField(label=_("value"), min_value=0, max_value=100000)


class PersonExportForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the export"), max_length=500,
                             help_text=_("Recorded in the security audit log."))


class PrivacyNoticeForm(forms.ModelForm):
    class Meta:
        model = PrivacyNotice
        fields = ["title_zh", "title_en", "text_zh", "text_en"]
