"""Counts the database keeps as rows change (PostgreSQL triggers), so no page counts a large table to show them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Tally(models.Model):
    """One share of a count: the count of (kind, key) is the sum of `n` over its rows.

    Triggers (partners/tally_sql.py) add +1/-1 to a row of the key that no other open transaction holds (or a new
    row), in the same transaction as the change they count: writers never wait for each other, and a count read
    after a commit includes that commit. Kinds: "app" (applications by state and district), "apptype" (requested
    types by state, type and district), "member" (memberships by state and district), "grant" (open-ended grants
    of active members by type), "month" (admissions of members not revoked, by local calendar month).
    """

    kind = models.CharField(max_length=10, verbose_name=_("kind of count"))
    key = models.CharField(max_length=80, verbose_name=_("counted key"))
    n = models.BigIntegerField(default=0, verbose_name=_("share of the count"))

    class Meta:
        verbose_name = _("kept count")
        verbose_name_plural = _("kept counts")
        indexes = [models.Index(fields=["kind", "key"], name="tally_kind_key")]

    def __str__(self):
        return f"{self.kind} {self.key}: {self.n}"


class MemberIndustry(models.Model):
    """One industry a member is in, kept by PostgreSQL triggers (partners/tally_sql.py) from the member's grants and
    the profiles of the granting applications: the industries a model partner serves and an application partner's
    own. The directory's industry filter walks it newest first, and the statistics count its active rows.

    `admitted_at` and `active` repeat the membership's admission time and state, so that one index
    (industry, admitted_at, membership) holds a page of an industry's members in the directory's order;
    `open_ended` says that a grant without an end date puts the member in the industry (a grant with an end date
    leaves the statistics on the day after it ends).
    """

    # No index of their own: member_industry_once (membership, industry) and member_industry_newest (industry, …)
    # serve every lookup, and the planner is not tempted by a plain index of the industry that gives no order.
    membership = models.ForeignKey("partners.Membership", on_delete=models.CASCADE, related_name="kept_industries",
                                   db_index=False, verbose_name=_("membership"))
    industry = models.ForeignKey("partners.Industry", on_delete=models.CASCADE, related_name="+", db_index=False,
                                 verbose_name=_("industry"))
    admitted_at = models.DateTimeField(_("admitted"))
    active = models.BooleanField(default=True, verbose_name=_("active"))
    open_ended = models.BooleanField(default=True, verbose_name=_("by a grant without end date"))

    class Meta:
        verbose_name = _("kept member industry")
        verbose_name_plural = _("kept member industries")
        constraints = [models.UniqueConstraint(fields=["membership", "industry"], name="member_industry_once")]
        indexes = [
            # The directory filtered by industry: that industry's active members, newest first.
            models.Index(fields=["industry", "-admitted_at", "-membership"], name="member_industry_newest",
                         condition=models.Q(active=True)),
            # The statistics' live part: active members in an industry by dated grants only (few rows).
            models.Index(fields=["membership"], name="member_industry_dated",
                         condition=models.Q(active=True, open_ended=False)),
        ]

    def __str__(self):
        return f"{self.membership_id} {self.industry_id}"
