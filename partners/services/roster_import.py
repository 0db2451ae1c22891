"""Importing the roster kept before the registry, from the plan's spreadsheet: upload, a preview of each row's
outcome, then the import (in the background when long, with its progress kept on the import row).

Columns are found by their heading (Chinese or English): name, credit code, partner types, district, contact,
admission date, membership number. A row of an organisation that is already a member changes nothing, so the
same file imported twice leaves the registry as the first import left it. Historic numbers are kept, and the
year counters move past them before any new number is given, so numbering continues after them.
"""

import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _g

from ..enums import ImportOutcome, ImportState, PartnerType, in_type_order
from ..models import (
    District,
    MemberNumberCounter,
    MemberService,
    Membership,
    MembershipGrant,
    Organization,
    RosterImport,
    RosterImportRow,
)
from ..validators import normalize_credit_code, validate_credit_code
from .applications import ServiceError
from .audit import log_event

log = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
CHUNK = 50  # rows per transaction: the progress moves (and a failure loses) at most this many

COLUMNS = {
    "name": ("名称", "企业名称", "单位名称", "成员名称", "name", "organisation", "organization"),
    "credit_code": ("统一社会信用代码", "信用代码", "credit code", "uscc"),
    "partner_types": ("伙伴类型", "类型", "partner types", "types"),
    "district": ("所属区", "区", "所在区", "district"),
    "contact": ("联系人", "联系方式", "contact"),
    "admitted_on": ("入库日期", "入库时间", "admission date", "admitted on"),
    "number": ("成员编号", "编号", "membership number", "member number"),
}
REQUIRED = ("name", "credit_code", "partner_types", "admitted_on")

TYPE_NAMES = {
    **{code: code for code in PartnerType.values},
    "算力伙伴": "compute", "算力": "compute", "数据伙伴": "data", "数据": "data", "模型伙伴": "model", "模型": "model",
    "应用伙伴": "application", "应用": "application", "投资伙伴": "investment", "投资": "investment",
    "compute partner": "compute", "data partner": "data", "model partner": "model",
    "application partner": "application", "investment partner": "investment",
}
SEPARATORS = re.compile(r"[、,,;;/|\s]+")
NUMBER = re.compile(r"^(?P<prefix>[A-Z]+)-(?P<year>\d{4})-(?P<serial>\d{1,7})$")


@dataclass
class Row:
    number: int  # the sheet's row number, as a person sees it (the heading is row 1)
    values: dict = field(default_factory=dict)
    outcome: str = ""
    message: str = ""
    types: list = field(default_factory=list)
    district: object = None
    admitted_on: date | None = None
    member_number: str = ""


# --- Reading the file -------------------------------------------------------------------------------------------

