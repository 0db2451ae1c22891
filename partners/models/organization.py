"""Organisations that apply to the plan, and the people who act for them."""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..enums import (
    Currency,
    InvitationState,
    JoinRequestState,
    OrganizationType,
    OrgRole,
    OrgVerification,
    Ownership,
    Scale,
    SpecializedLevel,
)
from ..validators import normalize_credit_code, validate_credit_code

OUTSIDE_BEIJING = "outside"


class Organization(models.Model):
    # What the API calls this row (`id` there); the integer key stays internal.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("public identifier"))
    name = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code],
        error_messages={"unique": _("An organisation with this credit code is already registered.")},
    )
    credit_code_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("credit code confirmed by hand by"),
        help_text=_("Early pilot codes may fail the check; staff can confirm such a code after seeing the licence."),
    )
    org_type = models.CharField(_("organisation type"), max_length=20, choices=OrganizationType.choices,
                                default=OrganizationType.ENTERPRISE)
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    registered_capital = models.DecimalField(
        _("registered capital (10,000 units)"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )
    capital_currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    founded_on = models.DateField(_("founding date"), null=True, blank=True)
    registered_address = models.CharField(_("registered address"), max_length=300, blank=True)
    district = models.ForeignKey("partners.District", on_delete=models.PROTECT, null=True, blank=True,
                                 verbose_name=_("district"))
    province = models.CharField(_("province (outside Beijing)"), max_length=30, blank=True)
    in_etown = models.BooleanField(_("located in the Economic-Technological Development Area (E-Town)"),
                                   default=False)
    scale = models.CharField(_("scale"), max_length=10, choices=Scale.choices, blank=True)
    ownership = models.CharField(_("ownership"), max_length=10, choices=Ownership.choices, blank=True)
    high_tech_certificate = models.CharField(_("high-tech enterprise certificate number"), max_length=40, blank=True)
    specialized_level = models.CharField(_("specialised and innovative level"), max_length=30,
                                         choices=SpecializedLevel.choices, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    beijing_entity_name = models.CharField(
        _("operating entity in Beijing"), max_length=200, blank=True,
        help_text=_("Only for an organisation registered outside Beijing: its subsidiary or branch in Beijing."))
    beijing_entity_credit_code = models.CharField(
        _("credit code of the operating entity in Beijing"), max_length=18, blank=True,
        help_text=_("The Beijing entity's own unified social credit code."))
    verification = models.CharField(_("verification"), max_length=12, choices=OrgVerification.choices,
                                    default=OrgVerification.UNVERIFIED, db_index=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    users = models.ManyToManyField(settings.AUTH_USER_MODEL, through="OrganizationMember",
                                   related_name="organizations", verbose_name=_("people"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(district__isnull=True) | ~Q(district="outside") | ~Q(province=""),
                name="organization_outside_needs_province",
                violation_error_message=_("An organisation outside Beijing needs its province."),
            ),
        ]
        indexes = [
            # The organisation code inside the credit code (positions 9-17): the staff page's duplicate check.
            models.Index(Substr("credit_code", 9, 9), name="organization_code_idx"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.credit_code = normalize_credit_code(self.credit_code)
        self.beijing_entity_credit_code = normalize_credit_code(self.beijing_entity_credit_code)
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None):
        # Normalise before the length check: a code pasted with spaces is 18 characters once cleaned.
        self.credit_code = normalize_credit_code(self.credit_code)
        self.beijing_entity_credit_code = normalize_credit_code(self.beijing_entity_credit_code)
        super().clean_fields(exclude)

    def clean(self):
        super().clean()
        self.credit_code = normalize_credit_code(self.credit_code)
        from django.core.exceptions import ValidationError

        if self.district_id == OUTSIDE_BEIJING and not self.province:
            raise ValidationError({"province": _("An organisation outside Beijing needs its province.")})
        if self.district_id and self.district_id != OUTSIDE_BEIJING:
            self.province = ""

    @property
    def is_verified(self):
        return self.verification == OrgVerification.VERIFIED

    @property
    def owner(self):
        link = self.memberships_of_people.filter(role=OrgRole.OWNER).select_related("user").first()
        return link.user if link else None


class OrganizationMember(models.Model):
    """A person acting for an organisation; exactly one owner per organisation."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE,
                                     related_name="memberships_of_people", verbose_name=_("organisation"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="org_links",
                             verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=10, choices=OrgRole.choices, default=OrgRole.COLLEAGUE)
    title = models.CharField(_("job title"), max_length=50, blank=True)
    joined_at = models.DateTimeField(auto_now_add=True, verbose_name=_("joined at"))

    class Meta:
        verbose_name = _("person of an organisation")
        verbose_name_plural = _("people of organisations")
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="org_member_once"),
            models.UniqueConstraint(fields=["organization"], condition=Q(role="owner"), name="org_one_owner"),
        ]

    def __str__(self):
        return f"{self.user} @ {self.organization} ({self.role})"


class JoinRequest(models.Model):
    """A person asks to act for an organisation that already exists; the owner decides."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="join_requests",
                                     verbose_name=_("organisation"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests",
                             verbose_name=_("person"))
    message = models.CharField(_("message"), max_length=500, blank=True)
    state = models.CharField(max_length=10, choices=JoinRequestState.choices,
                             default=JoinRequestState.PENDING, verbose_name=_("state"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("decided by"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))

    class Meta:
        verbose_name = _("request to join an organisation")
        verbose_name_plural = _("requests to join organisations")
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], condition=Q(state="pending"),
                                    name="join_request_one_pending"),
        ]

    def __str__(self):
        return f"{self.user} → {self.organization} ({self.state})"


INVITATION_DAYS = 30


def invitation_expiry():
    return timezone.now() + timezone.timedelta(days=INVITATION_DAYS)


class OrganizationInvitation(models.Model):
    """The owner invites a person by e-mail; they act for the organisation only once they accept, signed in.

    The address need not have an account yet: the invitation waits for whoever signs in with it verified.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations",
                                     verbose_name=_("organisation"))
    email = models.EmailField(_("e-mail address"), max_length=254)
    title = models.CharField(_("job title"), max_length=50, blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("invited by"))
    state = models.CharField(max_length=10, choices=InvitationState.choices, default=InvitationState.PENDING,
                             verbose_name=_("state"))
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("answered by"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    expires_at = models.DateTimeField(default=invitation_expiry, verbose_name=_("expires at"))
    answered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("answered at"))

    class Meta:
        verbose_name = _("invitation to act for an organisation")
        verbose_name_plural = _("invitations to act for organisations")
        constraints = [
            models.UniqueConstraint(fields=["organization", "email"], condition=Q(state="pending"),
                                    name="org_invitation_one_pending"),
        ]
        indexes = [models.Index(fields=["email", "state"], name="org_invitation_email")]

    def __str__(self):
        return f"{self.email} → {self.organization} ({self.state})"

    @property
    def expired(self):
        return self.expires_at <= timezone.now()
