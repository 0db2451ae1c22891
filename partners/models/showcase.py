"""The showcase of pilot cases (标杆应用, 行业标杆解决方案) and the plan's yearly targets."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..enums import CaseKind, CaseMediaKind, CaseState

DEFAULT_TARGET = 10  # the plan: 10+ benchmark applications and 10+ industry solutions a year


def case_media_path(instance, filename):
    # Random names: the original name is kept in the row, never on disk.
    return f"cases/{instance.case_id}/{uuid.uuid4().hex}"


class Case(models.Model):
    """A member's pilot case, reviewed on the workflow engine and published on the showcase."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("public identifier"))
    organization = models.ForeignKey("partners.Organization", on_delete=models.CASCADE, related_name="cases",
                                     verbose_name=_("organisation"))
    kind = models.CharField(_("kind of case"), max_length=12, choices=CaseKind.choices)
    title = models.CharField(_("title"), max_length=200)
    scenario = models.TextField(_("scenario"), max_length=4000)
    results = models.TextField(_("results with figures"), max_length=4000, blank=True)
    industry = models.ForeignKey("partners.Industry", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("industry"))
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2023), MaxValueValidator(2100)])
    partners = models.ManyToManyField("partners.Organization", blank=True, related_name="cases_taking_part",
                                      verbose_name=_("partners involved"))
    state = models.CharField(_("state"), max_length=12, choices=CaseState.choices, default=CaseState.DRAFT,
                             db_index=True)
    return_reason = models.TextField(_("what to change"), max_length=2000, blank=True)
    counts_toward_target = models.BooleanField(_("counts toward the year's target"), default=False)
    designated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name=_("designated by"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("submitted by"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("reviewed by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    state_changed_at = models.DateTimeField(_("state changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("pilot case")
        verbose_name_plural = _("pilot cases")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["state", "year", "kind"], name="case_showcase"),
            models.Index(fields=["year", "kind"], name="case_target", condition=models.Q(counts_toward_target=True)),
        ]

    def __str__(self):
        return self.title


class CaseMedia(models.Model):
    """An image or a PDF of a case, checked like every upload."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="media", verbose_name=_("pilot case"))
    kind = models.CharField(_("kind"), max_length=8, choices=CaseMediaKind.choices)
    file = models.FileField(upload_to=case_media_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("case media")
        verbose_name_plural = _("case media")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name


class YearTarget(models.Model):
    """The plan's target for a year: how many benchmark applications and industry solutions to land."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True,
                                            validators=[MinValueValidator(2023), MaxValueValidator(2100)])
    applications = models.PositiveSmallIntegerField(_("benchmark applications"), default=DEFAULT_TARGET)
    solutions = models.PositiveSmallIntegerField(_("industry solutions"), default=DEFAULT_TARGET)

    class Meta:
        verbose_name = _("yearly target")
        verbose_name_plural = _("yearly targets")
        ordering = ["-year"]

    def __str__(self):
        return str(self.year)
