"""Calls for applications (申报批次), their scoring rubrics, the expert panel and receipt numbers."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..enums import ExpertAssignmentState, PartnerType


class Call(models.Model):
    """One round of intake: which partner types it takes, and when. An always-open call is continuous intake."""

    CONTINUOUS = "continuous"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("public identifier"))
    # A stable code for the calls the registry itself relies on (the continuous intake); blank for the others.
    code = models.CharField(_("code"), max_length=30, blank=True)
    title = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    partner_types = models.JSONField(_("partner types open"), default=list, blank=True,
                                     help_text=_("Empty means every partner type."))
    always_open = models.BooleanField(_("always open"), default=False)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    quotas = models.JSONField(_("quota per partner type"), default=dict, blank=True)
    required_documents = models.JSONField(_("documents required per partner type"), default=dict, blank=True)
    guidance = models.TextField(_("guidance (Chinese)"), max_length=5000, blank=True)
    guidance_en = models.TextField(_("guidance (English)"), max_length=5000, blank=True)
    experts_per_application = models.PositiveSmallIntegerField(_("experts per application"), default=3)
    panel_deadline = models.DateTimeField(_("panel deadline"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("call for applications")
        verbose_name_plural = _("calls for applications")
        ordering = ["-opens_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["code"], condition=~models.Q(code=""),
                                               name="call_code_once")]

    def __str__(self):
        return self.title

    @property
    def label(self) -> str:
        """The title in the reader's language (the Chinese one when there is no English title)."""
        from django.utils.translation import get_language

        return (self.title_en or self.title) if (get_language() or "").startswith("en") else self.title

    @property
    def guidance_text(self) -> str:
        from django.utils.translation import get_language

        return (self.guidance_en or self.guidance) if (get_language() or "").startswith("en") else self.guidance

    def is_open(self, now=None) -> bool:
        if self.always_open:
            return True
        now = now or timezone.now()
        return bool(self.opens_at and self.opens_at <= now and (self.closes_at is None or now < self.closes_at))

    def takes(self, partner_type) -> bool:
        return not self.partner_types or partner_type in self.partner_types

    def type_labels(self):
        labels = dict(PartnerType.choices)
        return [labels[t] for t in (self.partner_types or PartnerType.values) if t in labels]


class ReceiptCounter(models.Model):
    """The last receipt number of a year; the submit transaction locks it, so numbers are unique and gap-free."""

    year = models.PositiveSmallIntegerField(primary_key=True, verbose_name=_("year"))
    last = models.PositiveIntegerField(default=0, verbose_name=_("last number"))

    class Meta:
        verbose_name = _("receipt number counter")
        verbose_name_plural = _("receipt number counters")

    def __str__(self):
        return f"{self.year}: {self.last}"


class Rubric(models.Model):
    """How experts score one partner type in one call: weighted criteria on a common scale."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("public identifier"))
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="rubrics", verbose_name=_("call"))
    partner_type = models.CharField(_("partner type"), max_length=20, choices=PartnerType.choices)
    scale_min = models.PositiveSmallIntegerField(_("lowest score"), default=1)
    scale_max = models.PositiveSmallIntegerField(_("highest score"), default=5)

    class Meta:
        verbose_name = _("scoring rubric")
        verbose_name_plural = _("scoring rubrics")
        ordering = ["call", "partner_type"]
        constraints = [
            models.UniqueConstraint(fields=["call", "partner_type"], name="rubric_once_per_call_and_type"),
            models.CheckConstraint(condition=models.Q(scale_max__gt=models.F("scale_min")), name="rubric_scale_order"),
        ]

    def __str__(self):
        return f"{self.call} · {self.get_partner_type_display()}"


class Criterion(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("rubric"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, default=1)
    # What each score means: {"1": {"zh": "…", "en": "…"}, …}
    score_guidance = models.JSONField(_("guidance per score"), default=dict, blank=True)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["rubric", "position", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(weight__gt=0), name="criterion_weight_positive")]

    def __str__(self):
        return self.name


class PanelExpert(models.Model):
    """An expert invited to a call's panel."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="panel", verbose_name=_("call"))
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="panels",
                               verbose_name=_("expert"))
    invited_at = models.DateTimeField(auto_now_add=True, verbose_name=_("invited at"))

    class Meta:
        verbose_name = _("panel expert")
        verbose_name_plural = _("panel experts")
        constraints = [models.UniqueConstraint(fields=["call", "expert"], name="panel_expert_once")]

    def __str__(self):
        return f"{self.call} · {self.expert}"


class ExpertAssignment(models.Model):
    """One expert's review of one application: the conflict declaration, then scores (draft, then submitted)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("public identifier"))
    application = models.ForeignKey("partners.Application", on_delete=models.CASCADE,
                                    related_name="expert_assignments", verbose_name=_("application"))
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert_assignments",
                               verbose_name=_("expert"))
    state = models.CharField(_("state"), max_length=12, choices=ExpertAssignmentState.choices,
                             default=ExpertAssignmentState.ASSIGNED, db_index=True, editable=False)
    conflict_reason = models.TextField(_("declared conflict of interest"), max_length=1000, blank=True)
    comment = models.TextField(_("comment"), max_length=5000, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("assigned by"))
    assigned_at = models.DateTimeField(auto_now_add=True, verbose_name=_("assigned at"))
    declared_at = models.DateTimeField(_("declared at"), null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True, editable=False)
    state_changed_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("state changed at"))

    class Meta:
        verbose_name = _("expert assignment")
        verbose_name_plural = _("expert assignments")
        ordering = ["application", "assigned_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["application", "expert"], name="expert_assignment_once")]

    def __str__(self):
        return f"{self.application_id} · {self.expert}"

    @property
    def active(self):
        return self.state in ExpertAssignmentState.active_states()


class ExpertScore(models.Model):
    assignment = models.ForeignKey(ExpertAssignment, on_delete=models.CASCADE, related_name="scores",
                                   verbose_name=_("expert assignment"))
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion"))
    score = models.PositiveSmallIntegerField(_("score"))

    class Meta:
        verbose_name = _("expert score")
        verbose_name_plural = _("expert scores")
        constraints = [models.UniqueConstraint(fields=["assignment", "criterion"], name="expert_score_once")]

    def __str__(self):
        return f"{self.criterion}: {self.score}"
