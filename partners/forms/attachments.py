"""The attachment upload form: the kind and the file; the content is checked by the upload service."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Attachment


def validate_upload(uploaded):
    from ..services.applications import ServiceError
    from ..services.uploads import check_file

    try:
        check_file(uploaded)
    except ServiceError as exc:
        raise forms.ValidationError(exc.message, code=exc.code) from None


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"),
                             choices=[(Attachment.Kind.BUSINESS_LICENCE, Attachment.Kind.BUSINESS_LICENCE.label),
                                      (Attachment.Kind.OTHER, Attachment.Kind.OTHER.label)])
    file = forms.FileField(label=_("File (PDF, JPEG or PNG, at most 10 MB)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        validate_upload(uploaded)
        return uploaded
