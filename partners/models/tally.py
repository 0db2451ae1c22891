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
