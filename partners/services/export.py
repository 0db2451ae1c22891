"""Excel export of the staff queue, written row by row (openpyxl write-only) so 100,000 rows fit in memory.

The columns are declared once, as a django-import-export resource, so the admin's export and this
streamed one agree on headers and values. The streamed writer does not build a tablib Dataset (which
holds every row in memory): it reads the queryset in chunks and appends each row to a write-only sheet
that openpyxl keeps in a temporary file.
"""

import tempfile
from types import SimpleNamespace

from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from import_export import resources
from openpyxl import Workbook

from ..enums import ApplicationState, Channel, PartnerType
from ..models import RequestedType

CHUNK = 2000
# (attribute, header, source in .values())
COLUMNS = [
    ("id", _("No."), "pk"),
    ("organization", _("Organisation"), "organization__name"),
    ("credit_code", _("Credit code"), "organization__credit_code"),
    ("district", _("District"), "organization__district__name_zh"),
    ("partner_types", _("Partner types"), None),
    ("channel", _("Channel"), "channel"),
    ("state", _("State"), "state"),
    ("submitted_at", _("Submitted"), "submitted_at"),
    ("reviewer", _("Reviewer"), "assigned_reviewer__email"),
    ("state_changed_at", _("Last change"), "state_changed_at"),
    ("publicity_ends_at", _("Public notice ends"), "publicity_ends_at"),
]


class ApplicationExportResource(resources.Resource):
    """The export's columns; rows are the plain records built by `rows()`."""

    def get_export_headers(self, selected_fields=None):
        return [str(header) for _attr, header, _src in COLUMNS]

    def export_row(self, record):
        return [getattr(record, attr) for attr, _header, _src in COLUMNS]


def _local(value):
    if value is None:
        return None
    # Excel has no time zones: write local naive times.
    return timezone.localtime(value).replace(tzinfo=None)


def rows(queryset):
    """Plain records of the queryset, chunk by chunk: one query per chunk for the partner types."""
    sources = [src for _attr, _header, src in COLUMNS if src]
    type_labels = {t.value: str(t.label) for t in PartnerType}
    channel_labels = {c.value: str(c.label) for c in Channel}
    state_labels = {s.value: str(s.label) for s in ApplicationState}
    buffer = []

    def flush():
        ids = [r["pk"] for r in buffer]
        types: dict[int, list[str]] = {}
        for app_id, code in (RequestedType.objects.filter(application_id__in=ids)
                             .order_by("application_id", "partner_type").values_list("application_id", "partner_type")):
            types.setdefault(app_id, []).append(type_labels.get(code, code))
        for r in buffer:
            yield SimpleNamespace(
                id=r["pk"], organization=r["organization__name"], credit_code=r["organization__credit_code"],
                district=r["organization__district__name_zh"] or "", partner_types=", ".join(types.get(r["pk"], [])),
                channel=channel_labels.get(r["channel"], r["channel"]), state=state_labels.get(r["state"], r["state"]),
                submitted_at=_local(r["submitted_at"]), reviewer=r["assigned_reviewer__email"] or "",
                state_changed_at=_local(r["state_changed_at"]), publicity_ends_at=_local(r["publicity_ends_at"]))

    for record in queryset.order_by().values(*sources).order_by("pk").iterator(chunk_size=CHUNK):
        buffer.append(record)
        if len(buffer) >= CHUNK:
            yield from flush()
            buffer = []
    if buffer:
        yield from flush()


def write_xlsx(queryset, target):
    """Write the queryset as an .xlsx workbook to `target` (a path or a binary file); returns the row count."""
    resource = ApplicationExportResource()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_g("Applications")[:31])
    sheet.append(resource.get_export_headers())
    count = 0
    for record in rows(queryset):
        sheet.append(resource.export_row(record))
        count += 1
    workbook.save(target)
    return count


def export_to_tempfile(queryset):
    """The workbook in a temporary file (deleted when closed), rewound for streaming."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    write_xlsx(queryset, handle)
    handle.seek(0)
    return handle


def file_chunks(handle, size=64 * 1024):
    try:
        while chunk := handle.read(size):
            yield chunk
    finally:
        handle.close()
