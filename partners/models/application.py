"""Applications to join the plan, the partner types they request, their attachments and revisions."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..enums import ApplicationState, Channel, PartnerType, Recommendation, type_rank


def attachment_path(instance, filename):
    # Random names: the original name is kept in the row, never on disk.
    return f"attachments/{instance.application_id}/{uuid.uuid4().hex}"


class InvitationCode(models.Model):
    """A code a government department hands to an organisation it invites."""

    code = models.CharField(_("invitation code"), max_length=32, unique=True)
    department = models.CharField(_("inviting department"), max_length=100)
    organization_name = models.CharField(_("invited organisation"), max_length=200, blank=True)
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    used_by = models.ForeignKey("partners.Application", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("used by"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("invitation code")
        verbose_name_plural = _("invitation codes")

    def __str__(self):
        return f"{self.code} ({self.department})"


class Application(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False,
                                 verbose_name=_("public identifier"))
    organization = models.ForeignKey("partners.Organization", on_delete=models.PROTECT,
                                     related_name="applications", verbose_name=_("organisation"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    state = models.CharField(_("state"), max_length=20, choices=ApplicationState.choices,
                             default=ApplicationState.DRAFT, db_index=True, editable=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)
    invitation = models.ForeignKey(InvitationCode, null=True, blank=True, on_delete=models.PROTECT,
                                   verbose_name=_("invitation code"))
    recommender_name = models.CharField(_("recommending organisation"), max_length=200, blank=True)
    recommendation_letter = models.ForeignKey("partners.Attachment", null=True, blank=True,
                                              on_delete=models.SET_NULL, related_name="+",
                                              verbose_name=_("recommendation letter"))
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_title = models.CharField(_("contact's position"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact's phone"), max_length=20, blank=True)
    contact_email = models.EmailField(_("contact's e-mail"), blank=True)
    declaration_accepted = models.BooleanField(_("declaration accepted"), default=False)
    call = models.ForeignKey("partners.Call", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="applications", verbose_name=_("call"))
    # 受理编号, given at the first submission (BJAI-SQ-2026-000123).
    receipt_number = models.CharField(_("receipt number"), max_length=30, null=True, blank=True, unique=True,
                                      editable=False)
    wizard_step = models.PositiveSmallIntegerField(default=1, editable=False, verbose_name=_("wizard step"))

    assigned_reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="assigned_applications", verbose_name=_("reviewer"))
    first_reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="first_reviewed_applications", editable=False,
                                          verbose_name=_("first reviewed by"))
    final_decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="final_decided_applications", editable=False,
                                         verbose_name=_("final decision by"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    assigned_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("assigned at"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, editable=False)
    publicity_ends_at = models.DateTimeField(_("public notice ends"), null=True, blank=True, editable=False)
    state_changed_at = models.DateTimeField(auto_now_add=True, editable=False,
                                            verbose_name=_("state changed at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "-submitted_at"], name="application_queue_idx"),
            models.Index(fields=["assigned_reviewer", "state"], name="application_assignee_idx"),
            # The home page's list of applications in public notice, soonest end first.
            models.Index(fields=["publicity_ends_at", "id"], name="application_publicity_idx",
                         condition=Q(state=ApplicationState.PUBLICITY)),
            # The dashboard's median time in each state reads the middle of each state from here, unsorted.
            models.Index(fields=["state", "state_changed_at"], name="application_state_age_idx"),
        ]

    def __str__(self):
        return f"{self.organization} #{self.pk}"

    @property
    def partner_types(self) -> list[str]:
        from ..enums import in_type_order

        kept = self.__dict__.get("_kept_partner_types")
        if kept is not None:
            return list(kept)
        return in_type_order(rt.partner_type for rt in self.requested_types.all())

    def keep_partner_types(self, codes=None):
        """Read the partner types once for the rest of this instance's life: a workflow transition reads them in
        its checks, effect, revision and notifications, and none changes them. `codes`: the types, when they were
        read along with the application."""
        from ..enums import in_type_order

        self.__dict__.pop("_kept_partner_types", None)
        self.__dict__["_kept_partner_types"] = tuple(in_type_order(codes) if codes is not None
                                                     else self.partner_types)

    def forget_partner_types(self):
        """Read the partner types, requested types and attachments afresh from now on: a transition reads them
        once, with the application, and its effect may have changed the requested types."""
        self.__dict__.pop("_kept_partner_types", None)
        kept = getattr(self, "_prefetched_objects_cache", {})
        kept.pop("requested_types", None)
        kept.pop("attachments", None)

    def get_partner_types_display(self):
        labels = dict(PartnerType.choices)
        return ", ".join(str(labels[t]) for t in self.partner_types)


class RequestedType(models.Model):
    """One partner type an application asks for, with its first-level recommendation and final decision.

    `organization` and `is_open` are copied from the application so the database itself forbids two
    open applications of one organisation for the same partner type.
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="requested_types",
                                    verbose_name=_("application"))
    organization = models.ForeignKey("partners.Organization", on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("organisation"))
    partner_type = models.CharField(_("partner type"), max_length=20, choices=PartnerType.choices)
    is_open = models.BooleanField(default=True, verbose_name=_("still open"))
    recommendation = models.CharField(_("first-review recommendation"), max_length=10,
                                      choices=Recommendation.choices, blank=True)
    granted = models.BooleanField(_("granted"), null=True, blank=True)

    class Meta:
        verbose_name = _("requested partner type")
        verbose_name_plural = _("requested partner types")
        ordering = ["application", type_rank()]  # the PartnerType order, the same everywhere
        constraints = [
            models.UniqueConstraint(fields=["application", "partner_type"], name="requested_type_once"),
            models.UniqueConstraint(
                fields=["organization", "partner_type"], condition=Q(is_open=True),
                name="one_open_application_per_type",
                violation_error_message=_("This organisation already has an open application for this partner type."),
            ),
        ]

    def __str__(self):
        return self.get_partner_type_display()


class AttachmentKind(models.TextChoices):
    BUSINESS_LICENCE = "licence", _("Business licence")
    RECOMMENDATION_LETTER = "recommendation", _("Recommendation letter")
    OTHER = "other", _("Other")


class Attachment(models.Model):
    Kind = AttachmentKind

    # What the API calls this row (`id` there); the integer key stays internal.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("public identifier"))
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments",
                                    verbose_name=_("application"))
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind.choices, default=AttachmentKind.OTHER)
    file = models.FileField(upload_to=attachment_path, max_length=200, null=True, blank=True,
                            verbose_name=_("file"))
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=50, verbose_name=_("content type"))
    size = models.PositiveIntegerField(verbose_name=_("size"))
    sha256 = models.CharField(max_length=64, verbose_name=_("SHA-256 checksum"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("uploaded at"))
    purged_at = models.DateTimeField(_("file deleted under the retention rule"), null=True, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name


class Revision(models.Model):
    """What the applicant submitted, frozen at each submit and resubmit."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="revisions",
                                    verbose_name=_("application"))
    number = models.PositiveIntegerField(verbose_name=_("number"))
    snapshot = models.JSONField(verbose_name=_("snapshot"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["application", "number"]
        constraints = [models.UniqueConstraint(fields=["application", "number"], name="revision_number_once")]

    def __str__(self):
        return f"{self.application} r{self.number}"
