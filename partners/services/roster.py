"""The public member roster as CSV and Excel, streamed in bounded memory; public facts only."""

import csv
import tempfile

from django.utils import timezone
from django.utils.translation import gettext as _g

from ..enums import PartnerType
from .directory import DirectoryFilters, search

CHUNK = 2000


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
            "、".join(str(labels[g.partner_type]) for g in member.grants.all()),
            timezone.localtime(member.admitted_at).date().isoformat(), org.website,
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
    yield "\ufeff" + writer.writerow(header())
    for row in rows(filters):
        yield writer.writerow([_safe_cell(v) for v in row])


def xlsx_file(filters: DirectoryFilters):
    """An Excel workbook written row by row (write-only mode) to a temporary file, returned open."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_g("Members"))
    sheet.append(header())
    for row in rows(filters):
        sheet.append([_safe_cell(v) for v in row])
    out = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(out)
    out.seek(0)
    return out
