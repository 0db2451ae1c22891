"""The public member roster as CSV and Excel, streamed in bounded memory; public facts only."""

import csv
import tempfile
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _g

from ..enums import PartnerType, in_type_order
from .directory import DirectoryFilters, search

CHUNK = 2000
WIDTHS = [18, 36, 36, 20, 28, 12, 30]  # characters, per column of header()


def header() -> list[str]:
    return [_g("Member number"), _g("Name (Chinese)"), _g("Name (English)"), _g("District"),
            _g("Partner types"), _g("Admitted on"), _g("Website")]


def _district(org) -> str:
    if org.district_id is None:
        return ""
    text = str(org.district)
    return f"{text} ({org.province})" if org.province else text


def rows(filters: DirectoryFilters):
    """Roster rows, oldest member first, read in chunks so memory stays flat at any size."""
    labels = dict(PartnerType.choices)
    qs = search(filters).order_by("admitted_at", "pk")
    for member in qs.iterator(chunk_size=CHUNK):
        org = member.organization
        yield [
            member.number, org.name, org.name_en, _district(org),
            "、".join(str(labels[code]) for code in in_type_order(g.partner_type for g in member.grants.all())),
            timezone.localtime(member.admitted_at).date(), org.website,
        ]


class _Echo:
    def write(self, value):
        return value


def _safe_cell(value):
    # A cell that starts with = + - @ is a formula to a spreadsheet; quote it so a name cannot run one.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_lines(filters: DirectoryFilters):
    """CSV text line by line, with a byte-order mark so spreadsheet programs read the Chinese right."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header())  # dates print as ISO (yyyy-mm-dd) in the CSV
    for row in rows(filters):
        yield writer.writerow([_safe_cell(v) for v in row])


def xlsx_file(filters: DirectoryFilters):
    """An Excel workbook written row by row (write-only mode) to a temporary file, returned open."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_g("Members"))
    for i, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    titles = []
    for text in header():
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        titles.append(cell)
    sheet.append(titles)
    count = 0
    for row in rows(filters):
        values = []
        for value in row:
            if isinstance(value, date):
                value = WriteOnlyCell(sheet, value=value)
                value.number_format = "yyyy-mm-dd"
            values.append(_safe_cell(value))
        sheet.append(values)
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(WIDTHS))}{count + 1}"
    out = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(out)
    out.seek(0)
    return out
