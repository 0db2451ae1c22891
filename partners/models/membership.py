"""Membership of the plan: a member number, the partner types granted, and the member's state."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..enums import MembershipState, PartnerType, type_rank


class Membership(models.Model):
    organization = models.OneToOneField("partners.Organization", on_delete=models.PROTECT,
                                        related_name="membership", verbose_name=_("organisation"))
    number = models.CharField(_("member number"), max_length=30, unique=True)
    state = models.CharField(_("state"), max_length=10, choices=MembershipState.choices,
                             default=MembershipState.ACTIVE, db_index=True)
    state_reason = models.TextField(_("reason for the current state"), max_length=2000, blank=True)
    admitted_at = models.DateTimeField(_("admitted"))
    # When the membership was last revoked; the public list of revocations shows it for REVOCATION_PUBLIC_DAYS.
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-admitted_at"]

    def __str__(self):
        return f"{self.number} {self.organization}"


class MembershipGrant(models.Model):
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="grants",
                                   verbose_name=_("membership"))
    partner_type = models.CharField(_("partner type"), max_length=20, choices=PartnerType.choices)
    # Empty for a grant imported from the roster kept before the registry (no application behind it).
    application = models.ForeignKey("partners.Application", on_delete=models.PROTECT, related_name="grants",
                                    null=True, blank=True, verbose_name=_("application"))
    granted_on = models.DateField(_("granted on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    class Meta:
        verbose_name = _("granted partner type")
        verbose_name_plural = _("granted partner types")
        ordering = ["membership", type_rank()]  # the PartnerType order, the same everywhere
        constraints = [
            models.UniqueConstraint(fields=["membership", "partner_type"], name="grant_type_once"),
        ]
        # The statistics count the few grants with an end date live (the open-ended ones are kept counted).
        indexes = [models.Index(fields=["partner_type", "ends_on"], name="grant_ends_on_idx",
                                condition=models.Q(ends_on__isnull=False))]

    def __str__(self):
        return f"{self.membership.number} {self.partner_type}"


class MemberNumberCounter(models.Model):
    """The last member number used in a year; locked row by row so numbers never repeat."""

    year = models.PositiveSmallIntegerField(primary_key=True, verbose_name=_("year"))
    last = models.PositiveIntegerField(default=0, verbose_name=_("last number"))

    class Meta:
        verbose_name = _("member number counter")
        verbose_name_plural = _("member number counters")

    def __str__(self):
        return f"{self.year}: {self.last}"
