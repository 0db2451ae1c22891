"""Excel export of the staff queue, written row by row so 100,000 rows fit in bounded memory.

The columns are declared once, as a django-import-export resource, so every export agrees on headers and
values. Neither writer builds a tablib Dataset (which holds every row in memory); both read the queryset
in chunks. `stream_xlsx` writes the SpreadsheetML parts itself into a zip that is handed out while it is
being written, so the first bytes leave at once; `write_xlsx` uses openpyxl's write-only mode (a
temporary file, then the whole workbook) and is kept as the reference the benchmark compares against.
"""

import zipfile
from datetime import datetime
from types import SimpleNamespace
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from import_export import resources
from openpyxl import Workbook

from ..enums import ApplicationState, Channel, PartnerType, in_type_order
from ..models import RequestedType

CHUNK = 2000
BEIJING = ZoneInfo("Asia/Shanghai")
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
    ("reviewer", _("Reviewer"), "assigned_reviewer__display_name"),
    ("state_changed_at", _("Last change"), "state_changed_at"),
    ("publicity_ends_at", _("Public notice ends"), "publicity_ends_at"),
]
# Column widths in characters (a Chinese character counts about two): wide enough for the usual value.
WIDTHS = {"id": 8, "organization": 36, "credit_code": 22, "district": 12, "partner_types": 28, "channel": 12,
          "state": 14, "submitted_at": 18, "reviewer": 16, "state_changed_at": 18, "publicity_ends_at": 18}
DATE_FORMAT = "yyyy-mm-dd hh:mm"  # read the same in every locale, unlike Excel's built-in format 22


class ApplicationExportResource(resources.Resource):
    """The export's columns; rows are the plain records built by `rows()`."""

    def get_export_headers(self, selected_fields=None):
        return [str(header) for _attr, header, _src in COLUMNS]

    def export_row(self, record):
        return [getattr(record, attr) for attr, _header, _src in COLUMNS]


def _local(value):
    if value is None:
        return None
    # Excel has no time zones: write Beijing time, naive.
    return timezone.localtime(value, BEIJING).replace(tzinfo=None)


def rows(queryset):
    """Plain records of the queryset, chunk by chunk: one query per chunk for the partner types."""
    sources = [src for _attr, _header, src in COLUMNS if src] + ["assigned_reviewer__email"]
    type_labels = {t.value: str(t.label) for t in PartnerType}
    channel_labels = {c.value: str(c.label) for c in Channel}
    state_labels = {s.value: str(s.label) for s in ApplicationState}
    buffer = []

    def flush():
        ids = [r["pk"] for r in buffer]
        types: dict[int, list[str]] = {}
        for app_id, code in (RequestedType.objects.filter(application_id__in=ids)
                             .order_by("application_id", "partner_type").values_list("application_id", "partner_type")):
            types.setdefault(app_id, []).append(code)
        for r in buffer:
            yield SimpleNamespace(
                id=r["pk"], organization=r["organization__name"], credit_code=r["organization__credit_code"],
                district=r["organization__district__name_zh"] or "",
                partner_types=", ".join(type_labels.get(c, c) for c in in_type_order(types.get(r["pk"], []))),
                channel=channel_labels.get(r["channel"], r["channel"]), state=state_labels.get(r["state"], r["state"]),
                submitted_at=_local(r["submitted_at"]),
                # People by name; the address only stands in for a person who gave no name.
                reviewer=r["assigned_reviewer__display_name"] or r["assigned_reviewer__email"] or "",
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
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    resource = ApplicationExportResource()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_g("Applications")[:31])
    for i, (attr, _header, _src) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = WIDTHS[attr]
    sheet.freeze_panes = "A2"
    headers = []
    for text in resource.get_export_headers():
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        headers.append(cell)
    sheet.append(headers)
    count = 0
    for record in rows(queryset):
        values = []
        for value in resource.export_row(record):
            if isinstance(value, datetime):
                value = WriteOnlyCell(sheet, value=value)
                value.number_format = DATE_FORMAT
            values.append(value)
        sheet.append(values)
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    workbook.save(target)
    return count