def read_sheet(uploaded) -> list[Row]:
    """The sheet's rows as text by column name; raises ServiceError for a file that is not the roster."""
    from openpyxl import load_workbook

    if uploaded.size > MAX_BYTES:
        raise ServiceError(_g("The file is too large: at most 5 MB."), field="file")
    uploaded.seek(0)
    try:
        workbook = load_workbook(uploaded, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable file is the same answer to the person
        raise ServiceError(_g("This is not an Excel workbook (.xlsx)."), field="file") from None
    try:
        sheet = workbook.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        heading = next(lines, None)
        if not heading:
            raise ServiceError(_g("The sheet is empty."), field="file")
        where = _columns(heading)
        missing = [name for name in REQUIRED if name not in where]
        if missing:
            raise ServiceError(_g("The sheet lacks the columns: %(names)s.") % {
                "names": "、".join(COLUMNS[name][0] for name in missing)}, field="file")
        rows = []
        for index, line in enumerate(lines, start=2):
            if not line or all(v in (None, "") for v in line):
                continue
            if len(rows) >= MAX_ROWS:
                raise ServiceError(_g("The sheet has more than %(n)d rows; split it.") % {"n": MAX_ROWS},
                                   field="file")
            rows.append(Row(number=index, values={name: (line[i] if i < len(line) else None)
                                                  for name, i in where.items()}))
    finally:
        workbook.close()
    if not rows:
        raise ServiceError(_g("The sheet has no rows under its heading."), field="file")
    return rows


def _columns(heading) -> dict[str, int]:
    found = {}
    for i, title in enumerate(heading):
        text = str(title or "").strip().lower()
        for name, titles in COLUMNS.items():
            if name not in found and text in titles:
                found[name] = i
    return found


def _text(value, limit=200) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()[:limit]


def _date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value, 30)
    match = re.match(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$", text)
    if not match:
        return None
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def _district(text, districts):
    if not text:
        return None, ""
    key = text.strip()
    for district in districts:
        names = {district.code, district.name_zh, district.name_zh.rstrip("区"), district.name_en.lower(),
                 district.name_en.lower().removesuffix(" district")}
        if key in names or key.lower() in names:
            return district, ""
    return None, _g("Unknown district “%(value)s”.") % {"value": key}


# --- Deciding each row's outcome (the preview, and the import itself) -------------------------------------------

def check_rows(rows: list[Row]) -> list[Row]:
    """Give each row its outcome without writing anything: new, existing, unchanged, or an error with its reason."""
    districts = list(District.objects.all())
    codes_seen, numbers_seen = {}, {}
    codes = []
    for row in rows:
        _check_row(row, districts)
        if row.outcome == ImportOutcome.ERROR:
            continue
        code = row.values["credit_code"]
        if code in codes_seen:
            _error(row, _g("The credit code is also on row %(row)d.") % {"row": codes_seen[code]})
            continue
        codes_seen[code] = row.number
        if row.member_number:
            if row.member_number in numbers_seen:
                _error(row, _g("The member number is also on row %(row)d.") % {"row": numbers_seen[row.member_number]})
                continue
            numbers_seen[row.member_number] = row.number
        codes.append(code)
    organizations = {o.credit_code: o for o in Organization.objects.filter(credit_code__in=codes)}
    memberships = {m.organization_id: m for m in Membership.objects.filter(organization__in=organizations.values())}
    taken = dict(Membership.objects.filter(number__in=list(numbers_seen)).values_list("number", "organization_id"))
    for row in rows:
        if row.outcome == ImportOutcome.ERROR:
            continue
        organization = organizations.get(row.values["credit_code"])
        membership = memberships.get(organization.pk) if organization else None
        if membership is not None:
            if row.member_number and row.member_number != membership.number:
                _error(row, _g("Already a member with the number %(number)s.") % {"number": membership.number})
            else:
                row.outcome, row.message = ImportOutcome.UNCHANGED, ""
            continue
        if row.member_number and row.member_number in taken:
            _error(row, _g("The member number %(number)s belongs to another member.") % {"number": row.member_number})
            continue
        row.outcome = ImportOutcome.EXISTING if organization else ImportOutcome.NEW
    return rows


def _error(row, message):
    row.outcome, row.message = ImportOutcome.ERROR, message


def _check_row(row, districts):
    values = row.values
    name = _text(values.get("name"))
    if not name:
        return _error(row, _g("The name is missing."))
    values["name"] = name
    code = normalize_credit_code(_text(values.get("credit_code"), 40))
    try:
        validate_credit_code(code)
    except ValidationError as exc:
        return _error(row, " ".join(str(m) for m in exc.messages))
    values["credit_code"] = code
    types = []
    for part in SEPARATORS.split(_text(values.get("partner_types"), 200)):
        if not part:
            continue
        code_of = TYPE_NAMES.get(part) or TYPE_NAMES.get(part.lower())
        if code_of is None:
            return _error(row, _g("Unknown partner type “%(value)s”.") % {"value": part})
        types.append(code_of)
    if not types:
        return _error(row, _g("The partner types are missing."))
    row.types = list(in_type_order(dict.fromkeys(types)))
    row.district, problem = _district(_text(values.get("district"), 50), districts)
    if problem:
        return _error(row, problem)
    row.admitted_on = _date(values.get("admitted_on"))
    if row.admitted_on is None:
        return _error(row, _g("The admission date is missing or not a date (YYYY-MM-DD)."))
    if not date(2000, 1, 1) <= row.admitted_on <= timezone.localdate():
        return _error(row, _g("The admission date must be between 2000 and today."))
    number = _text(values.get("number"), 40).upper()
    if number and not NUMBER.match(number):
        return _error(row, _g("The member number “%(value)s” is not of the form PREFIX-YEAR-SERIAL.") % {
            "value": number})
    row.member_number = number
    values["contact"] = _text(values.get("contact"), 200)
    return None


# --- Upload, preview, import ------------------------------------------------------------------------------------

def start_import(user, uploaded) -> RosterImport:
    """Read the file, record the preview of every row, and keep the file for the import itself."""
    from ..member_scope import district_of

    if district_of(user) is not None:
        raise ServiceError(_g("District staff cannot import the city's roster."), code="forbidden")
    rows = check_rows(read_sheet(uploaded))
    uploaded.seek(0)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    with transaction.atomic():
        roster_import = RosterImport(original_name=(uploaded.name or "roster.xlsx")[:200], sha256=digest.hexdigest(),
                                     uploaded_by=user, total=len(rows), counts=_counts(rows))
        roster_import.file.save("upload", uploaded, save=False)
        roster_import.save()
        RosterImportRow.objects.bulk_create([
            RosterImportRow(roster_import=roster_import, row_number=row.number, outcome=row.outcome,
                            message=row.message[:500], name=_text(row.values.get("name")),
                            credit_code=_text(row.values.get("credit_code"))[:18])
            for row in rows])
    return roster_import


def _counts(rows) -> dict[str, int]:
    counts = {outcome: 0 for outcome in ImportOutcome.values}
    for row in rows:
        counts[row.outcome] += 1
    return counts


def inline_limit() -> int:
    return int(getattr(settings, "ROSTER_IMPORT_INLINE_ROWS", 200))


def confirm_import(user, roster_import) -> RosterImport:
    """Start the import of a previewed file: here when short, as a background task (with progress) when long."""
    with transaction.atomic():
        roster_import = RosterImport.objects.select_for_update().get(pk=roster_import.pk)
        if roster_import.state != ImportState.PREVIEWED:
            raise ServiceError(_g("This import was already confirmed."), code="conflict")
        roster_import.state = ImportState.RUNNING
        roster_import.processed = 0
        roster_import.error = ""
        roster_import.save(update_fields=["state", "processed", "error"])
        roster_import.__dict__["_confirmed_by"] = user
    if roster_import.total > inline_limit():
        transaction.on_commit(lambda: queue_import(roster_import.pk))
        roster_import.refresh_from_db()
        return roster_import
    run_import(roster_import.pk, actor=user)
    roster_import.refresh_from_db()
    return roster_import


def queue_import(import_id) -> bool:
    """Hand a confirmed import to the worker. If the broker cannot take it, the import goes back to its preview,
    the file and every row's outcome kept, and says why: staff confirm it again once the queue is back, and nothing
    waits as "running" for a task that was never queued."""
    from ..tasks_members import import_roster

    try:
        import_roster.delay(import_id)
    except Exception:  # noqa: BLE001 - the broker's errors are many; each means the task was not queued
        log.warning("Could not queue roster import %s; it is back to its preview.", import_id, exc_info=True)
        RosterImport.objects.filter(pk=import_id, state=ImportState.RUNNING, processed=0).update(
            state=ImportState.PREVIEWED,
            error=_g("The background queue could not be reached, so the import did not start. The file and its "
                     "preview are kept: confirm the import again later, or ask the administrator to check the "
                     "task queue."))
        return False
    return True


def run_import(import_id, actor=None, progress=None) -> dict:
    """Import every row of a confirmed file, CHUNK rows per transaction, counting progress on the import row."""
    roster_import = RosterImport.objects.get(pk=import_id)
    if roster_import.state != ImportState.RUNNING:
        return roster_import.counts
    actor = actor or roster_import.uploaded_by
    try:
        with roster_import.file.open("rb") as handle:
            rows = read_sheet(_Named(handle, roster_import.file.size))
        _move_counters_past(rows)
        check_rows(rows)  # the errors of the whole file (a credit code twice, ...) as the preview showed them
        counts = {outcome: 0 for outcome in ImportOutcome.values}
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start:start + CHUNK]
            with transaction.atomic():
                # The other rows decided again in this transaction: the registry may have changed since.
                check_rows([row for row in chunk if row.outcome != ImportOutcome.ERROR])
                for row in chunk:
                    _apply(roster_import, row, actor)
                    counts[row.outcome] += 1
                RosterImport.objects.filter(pk=roster_import.pk).update(processed=start + len(chunk))
            (progress or report_progress)(roster_import.pk, start + len(chunk), len(rows))
        RosterImport.objects.filter(pk=roster_import.pk).update(state=ImportState.DONE, counts=counts,
                                                                finished_at=timezone.now())
        return counts
    except Exception as exc:  # the import row says it failed; the chunks already done stay done
        log.exception("Roster import %s failed", import_id)
        message = exc.message if isinstance(exc, ServiceError) else _g("The import stopped on an error.")
        RosterImport.objects.filter(pk=roster_import.pk).update(state=ImportState.FAILED, error=message[:2000],
                                                                finished_at=timezone.now())
        return {}


