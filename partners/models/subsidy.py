"""Pairings (结对) of user units with model teams, and the compute subsidy (算力补贴) claimed within them."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..enums import PairingOutcome, PairingSide, PairingState, SubsidyClaimState, SubsidyDocumentKind

MONEY = {"max_digits": 14, "decimal_places": 2}  # yuan with fen precision, up to 999,999,999,999.99
SHARE = {"max_digits": 5, "decimal_places": 4}  # a fraction: 0.1000 is 10 %


class Pairing(models.Model):
    """An application partner (the user unit with a scenario) paired with a model partner (the model team),
    optionally with a compute partner; run through the workflow engine (process `pairing`)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("public identifier"))
    application_partner = models.ForeignKey("partners.Organization", on_delete=models.PROTECT, related_name="+",
                                            verbose_name=_("user unit (application partner)"))
    model_partner = models.ForeignKey("partners.Organization", on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("model team (model partner)"))
    compute_partner = models.ForeignKey("partners.Organization", on_delete=models.PROTECT, related_name="+",
                                        null=True, blank=True, verbose_name=_("compute partner"))
    proposed_by_side = models.CharField(_("proposed by"), max_length=12, choices=PairingSide.choices)
    state = models.CharField(_("state"), max_length=12, choices=PairingState.choices, default=PairingState.PROPOSED,
                             db_index=True)
    scenario = models.CharField(_("scenario"), max_length=200)
    model_title = models.CharField(_("model"), max_length=200)
    starts_on = models.DateField(_("start date"))
    expected_outcome = models.CharField(_("expected outcome"), max_length=1000, blank=True)
    outcome = models.CharField(_("outcome"), max_length=24, choices=PairingOutcome.choices, blank=True)
    outcome_evidence = models.CharField(_("evidence of the outcome"), max_length=2000, blank=True)
    outcome_recorded_on = models.DateField(_("outcome recorded on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    state_changed_at = models.DateTimeField(_("state changed at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(application_partner=models.F("model_partner")),
                                   name="pairing_two_different_members"),
            # One standing or pending pairing per couple and scenario: a double click never proposes twice.
            models.UniqueConstraint(fields=["application_partner", "model_partner", "scenario"],
                                    condition=Q(state__in=["proposed", "accepted", "confirmed", "formed"]),
                                    name="pairing_once_per_scenario"),
        ]

    def __str__(self):
        return f"{self.scenario} ({self.pk})"

    def side_of(self, organization_id):
        if organization_id == self.application_partner_id:
            return PairingSide.APPLICATION
        if organization_id == self.model_partner_id:
            return PairingSide.MODEL
        return None

    @property
    def proposer(self):
        return self.application_partner if self.proposed_by_side == PairingSide.APPLICATION else self.model_partner

    @property
    def counterpart(self):
        return self.model_partner if self.proposed_by_side == PairingSide.APPLICATION else self.application_partner

    @property
    def is_standing(self):
        return self.state in PairingState.confirmed_states()


