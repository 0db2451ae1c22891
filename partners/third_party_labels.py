"""Labels for fields of installed apps that ship without one (so Django shows the English field name)."""

from django.utils.translation import gettext_lazy as _


def label_third_party_fields():
    """allauth's "request a re-authentication code" form has an unlabelled `recipient` choice."""
    from allauth.account.forms import RequestReauthenticationCodeForm

    RequestReauthenticationCodeForm.base_fields["recipient"].label = _("Send the code to")
