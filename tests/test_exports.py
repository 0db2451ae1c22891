"""Staff and roster Excel exports read as finished spreadsheets: dates as dates in Beijing time, people by
name, column widths, a frozen header and a filter. Each workbook is read back with openpyxl."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from partners.enums import ApplicationState
from partners.models import Application
from partners.services.export import stream_xlsx, write_xlsx
from tests.factories import advance, submitted_application
from tests.public_fixtures import make_member

BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def assigned(applicant, reviewer):
    reviewer.display_name = "李审核"
    reviewer.save()
    application = submitted_application(applicant)
    return advance(application, ApplicationState.IN_REVIEW, reviewer=reviewer)


def _check_sheet(sheet, rows_expected):
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:K{rows_expected}"
    assert sheet.column_dimensions["B"].width >= 30  # the organisation's name
    assert all(sheet.column_dimensions[c].width >= 8 for c in "ABCDEFGHIJK")
    assert sheet["A1"].font.b


def _check_row(sheet, application, reviewer):
    header = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(header, sheet[2], strict=True)}
    submitted = row["Submitted"]
    assert isinstance(submitted.value, dt.datetime)
    assert submitted.number_format == "yyyy-mm-dd hh:mm"
    beijing = application.submitted_at.astimezone(BEIJING).replace(tzinfo=None)
    assert abs((submitted.value - beijing).total_seconds()) < 1
    assert row["Reviewer"].value == "李审核" and reviewer.email not in [c.value for c in sheet[2]]


def test_staff_export_streamed(assigned, reviewer, in_english):
    data = b"".join(stream_xlsx(Application.objects.filter(pk=assigned.pk)))
    sheet = load_workbook(io.BytesIO(data)).active
    _check_sheet(sheet, 2)
    _check_row(sheet, assigned, reviewer)


def test_staff_export_openpyxl_writer_agrees(assigned, reviewer, in_english):
    out = io.BytesIO()
    write_xlsx(Application.objects.filter(pk=assigned.pk), out)
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    _check_sheet(sheet, 2)
    _check_row(sheet, assigned, reviewer)


def test_reviewer_without_a_name_is_shown_by_address(applicant, reviewer, in_english):
    reviewer.display_name = ""
    reviewer.save()
    application = advance(submitted_application(applicant), ApplicationState.IN_REVIEW, reviewer=reviewer)
    sheet = load_workbook(io.BytesIO(b"".join(stream_xlsx(Application.objects.filter(pk=application.pk))))).active
    assert reviewer.email in [c.value for c in sheet[2]]


def test_roster_dates_are_dates(client, db):
    admitted = timezone.make_aware(dt.datetime(2026, 3, 1, 23, 30), dt.UTC)  # 2 March in Beijing
    make_member("北京智算云科技有限公司", admitted_at=admitted)
    response = client.get(reverse("public:roster_xlsx"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cell = sheet.cell(row=2, column=6)
    assert cell.is_date and cell.value.date() == dt.date(2026, 3, 2)
    assert cell.number_format == "yyyy-mm-dd"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:G2"
    assert sheet.column_dimensions["B"].width >= 30
    csv_text = b"".join(client.get(reverse("public:roster_csv")).streaming_content).decode("utf-8-sig")
    assert "2026-03-02" in csv_text
