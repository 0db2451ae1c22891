"""One profile per partner type: what a reviewer needs to judge an application for that type."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..enums import PartnerType
from ..validators import validate_algorithm_filing, validate_genai_filing


class Profile(models.Model):
    partner_type: str = ""
    application = models.OneToOneField("partners.Application", on_delete=models.CASCADE,
                                       related_name="%(class)s", verbose_name=_("application"))
    summary = models.TextField(_("what you offer the plan"), max_length=2000, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self._meta.verbose_name}: {self.application}"


class ComputeProfile(Profile):
    partner_type = PartnerType.COMPUTE
    capacity_pflops_fp16 = models.DecimalField(_("capacity (PFLOPS at FP16)"), max_digits=10, decimal_places=2,
                                               null=True, blank=True, validators=[MinValueValidator(0)])
    accelerators_domestic = models.CharField(_("domestic accelerator families"), max_length=300, blank=True,
                                             help_text=_("e.g. Ascend 910B, Kunlun, Hygon DCU"))
    accelerators_foreign = models.CharField(_("foreign accelerator families"), max_length=300, blank=True)
    datacenter_locations = models.CharField(_("data-centre locations"), max_length=300, blank=True)
    services = models.JSONField(_("services"), default=list, blank=True)
    sme_pricing = models.TextField(_("pricing for SMEs"), max_length=1000, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("compute profile")
        verbose_name_plural = _("compute profiles")


class DataProfile(Profile):
    partner_type = PartnerType.DATA
    roles = models.JSONField(_("roles in the data market"), default=list, blank=True)
    domains = models.CharField(_("data domains"), max_length=300, blank=True)
    modalities = models.JSONField(_("modalities"), default=list, blank=True)
    volume_tb = models.DecimalField(_("volume (TB)"), max_digits=12, decimal_places=2, null=True, blank=True,
                                    validators=[MinValueValidator(0)])
    compliance_certifications = models.CharField(_("compliance certifications"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("data profile")
        verbose_name_plural = _("data profiles")


class ModelProfile(Profile):
    partner_type = PartnerType.MODEL
    industries = models.ManyToManyField("partners.Industry", blank=True, verbose_name=_("industries served"))
    base_models = models.CharField(_("base models"), max_length=300, blank=True)
    parameter_scale_billion = models.DecimalField(_("parameters (B)"), max_digits=10, decimal_places=1,
                                                  null=True, blank=True, validators=[MinValueValidator(0)])
    algorithm_filing = models.CharField(_("algorithm filing number"), max_length=40, blank=True,
                                        validators=[validate_algorithm_filing])
    genai_filing = models.CharField(_("generative-AI service filing number"), max_length=80, blank=True,
                                    validators=[validate_genai_filing])
    history = HistoricalRecords(m2m_fields=[industries])

    class Meta:
        verbose_name = _("model profile")
        verbose_name_plural = _("model profiles")


class ApplicationProfile(Profile):
    partner_type = PartnerType.APPLICATION
    industry = models.ForeignKey("partners.Industry", null=True, blank=True, on_delete=models.PROTECT,
                                 verbose_name=_("industry"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("application-partner profile")
        verbose_name_plural = _("application-partner profiles")


class Scenario(models.Model):
    """A typical scenario an application partner opens to model teams."""

    profile = models.ForeignKey(ApplicationProfile, on_delete=models.CASCADE, related_name="scenarios",
                                verbose_name=_("profile"))
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), max_length=2000)
    data_available = models.TextField(_("data available"), max_length=1000, blank=True)
    budget_min_10k = models.PositiveIntegerField(_("budget from (10,000 CNY)"), null=True, blank=True)
    budget_max_10k = models.PositiveIntegerField(_("budget to (10,000 CNY)"), null=True, blank=True,
                                                 validators=[MaxValueValidator(10_000_000)])

    class Meta:
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget_min_10k__isnull=True) | models.Q(budget_max_10k__isnull=True)
                | models.Q(budget_min_10k__lte=models.F("budget_max_10k")),
                name="scenario_budget_range_ordered",
                violation_error_message=_("The budget's lower bound cannot exceed its upper bound."),
            ),
        ]

    def __str__(self):
        return self.title


class InvestmentProfile(Profile):
    partner_type = PartnerType.INVESTMENT
    fund_type = models.CharField(_("fund type"), max_length=20, blank=True)
    fund_size_100m = models.DecimalField(_("fund size (100 million CNY)"), max_digits=10, decimal_places=2,
                                         null=True, blank=True, validators=[MinValueValidator(0)])
    stages = models.JSONField(_("stages"), default=list, blank=True)
    focus_areas = models.CharField(_("focus areas"), max_length=300, blank=True)
    ai_investments = models.TextField(_("AI investments made"), max_length=2000, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("investment profile")
        verbose_name_plural = _("investment profiles")


PROFILE_MODELS = {
    PartnerType.COMPUTE: ComputeProfile,
    PartnerType.DATA: DataProfile,
    PartnerType.MODEL: ModelProfile,
    PartnerType.APPLICATION: ApplicationProfile,
    PartnerType.INVESTMENT: InvestmentProfile,
}