# --- The streaming writer -----------------------------------------------------------------------

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>")
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'styles" Target="styles.xml"/></Relationships>')
# Style 1 shows a date and time as yyyy-mm-dd hh:mm (custom format 164); style 2 is the bold header.
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    f'<numFmts count="1"><numFmt numFmtId="164" formatCode="{DATE_FORMAT}"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
    '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>")
_EPOCH = datetime(1899, 12, 30)
_ILLEGAL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32)])  # control characters XML 1.0 forbids


def _workbook(sheet_name, filter_ref):
    quoted = escape(sheet_name, {chr(34): "&quot;"})
    # The filter's range is named as Excel names it, so Excel keeps the filter buttons on open.
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{quoted}" sheetId="1" r:id="rId1"/></sheets>'
            f'<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
            f"'{escape(sheet_name)}'!{_absolute(filter_ref)}</definedName></definedNames>"
            "</workbook>")


def _absolute(ref):
    """A1:K9 -> $A$1:$K$9."""
    def one(cell):
        letters = cell.rstrip("0123456789")
        return f"${letters}${cell[len(letters):]}"
    return ":".join(one(c) for c in ref.split(":"))


def _column_letters(count):
    letters = []
    for i in range(count):
        name, n = "", i + 1
        while n:
            n, r = divmod(n - 1, 26)
            name = chr(65 + r) + name
        letters.append(name)
    return letters


def _cell(ref, value, style=0):
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, datetime):
        serial = (value - _EPOCH).total_seconds() / 86400
        return f'<c r="{ref}" s="1"><v>{serial:.10f}</v></c>'
    text = escape(str(value).translate(_ILLEGAL))
    styled = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{styled} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


class _Pipe:
    """A write-only file that collects what the zip writer produces until the generator hands it out."""

    def __init__(self):
        self.parts = []
        self.offset = 0

    def write(self, data):
        self.parts.append(bytes(data))
        self.offset += len(data)
        return len(data)

    def tell(self):
        return self.offset

    def flush(self):
        pass

    def take(self):
        data, self.parts = b"".join(self.parts), []
        return data


def stream_xlsx(queryset, *, rows_per_chunk=CHUNK):
    """Yield the .xlsx workbook of the queryset in pieces while it is being written (bounded memory)."""
    resource = ApplicationExportResource()
    pipe = _Pipe()
    archive = zipfile.ZipFile(pipe, mode="w", compression=zipfile.ZIP_DEFLATED)
    for name, content in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _RELS),
                          ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS), ("xl/styles.xml", _STYLES)):
        archive.writestr(name, content)
    yield pipe.take()
    headers = resource.get_export_headers()
    letters = _column_letters(len(headers))
    with archive.open("xl/worksheets/sheet1.xml", mode="w", force_zip64=True) as sheet:
        # The header row stays in view (frozen pane) and the columns start at a readable width.
        cols = "".join(f'<col min="{i}" max="{i}" width="{WIDTHS[attr]}" customWidth="1"/>'
                       for i, (attr, _h, _s) in enumerate(COLUMNS, start=1))
        sheet.write(('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                     '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                     '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                     'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" '
                     f'sqref="A2"/></sheetView></sheetViews><cols>{cols}</cols><sheetData>').encode())
        number = 1
        buffer = ["<row r=\"1\">", *(_cell(f"{c}1", h, style=2) for c, h in zip(letters, headers, strict=True)),
                  "</row>"]
        for record in rows(queryset):
            number += 1
            values = resource.export_row(record)
            buffer.append(f'<row r="{number}">')
            buffer.extend(_cell(f"{c}{number}", v) for c, v in zip(letters, values, strict=True))
            buffer.append("</row>")
            if number % rows_per_chunk == 0:
                sheet.write("".join(buffer).encode())
                buffer = []
                yield pipe.take()
        filter_ref = f"A1:{letters[-1]}{number}"
        buffer.append(f'</sheetData><autoFilter ref="{filter_ref}"/></worksheet>')
        sheet.write("".join(buffer).encode())
    # Written last: the filter's range is known only once every row is out.
    archive.writestr("xl/workbook.xml", _workbook(_g("Applications")[:31], filter_ref))
    archive.close()
    yield pipe.take()
