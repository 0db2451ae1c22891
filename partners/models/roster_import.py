"""Imports of the existing member roster from the plan's spreadsheet: one row per file, one per sheet row."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..enums import ImportOutcome, ImportState


def roster_import_path(instance, filename):
    return f"roster-imports/{instance.sha256}"


class RosterImport(models.Model):
    """One uploaded roster file: previewed, then confirmed and imported (in the background when long)."""

    file = models.FileField(upload_to=roster_import_path, max_length=200, verbose_name=_("file"))
    original_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, db_index=True)
    state = models.CharField(_("state"), max_length=10, choices=ImportState.choices,
                             default=ImportState.PREVIEWED)
    total = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(_("rows processed"), default=0)
    counts = models.JSONField(_("rows per outcome"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("uploaded by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.original_name} ({self.get_state_display()})"

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else 100


class RosterImportRow(models.Model):
    """What became of one row of the sheet: the member it made or found, or why it failed."""

    roster_import = models.ForeignKey(RosterImport, on_delete=models.CASCADE, related_name="rows",
                                      verbose_name=_("roster import"))
    row_number = models.PositiveIntegerField(_("row"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=ImportOutcome.choices)
    message = models.CharField(_("message"), max_length=500, blank=True)
    name = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    membership = models.ForeignKey("partners.Membership", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="import_rows", verbose_name=_("membership"))

    class Meta:
        verbose_name = _("roster import row")
        verbose_name_plural = _("roster import rows")
        ordering = ["roster_import", "row_number"]
        constraints = [models.UniqueConstraint(fields=["roster_import", "row_number"], name="import_row_once")]

    def __str__(self):
        return f"{self.roster_import_id}:{self.row_number} {self.outcome}"
