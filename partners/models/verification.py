"""Organisation verification: who may speak for an organisation, proven with documents and checked by staff."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..enums import VerificationDocumentKind, VerificationKind, VerificationState


def verification_document_path(instance, filename):
    # Random names: the original name is kept in the row, never on disk.
    return f"verification/{instance.case_id}/{uuid.uuid4().hex}"


class VerificationCase(models.Model):
    """One claim (or dispute, or change of identity) of an organisation, decided by staff through the workflow."""

    # What the API calls this case (`id` there); the integer key stays internal.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("public identifier"))
    organization = models.ForeignKey("partners.Organization", on_delete=models.CASCADE,
                                     related_name="verification_cases", verbose_name=_("organisation"))
    kind = models.CharField(_("kind"), max_length=10, choices=VerificationKind.choices,
                            default=VerificationKind.CLAIM)
    state = models.CharField(_("state"), max_length=20, choices=VerificationState.choices,
                             default=VerificationState.DRAFT, db_index=True)
    claimant = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                 related_name="verification_cases", verbose_name=_("claimant"))
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    position = models.CharField(_("claimant's position"), max_length=50, blank=True)
    statement = models.TextField(_("statement"), max_length=2000, blank=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("assigned to"))
    recommended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+", verbose_name=_("first checked by"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    state_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("verification case")
        verbose_name_plural = _("verification cases")
        ordering = ["-created_at"]
        constraints = [
            # One open case per person and organisation: a double click never opens two.
            models.UniqueConstraint(fields=["organization", "claimant"],
                                    condition=Q(state__in=["draft", "pending", "recommended"]),
                                    name="verification_one_open_case"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} ({self.organization_id})"

    @property
    def is_open(self):
        return self.state in VerificationState.open_states()


class VerificationDocument(models.Model):
    Kind = VerificationDocumentKind

    case = models.ForeignKey(VerificationCase, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=VerificationDocumentKind.choices)
    file = models.FileField(upload_to=verification_document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("verification document")
        verbose_name_plural = _("verification documents")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name
