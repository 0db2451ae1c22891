"""Importing the roster kept before the registry: a preview of each row's outcome, the import as a background task
with progress, each member traceable to its import and row, historic numbers kept and numbering continued, and
a second run of the same file changing nothing."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from partners.enums import ImportOutcome, ImportState
from partners.models import (
    AuditEvent,
    Membership,
    MembershipGrant,
    Organization,
    RosterImport,
    RosterImportRow,
)
from partners.services import roster_import as import_services
from partners.services.applications import ServiceError
from partners.services.membership import allocate_member_number
from tests.factories import english_client, make_staff, unique_credit_code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield

HEADING = ["名称", "统一社会信用代码", "伙伴类型", "所属区", "联系人", "入库日期", "成员编号"]
DISTRICTS = ["海淀区", "朝阳", "110105", "Haidian", ""]
TYPES = ["算力伙伴", "数据伙伴、模型伙伴", "application", "投资伙伴,应用伙伴", "模型"]


def workbook(rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADING)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def roster_rows(n=1000):
    """n rows: the first half with historic 2024 numbers, the rest without; the last five with errors."""
    rows = []
    for i in range(n):
        number = f"BJAI-2024-{i + 1:05d}" if i < n // 2 else ""
        admitted = date(2024, 3, 1) if i < n // 2 else date(2025, 6, 15)
        rows.append([f"北京导入科技有限公司{i}", unique_credit_code(), TYPES[i % len(TYPES)],
                     DISTRICTS[i % len(DISTRICTS)], f"联系人{i} 1380000{i:04d}", admitted, number])
    rows[-1][1] = "91350100M000100Y4Z"  # a wrong check character
    rows[-2][2] = "区块链伙伴"  # no such partner type
    rows[-3][5] = "下个月"  # not a date
    rows[-4][1] = rows[0][1]  # the same organisation twice
    rows[-5][3] = "上海"  # not a Beijing district
    return rows


def upload(data, name="roster.xlsx"):
    return SimpleUploadedFile(name, data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml"
                                                      ".sheet")


@pytest.fixture
def admin(db):
    return make_staff("administrator", email="import-admin@example.com")


def test_a_thousand_rows_preview_import_with_progress_and_again_change_nothing(
        admin, settings, monkeypatch, django_capture_on_commit_callbacks):
    settings.ROSTER_IMPORT_INLINE_ROWS = 200
    data = workbook(roster_rows())
    organizations_before = Organization.objects.count()

    preview = import_services.start_import(admin, upload(data))
    assert preview.state == ImportState.PREVIEWED and preview.total == 1000
    assert preview.counts == {"new": 995, "existing": 0, "unchanged": 0, "error": 5}
    reasons = dict(preview.rows.filter(outcome=ImportOutcome.ERROR).values_list("row_number", "message"))
    assert "also on row 2" in reasons[1001 - 3]  # the sheet's row numbers: heading is row 1
    assert "Unknown partner type" in reasons[1001 - 1] and "Unknown district" in reasons[1001 - 4]
    assert "not a date" in reasons[1001 - 2]
    assert Organization.objects.count() == organizations_before and not Membership.objects.exists()

    # Confirmed, the long file goes to the Celery task, whose progress moves chunk by chunk.
    seen, queued = [], []
    monkeypatch.setattr(import_services, "report_progress", lambda pk, done, total: seen.append((done, total)))
    from partners import tasks_members

    original = tasks_members.import_roster.delay
    monkeypatch.setattr(tasks_members.import_roster, "delay", lambda pk: queued.append(pk) or original(pk))
    with django_capture_on_commit_callbacks(execute=True):
        running = import_services.confirm_import(admin, preview)
    assert running.state == ImportState.RUNNING and queued == [preview.pk]
    assert seen[0] == (import_services.CHUNK, 1000) and seen[-1] == (1000, 1000) and len(seen) == 20
    preview.refresh_from_db()
    assert preview.state == ImportState.DONE and preview.processed == 1000 and preview.percent == 100
    assert preview.counts == {"new": 995, "existing": 0, "unchanged": 0, "error": 5}
    assert Membership.objects.count() == 995

    # Historic numbers and admission dates are kept; each member leads back to its import and row.
    first = Membership.objects.get(number="BJAI-2024-00001")
    assert first.organization.name == "北京导入科技有限公司0" and first.organization.district_id == "110108"
    assert timezone.localtime(first.admitted_at).date() == date(2024, 3, 1)
    assert list(first.grants.values_list("partner_type", "granted_on", "application")) == [
        ("compute", date(2024, 3, 1), None)]
    assert set(Membership.objects.get(organization__name="北京导入科技有限公司1").grants.values_list(
        "partner_type", flat=True)) == {"data", "model"}
    row = RosterImportRow.objects.get(roster_import=preview, row_number=2)
    assert row.membership == first and row.outcome == ImportOutcome.NEW
    event = AuditEvent.objects.get(action="member.imported", organization=first.organization)
    assert event.data["import"] == preview.pk and event.data["row"] == 2
    # Numbering continues after the historic numbers; the rows without one were numbered in their year.
    later = Membership.objects.get(organization__name="北京导入科技有限公司500")
    assert later.number == "BJAI-2025-00001"
    assert allocate_member_number(2024) == "BJAI-2024-00501"

    # The same file again: every row is already there (or the same error); nothing changes.
    events = AuditEvent.objects.count()
    again = import_services.start_import(admin, upload(data))
    assert again.counts == {"new": 0, "existing": 0, "unchanged": 995, "error": 5}
    with django_capture_on_commit_callbacks(execute=True):
        import_services.confirm_import(admin, again)
    again.refresh_from_db()
    assert again.state == ImportState.DONE and again.counts["unchanged"] == 995
    assert Membership.objects.count() == 995 and MembershipGrant.objects.count() == preview_grants(data)
    assert AuditEvent.objects.count() == events
    with pytest.raises(ServiceError):  # a confirmed import is not run twice
        import_services.confirm_import(admin, again)


def preview_grants(data) -> int:
    return MembershipGrant.objects.filter(application__isnull=True).count()


def test_an_existing_organisation_is_made_a_member_and_conflicts_are_errors(admin):
    existing = Organization.objects.create(name="北京已注册科技有限公司", credit_code=unique_credit_code())
    rows = [["北京已注册科技有限公司", existing.credit_code, "算力伙伴", "海淀区", "", "2023-05-04", ""],
            ["北京编号冲突有限公司", unique_credit_code(), "数据伙伴", "海淀区", "", "2023/5/4", "BJAI-2023-00007"],
            ["北京编号冲突二有限公司", unique_credit_code(), "数据伙伴", "海淀区", "", "2023年5月4日", "BJAI-2023-00007"],
            ["北京坏编号有限公司", unique_credit_code(), "数据伙伴", "海淀区", "", "2023-05-04", "第七号"]]
    roster_import = import_services.start_import(admin, upload(workbook(rows)))
    outcomes = list(roster_import.rows.order_by("row_number").values_list("outcome", flat=True))
    assert outcomes == ["existing", "new", "error", "error"]
    roster_import = import_services.confirm_import(admin, roster_import)  # short: imported at once
    assert roster_import.state == ImportState.DONE
    assert existing.membership.number == "BJAI-2023-00008"  # after the historic 00007 in the same file
    assert Membership.objects.get(number="BJAI-2023-00007").organization.name == "北京编号冲突有限公司"


def test_files_that_are_not_the_roster_are_refused(admin):
    with pytest.raises(ServiceError, match="not an Excel"):
        import_services.start_import(admin, upload(b"PK\x03\x04 not really"))
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["name", "website"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ServiceError, match="lacks the columns"):
        import_services.start_import(admin, upload(out.getvalue()))
    with pytest.raises(ServiceError, match="no rows"):
        import_services.start_import(admin, upload(workbook([])))


def test_import_pages(admin):
    client = english_client(admin)
    assert client.get(reverse("review:roster_upload")).status_code == 200
    assert client.post(reverse("review:roster_upload"), {"file": upload(b"nonsense", "x.xlsx")}).status_code == 400
    rows = [["北京页面导入有限公司", unique_credit_code(), "算力伙伴", "海淀区", "王五", "2024-01-02", ""]]
    response = client.post(reverse("review:roster_upload"), {"file": upload(workbook(rows))})
    assert response.status_code == 302
    roster_import = RosterImport.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert 'data-outcome="new"' in page and "北京页面导入有限公司" in page and 'id="confirm-import"' in page
    assert client.post(reverse("review:roster_import_confirm", args=[roster_import.pk])).status_code == 302
    progress = client.get(reverse("review:roster_import_progress", args=[roster_import.pk])).json()
    assert progress["state"] == "done" and progress["percent"] == 100
    member = Membership.objects.get(organization__name="北京页面导入有限公司")
    assert member.service.roster_contact == "王五"
    # Only administrators import.
    officer = english_client(make_staff("service_officer", email="import-officer@example.com"))
    assert officer.get(reverse("review:roster_upload")).status_code == 403


def test_a_long_import_with_the_broker_down_keeps_the_upload_and_tells_staff(
        admin, settings, django_capture_on_commit_callbacks):
    """The task cannot be queued: the import goes back to its preview with the file and rows kept, the page says
    why, and confirming again once the queue is back imports it."""
    from registry.celery import app
    from tests.integration.outbox_env import free_port, use_broker

    settings.ROSTER_IMPORT_INLINE_ROWS = 1  # every file of more than one row goes to the background task
    rows = [[f"北京队列中断有限公司{i}", unique_credit_code(), "算力伙伴", "海淀区", "", "2024-01-02", ""]
            for i in range(3)]
    client = english_client(admin)
    response = client.post(reverse("review:roster_upload"), {"file": upload(workbook(rows))})
    assert response.status_code == 302
    roster_import = RosterImport.objects.get()
    use_broker(settings, f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    try:
        with django_capture_on_commit_callbacks(execute=True):
            confirmed = client.post(reverse("review:roster_import_confirm", args=[roster_import.pk]))
    finally:
        app._pool = None
        app.amqp._producer_pool = None
    assert confirmed.status_code == 302
    roster_import.refresh_from_db()
    assert roster_import.state == ImportState.PREVIEWED and roster_import.processed == 0
    assert "background queue could not be reached" in roster_import.error
    assert roster_import.file.storage.exists(roster_import.file.name)  # the upload is kept
    assert roster_import.rows.count() == 3 and not Membership.objects.exists()
    page = client.get(reverse("review:roster_import", args=[roster_import.pk])).content.decode()
    assert "background queue could not be reached" in page and 'id="confirm-import"' in page
    # The queue is back (here: tasks run in-process): confirming again imports the kept file.
    settings.CELERY_BROKER_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("review:roster_import_confirm", args=[roster_import.pk])).status_code == 302
    roster_import.refresh_from_db()
    assert roster_import.state == ImportState.DONE and roster_import.error == ""
    assert Membership.objects.count() == 3
