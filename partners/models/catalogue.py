"""The data catalogue: data sets data partners supply, demands model and application partners publish, and the
introductions between the two."""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..enums import (
    AccessTerms,
    CatalogueSide,
    DataLicence,
    DataModality,
    IntroductionState,
    Moderation,
    SizeUnit,
    TrainingStage,
    UpdateFrequency,
)


class Listing(models.Model):
    """What a data set and a demand share: who publishes it, whether it is public, and whether it is featured."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("public identifier"))
    organization = models.ForeignKey("partners.Organization", on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("organisation"))
    description = models.TextField(_("description"), max_length=4000, blank=True)
    modality = models.CharField(_("modality"), max_length=12, choices=DataModality.choices)
    industry = models.ForeignKey("partners.Industry", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("industry"))
    size_value = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    size_unit = models.CharField(_("unit of size"), max_length=8, choices=SizeUnit.choices, default=SizeUnit.ITEMS)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    moderation = models.CharField(_("moderation"), max_length=10, choices=Moderation.choices,
                                  default=Moderation.PENDING, db_index=True)
    moderation_note = models.CharField(_("moderation note"), max_length=500, blank=True)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("moderated by"))
    featured = models.BooleanField(_("featured"), default=False)
    # The person the other side meets once an introduction is accepted.
    contact = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("contact person"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_public(self):
        return self.moderation == Moderation.PUBLISHED


class DataSet(Listing):
    """A data set in the supply catalogue (数据供给目录)."""

    name = models.CharField(_("name"), max_length=200)
    licence = models.CharField(_("licence"), max_length=16, choices=DataLicence.choices,
                               default=DataLicence.BY_AGREEMENT)
    access_terms = models.CharField(_("access terms"), max_length=12, choices=AccessTerms.choices,
                                    default=AccessTerms.CONDITIONAL)
    contains_personal_information = models.BooleanField(_("contains personal information"), default=False)
    security_assessed = models.BooleanField(_("security assessment passed"), default=False)
    update_frequency = models.CharField(_("update frequency"), max_length=12, choices=UpdateFrequency.choices,
                                        default=UpdateFrequency.ONCE)
    sample_description = models.TextField(_("sample description"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("data set")
        verbose_name_plural = _("data sets")
        ordering = ["-featured", "-published_at", "-id"]
        indexes = [models.Index(fields=["moderation", "modality"], name="dataset_public_modality")]

    def __str__(self):
        return self.name


class DataDemand(Listing):
    """A training-data demand (大模型训练数据需求清单)."""

    title = models.CharField(_("title"), max_length=200)
    stage = models.CharField(_("training stage"), max_length=12, choices=TrainingStage.choices)
    quality_needs = models.TextField(_("quality needs"), max_length=2000, blank=True)
    needs_commercial_use = models.BooleanField(_("needs commercial use"), default=True)
    accepted_access_terms = models.JSONField(_("acceptable access terms"), default=list, blank=True)
    budget_min = models.DecimalField(_("budget from (10,000 yuan)"), max_digits=12, decimal_places=2, null=True,
                                     blank=True, validators=[MinValueValidator(0)])
    budget_max = models.DecimalField(_("budget up to (10,000 yuan)"), max_digits=12, decimal_places=2, null=True,
                                     blank=True, validators=[MinValueValidator(0)])
    deadline = models.DateField(_("deadline"), null=True, blank=True)

    class Meta:
        verbose_name = _("data demand")
        verbose_name_plural = _("data demands")
        ordering = ["-featured", "-published_at", "-id"]
        indexes = [models.Index(fields=["moderation", "modality"], name="demand_public_modality")]

    def __str__(self):
        return self.title


class Introduction(models.Model):
    """One side asks to be introduced to the other; contacts are shared only once the other side accepts."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("public identifier"))
    dataset = models.ForeignKey(DataSet, on_delete=models.CASCADE, related_name="introductions",
                                verbose_name=_("data set"))
    demand = models.ForeignKey(DataDemand, on_delete=models.CASCADE, related_name="introductions",
                               verbose_name=_("data demand"))
    requested_by_side = models.CharField(_("requested by"), max_length=8, choices=CatalogueSide.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("requested by (person)"))
    message = models.TextField(_("message"), max_length=1000, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=IntroductionState.choices,
                             default=IntroductionState.PENDING, db_index=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("answered by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("introduction")
        verbose_name_plural = _("introductions")
        ordering = ["-created_at"]
        constraints = [
            # One introduction per pair at a time: asking twice waits for the first answer.
            models.UniqueConstraint(fields=["dataset", "demand"], condition=Q(state__in=["pending", "accepted"]),
                                    name="introduction_once_per_pair"),
        ]

    def __str__(self):
        return f"{self.dataset_id} ↔ {self.demand_id} ({self.state})"
