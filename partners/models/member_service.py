"""Serving the members: service officers, the contact log with follow-ups, member requests (诉求), upkeep."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..enums import (
    AnnualUpdateState,
    ContactKind,
    MemberRequestKind,
    MemberRequestState,
    PartnerType,
    ProfileChangeState,
)


class OfficerScope(models.Model):
    """A district's staff member: sees and serves only the members registered in that district."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="officer_scope",
                                verbose_name=_("staff member"))
    district = models.ForeignKey("partners.District", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("district"))

    class Meta:
        verbose_name = _("district scope of a staff member")
        verbose_name_plural = _("district scopes of staff members")

    def __str__(self):
        return f"{self.user} · {self.district}"


class MemberService(models.Model):
    """How the office serves one member: its officers, key-enterprise flags and certificate token."""

    membership = models.OneToOneField("partners.Membership", on_delete=models.CASCADE, related_name="service",
                                      verbose_name=_("membership"))
    city_officer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("city service officer"))
    district_officer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="+",
                                         verbose_name=_("district service officer"))
    key_city = models.BooleanField(_("key enterprise of the city"), default=False)
    key_city_on = models.DateField(_("key enterprise of the city since"), null=True, blank=True)
    key_city_reference = models.CharField(_("decision reference (city)"), max_length=100, blank=True)
    key_district = models.BooleanField(_("key enterprise of the district"), default=False)
    key_district_on = models.DateField(_("key enterprise of the district since"), null=True, blank=True)
    key_district_reference = models.CharField(_("decision reference (district)"), max_length=100, blank=True)
    # The contact named in the roster kept before the registry (imported as written there).
    roster_contact = models.CharField(_("contact in the imported roster"), max_length=200, blank=True)
    # The day of the latest contact, kept here so the "not contacted for a quarter" sweep is one indexed query.
    last_contact_on = models.DateField(_("last contact"), null=True, blank=True, db_index=True)
    # What the certificate's QR code points at: random, so the verification pages cannot be walked.
    certificate_token = models.UUIDField(_("certificate verification token"), default=uuid.uuid4, unique=True,
                                         editable=False)

    class Meta:
        verbose_name = _("member service")
        verbose_name_plural = _("member services")

    def __str__(self):
        return str(self.membership_id)


class Contact(models.Model):
    """One entry of a member's contact log: a visit, call, meeting or event."""

    membership = models.ForeignKey("partners.Membership", on_delete=models.CASCADE, related_name="contacts",
                                   verbose_name=_("membership"))
    kind = models.CharField(_("kind of contact"), max_length=10, choices=ContactKind.choices)
    contacted_on = models.DateField(_("date of contact"))
    participants = models.CharField(_("participants"), max_length=500, blank=True)
    topics = models.TextField(_("topics"), max_length=2000)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("logged by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-contacted_on", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.contacted_on}"


class FollowUp(models.Model):
    """Something promised in a contact, due by a date; the officer hears of it once when it falls due."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="follow_ups",
                                verbose_name=_("contact"))
    membership = models.ForeignKey("partners.Membership", on_delete=models.CASCADE, related_name="follow_ups",
                                   verbose_name=_("membership"))
    action = models.CharField(_("follow-up"), max_length=500)
    due_on = models.DateField(_("due on"), db_index=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("responsible officer"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "pk"]

    def __str__(self):
        return f"{self.action} ({self.due_on})"


class MemberRequest(models.Model):
    """A member's request (诉求), run by the workflow engine's `member_request` process."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("public identifier"))
    membership = models.ForeignKey("partners.Membership", on_delete=models.CASCADE, related_name="requests",
                                   verbose_name=_("membership"))
    kind = models.CharField(_("kind of request"), max_length=10, choices=MemberRequestKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=2000)
    state = models.CharField(_("state"), max_length=10, choices=MemberRequestState.choices,
                             default=MemberRequestState.RAISED, db_index=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                  verbose_name=_("raised by"))
    recorded_by_officer = models.BooleanField(_("recorded by the officer"), default=False)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("service officer"))
    department = models.CharField(_("department referred to"), max_length=200, blank=True)
    referral_due_on = models.DateField(_("department's answer due on"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), max_length=2000, blank=True)
    reopen_reason = models.TextField(_("why it was reopened"), max_length=2000, blank=True)
    # The SLA: when the request must be resolved; past it the periodic job escalates once per deadline.
    due_at = models.DateTimeField(_("due"))
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    state_changed_at = models.DateTimeField(_("state changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("member request")
        verbose_name_plural = _("member requests")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "due_at"], name="member_request_due_idx")]

    def __str__(self):
        return f"{self.title} ({self.get_state_display()})"

    @property
    def is_open(self):
        return self.state in MemberRequestState.open_states()


class AnnualUpdate(models.Model):
    """A member's answer to the yearly request to confirm its facts and report its results."""

    membership = models.ForeignKey("partners.Membership", on_delete=models.CASCADE, related_name="annual_updates",
                                   verbose_name=_("membership"))
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(_("state"), max_length=10, choices=AnnualUpdateState.choices,
                             default=AnnualUpdateState.ASKED, db_index=True)
    asked_at = models.DateTimeField(_("asked at"))
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("answered by"))
    projects = models.TextField(_("projects of the year"), max_length=4000, blank=True)
    pilot_cases = models.TextField(_("pilot cases of the year"), max_length=4000, blank=True)
    compute_used = models.DecimalField(_("compute used (PFLOPS-days)"), max_digits=14, decimal_places=2, null=True,
                                       blank=True)
    facts_confirmed = models.BooleanField(_("facts confirmed as current"), default=False)

    class Meta:
        verbose_name = _("annual update")
        verbose_name_plural = _("annual updates")
        ordering = ["-year", "membership"]
        constraints = [models.UniqueConstraint(fields=["membership", "year"], name="annual_update_once_a_year")]

    def __str__(self):
        return f"{self.membership_id} {self.year}"


class ProfileChange(models.Model):
    """A member's change to a public fact, live after a staff check (or at once, for the fields so configured)."""

    organization = models.ForeignKey("partners.Organization", on_delete=models.CASCADE,
                                     related_name="profile_changes", verbose_name=_("organisation"))
    # Empty for a fact of the organisation itself; else the partner type whose profile the fact belongs to.
    profile_type = models.CharField(_("partner type"), max_length=20, choices=PartnerType.choices, blank=True,
                                    default="")
    field = models.CharField(_("field"), max_length=50)
    # A whole list fits: up to ten scenarios of a title, a description and the data available, as JSON.
    old_value = models.TextField(_("old value"), max_length=40000, blank=True)
    new_value = models.TextField(_("new value"), max_length=40000, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=ProfileChangeState.choices,
                             default=ProfileChangeState.PENDING, db_index=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("proposed by"))
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("checked by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("profile change")
        verbose_name_plural = _("profile changes")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.organization_id} {self.key}"

    @property
    def key(self) -> str:
        """The fact's key: "website", or "<partner type>.<field>" for a fact of a partner type's profile."""
        return f"{self.profile_type}.{self.field}" if self.profile_type else self.field