def report_progress(import_id, done, total):
    """Called after each chunk (the page reads the count from the import row); a hook for logs and tests."""
    log.info("roster import %s: %d of %d rows", import_id, done, total)


class _Named:
    """A stored file handed to read_sheet as if uploaded (it wants .size, .seek and the file itself)."""

    def __init__(self, handle, size):
        self._handle, self.size = handle, size

    def __getattr__(self, name):
        return getattr(self._handle, name)


def _move_counters_past(rows):
    """Every year's counter to at least the highest historic serial of that year in the file or the registry."""
    prefix = settings.MEMBER_NUMBER_PREFIX
    highest = {}
    for row in rows:
        match = NUMBER.match(_text(row.values.get("number"), 40).upper())
        if match and match["prefix"] == prefix:
            year, serial = int(match["year"]), int(match["serial"])
            highest[year] = max(highest.get(year, 0), serial)
    with transaction.atomic():
        for year, serial in highest.items():
            MemberNumberCounter.objects.get_or_create(year=year)
            counter = MemberNumberCounter.objects.select_for_update().get(year=year)
            if counter.last < serial:
                counter.last = serial
                counter.save(update_fields=["last"])


def _apply(roster_import, row, actor):
    """Write one checked row: the organisation (if new), the membership with its grants, the audit event."""
    from .membership import allocate_member_number

    membership = None
    if row.outcome in (ImportOutcome.NEW, ImportOutcome.EXISTING):
        values = row.values
        if row.outcome == ImportOutcome.NEW:
            organization = Organization.objects.create(name=values["name"], credit_code=values["credit_code"],
                                                       district=row.district)
        else:
            organization = Organization.objects.get(credit_code=values["credit_code"])
        admitted_at = timezone.make_aware(datetime.combine(row.admitted_on, time(9, 0)))
        number = row.member_number or allocate_member_number(row.admitted_on.year)
        membership = Membership.objects.create(organization=organization, number=number, admitted_at=admitted_at)
        MembershipGrant.objects.bulk_create([
            MembershipGrant(membership=membership, partner_type=t, application=None, granted_on=row.admitted_on)
            for t in row.types])
        MemberService.objects.create(membership=membership, roster_contact=values.get("contact", ""))
        log_event("member.imported", actor=actor, organization=organization, to_state=membership.state,
                  data={"import": roster_import.pk, "row": row.number, "member": number, "outcome": row.outcome,
                        "types": row.types, "admitted_on": row.admitted_on.isoformat()})
    elif row.outcome == ImportOutcome.UNCHANGED:
        membership = Membership.objects.filter(organization__credit_code=row.values["credit_code"]).first()
    RosterImportRow.objects.update_or_create(
        roster_import=roster_import, row_number=row.number,
        defaults={"outcome": row.outcome, "message": row.message[:500], "membership": membership,
                  "name": _text(row.values.get("name"))[:200], "credit_code": _text(row.values.get("credit_code"))[:18]})