class PairingMilestone(models.Model):
    """Progress of a pairing as reported by either side (no state change: an entry in its record)."""

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="milestones",
                                verbose_name=_("pairing"))
    reached_on = models.DateField(_("reached on"))
    title = models.CharField(_("milestone"), max_length=200)
    note = models.CharField(_("details"), max_length=2000, blank=True)
    reported_by_organization = models.ForeignKey("partners.Organization", on_delete=models.PROTECT,
                                                 related_name="+", verbose_name=_("reported by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pairing milestone")
        verbose_name_plural = _("pairing milestones")
        ordering = ["reached_on", "pk"]

    def __str__(self):
        return self.title


class SubsidyRule(models.Model):
    """One version of the subsidy rules, in force from `effective_from` until the next version's date.

    A claim is judged by the version in force on the day it was first submitted (Beijing time)."""

    effective_from = models.DateField(_("in force from"), unique=True)
    rate = models.DecimalField(_("subsidy rate"), **SHARE,
                               help_text=_("Share of the eligible compute spend that is subsidised (0.1 is 10 %)."))
    max_share_of_contract = models.DecimalField(_("limit as a share of the contract"), **SHARE,
                                                help_text=_("The subsidy is at most this share of the contract "
                                                            "value."))
    cap_per_company_year = models.DecimalField(_("cap per company per year (yuan)"), **MONEY)
    eligible_from = models.DateField(_("contracts signed from"))
    eligible_until = models.DateField(_("contracts signed until"), null=True, blank=True)
    note = models.CharField(_("basis of the rules"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("subsidy rules")
        verbose_name_plural = _("subsidy rules")
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(condition=Q(rate__gt=0) & Q(rate__lte=1), name="subsidy_rule_rate_share"),
            models.CheckConstraint(condition=Q(max_share_of_contract__gt=0) & Q(max_share_of_contract__lte=1),
                                   name="subsidy_rule_contract_share"),
            models.CheckConstraint(condition=Q(cap_per_company_year__gte=0), name="subsidy_rule_cap_not_negative"),
        ]

    def __str__(self):
        return f"{self.effective_from:%Y-%m-%d}"


class SubsidyBudget(models.Model):
    """The plan's subsidy budget of one year; approvals beyond it are refused (the row is locked to approve)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    amount = models.DecimalField(_("budget (yuan)"), **MONEY)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("subsidy budget")
        verbose_name_plural = _("subsidy budgets")
        ordering = ["-year"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="subsidy_budget_not_negative")]

    def __str__(self):
        return f"{self.year}"


def subsidy_document_path(instance, filename):
    # Random names: the original name is kept in the row, never on disk.
    return f"subsidy/{instance.claim_id}/{uuid.uuid4().hex}"


class SubsidyClaim(models.Model):
    """A model team's claim for compute bought within a standing pairing (process `subsidy_claim`).

    The contract's facts are entered from its documents; the amount claimed is computed by the registry from
    the rules in force at submission (services.subsidy_rules), never typed."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("public identifier"))
    organization = models.ForeignKey("partners.Organization", on_delete=models.PROTECT,
                                     related_name="subsidy_claims", verbose_name=_("claimant (model team)"))
    pairing = models.ForeignKey(Pairing, on_delete=models.PROTECT, related_name="claims", verbose_name=_("pairing"))
    state = models.CharField(_("state"), max_length=20, choices=SubsidyClaimState.choices,
                             default=SubsidyClaimState.DRAFT, db_index=True)
    provider_title = models.CharField(_("compute provider"), max_length=200)
    provider_credit_code = models.CharField(_("provider's credit code"), max_length=18)
    contract_number = models.CharField(_("contract number"), max_length=60)
    contract_signed_on = models.DateField(_("contract signed on"))
    service_starts_on = models.DateField(_("service starts on"))
    service_ends_on = models.DateField(_("service ends on"))
    contract_amount = models.DecimalField(_("contract value (yuan)"), **MONEY)
    invoiced_amount = models.DecimalField(_("compute spend invoiced (yuan)"), **MONEY)
    compute_delivered = models.CharField(_("compute delivered"), max_length=500)
    # Set on submission, from the rules then in force.
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, db_index=True)
    rule = models.ForeignKey(SubsidyRule, on_delete=models.PROTECT, null=True, blank=True, related_name="claims",
                             verbose_name=_("rules applied"))
    claimed_amount = models.DecimalField(_("amount claimed (yuan)"), **MONEY, null=True, blank=True)
    computation = models.JSONField(_("computation"), default=dict, blank=True)
    approved_amount = models.DecimalField(_("amount approved (yuan)"), **MONEY, null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=60, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=2000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("created by"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("reviewed by"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("approved by"))
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    state_changed_at = models.DateTimeField(_("state changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("subsidy claim")
        verbose_name_plural = _("subsidy claims")
        ordering = ["-created_at"]
        constraints = [
            # One claim per contract: the database's last word when two submissions race.
            models.UniqueConstraint(fields=["provider_credit_code", "contract_number"],
                                    condition=Q(state__in=["submitted", "in_review", "changes_requested",
                                                           "approved", "paid"]),
                                    name="subsidy_one_claim_per_contract"),
            models.CheckConstraint(condition=Q(contract_amount__gt=0) & Q(invoiced_amount__gte=0),
                                   name="subsidy_claim_amounts_positive"),
            models.CheckConstraint(condition=Q(approved_amount__isnull=True) | Q(approved_amount__gte=0),
                                   name="subsidy_claim_approved_not_negative"),
        ]

    def __str__(self):
        return f"{self.contract_number} ({self.pk})"


class SubsidyDocument(models.Model):
    Kind = SubsidyDocumentKind

    claim = models.ForeignKey(SubsidyClaim, on_delete=models.CASCADE, related_name="documents",
                              verbose_name=_("subsidy claim"))
    kind = models.CharField(_("kind"), max_length=20, choices=SubsidyDocumentKind.choices)
    file = models.FileField(_("file"), upload_to=subsidy_document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256 digest"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("subsidy claim document")
        verbose_name_plural = _("subsidy claim documents")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name
