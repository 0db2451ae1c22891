"""What staff write during review: messages to applicants, internal notes, decisions, objections."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..enums import ObjectionState


class ReviewMessage(models.Model):
    """A message to the applicant (for example the list of points to change). Applicants see these."""

    application = models.ForeignKey("partners.Application", on_delete=models.CASCADE, related_name="messages",
                                    verbose_name=_("application"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("author"))
    action = models.CharField(max_length=40, blank=True, verbose_name=_("action"))
    body = models.TextField(_("message"), max_length=5000)
    points = models.JSONField(_("points to address"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("message to the applicant")
        verbose_name_plural = _("messages to applicants")
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.application}: {self.body[:40]}"


class InternalNote(models.Model):
    """A note among staff; never shown to the applicant nor sent through the API to applicants."""

    application = models.ForeignKey("partners.Application", on_delete=models.CASCADE,
                                    related_name="internal_notes", verbose_name=_("application"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("author"))
    body = models.TextField(_("note"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.application}: {self.body[:40]}"


class Decision(models.Model):
    """A decision at one level of review, with the per-type outcome and the letter as sent."""

    class Level(models.TextChoices):
        FIRST = "first", _("First review")
        FINAL = "final", _("Final review")

    # What the API calls this row (`id` there); the integer key stays internal.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("public identifier"))
    application = models.ForeignKey("partners.Application", on_delete=models.CASCADE,
                                    related_name="decisions", verbose_name=_("application"))
    level = models.CharField(max_length=10, choices=Level.choices, verbose_name=_("level"))
    action = models.CharField(max_length=40, verbose_name=_("action"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("actor"))
    per_type = models.JSONField(default=dict, blank=True, verbose_name=_("per partner type"))
    # The expert panel's aggregate as it stood when the first-level recommendation cited it (kept as cited, so a
    # later score does not change what the approver was told).
    panel = models.JSONField(default=dict, blank=True, verbose_name=_("expert panel cited"))
    reason = models.TextField(max_length=5000, blank=True, verbose_name=_("reason"))
    letter_subject = models.CharField(max_length=200, blank=True, verbose_name=_("letter subject"))
    letter_body = models.TextField(blank=True, verbose_name=_("letter body"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["created_at"]

    def __str__(self):
        from ..labels import action_label

        return f"{self.application} {self.get_level_display()} {action_label(self.action)}"


class DecisionLetterTemplate(models.Model):
    """Administrators edit the letters; placeholders use Django template syntax."""

    outcome = models.CharField(_("outcome"), max_length=40)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("decision letter template")
        verbose_name_plural = _("decision letter templates")
        constraints = [models.UniqueConstraint(fields=["outcome", "language"], name="letter_template_once")]

    def __str__(self):
        return f"{self.outcome} ({self.language})"


def new_objection_reference():
    """A reference the objector quotes (YY-2026-7K3MQ9): random, so it says nothing of how many were filed."""
    import secrets

    from django.utils import timezone

    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no O/0 or I/1 to misread
    return f"YY-{timezone.localdate().year}-" + "".join(secrets.choice(alphabet) for _i in range(6))


class Objection(models.Model):
    """An objection filed by anyone during the public notice period."""

    application = models.ForeignKey("partners.Application", on_delete=models.CASCADE,
                                    related_name="objections", verbose_name=_("application"))
    reference = models.CharField(_("reference number"), max_length=20, unique=True, default=new_objection_reference)
    name = models.CharField(_("your name"), max_length=50)
    contact = models.CharField(_("how to reach you"), max_length=100)
    email = models.EmailField(_("e-mail for the reference number and the outcome"), blank=True)
    reason = models.TextField(_("reason"), max_length=5000)
    state = models.CharField(max_length=10, choices=ObjectionState.choices, default=ObjectionState.OPEN,
                             verbose_name=_("state"))
    resolution = models.TextField(_("resolution"), max_length=5000, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("resolved by"))
    source_ip = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("source IP address"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("resolved at"))

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.reference} {self.application}: {self.name} ({self.get_state_display()})"


def evidence_path(instance, filename):
    # Random names: the original name is kept in the row, never on disk.
    import uuid

    return f"objections/{instance.objection_id}/{uuid.uuid4().hex}"


class ObjectionEvidence(models.Model):
    """A file the objector attached as evidence; checked like every upload (size, type, content, scanner)."""

    objection = models.ForeignKey(Objection, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=200, null=True, blank=True)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("objection evidence")
        verbose_name_plural = _("objection evidence")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name
