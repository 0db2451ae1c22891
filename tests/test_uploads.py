"""Attachments: type sniffed from the content, size and count limits, random names, guarded downloads."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from partners.models import Attachment
from partners.services import uploads
from tests.factories import TINY_PDF, add_licence
from tests.portal_helpers import JPEG, PNG, pdf, step_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, applicant):
    client.force_login(applicant)
    return client


def upload(client, application, name, content, kind="other"):
    return client.post(step_url(application, "attachments"),
                       {"kind": kind, "file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize(("name", "content", "mime"), [
    ("营业执照.pdf", TINY_PDF, "application/pdf"),
    ("scan.PNG", PNG, "image/png"),
    ("photo.jpeg", JPEG, "image/jpeg"),
])
def test_pdf_jpeg_png_are_accepted_and_stored_under_a_random_name(logged_in, draft, name, content, mime):
    response = upload(logged_in, draft, name, content, kind="licence")
    assert response.status_code == 302
    attachment = Attachment.objects.get(application=draft)
    assert attachment.content_type == mime
    assert attachment.original_name == name
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.size == len(content)
    stored = attachment.file.name
    assert name not in stored and name.rsplit(".", 1)[0] not in stored
    assert stored.startswith(f"attachments/{draft.pk}/")
    with attachment.file.open("rb") as f:
        assert f.read() == content


@pytest.mark.parametrize(("name", "content"), [
    ("licence.pdf", b"<html><script>alert(1)</script></html>"),  # HTML dressed as a PDF
    ("licence.pdf", PNG),  # a real PNG whose name says PDF
    ("photo.png", TINY_PDF),  # a real PDF whose name says PNG
    ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(100)),  # a Windows program
    ("notes.txt", b"plain text"),
    ("licence.pdf", b""),
])
def test_content_that_is_not_what_the_name_says_is_refused(logged_in, draft, name, content):
    response = upload(logged_in, draft, name, content)
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode()
    assert not Attachment.objects.filter(application=draft).exists()


def test_a_50_mb_upload_gets_a_clear_error_and_is_not_stored(logged_in, draft, settings):
    big = b"%PDF-1.4\n" + b"0" * (50 * 1024 * 1024)
    response = upload(logged_in, draft, "huge.pdf", big, kind="licence")
    assert response.status_code == 400
    page = response.content.decode()
    assert "10" in page and "invalid-feedback" in page
    assert response.wsgi_request.upload_too_large  # the handler stopped storing it, not a later check
    assert not Attachment.objects.filter(application=draft).exists()
    media = settings.MEDIA_ROOT
    assert not any(p.is_file() for p in media.rglob("*")) if media.exists() else True


def test_a_file_just_over_the_limit_is_refused_by_the_service(draft, applicant, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    from partners.services.applications import ServiceError

    with pytest.raises(ServiceError) as info:
        uploads.add_attachment(applicant, draft, SimpleUploadedFile("a.pdf", TINY_PDF + b"0" * 1000))
    assert info.value.code == "too_large"


def test_count_limit(logged_in, draft):
    for i in range(uploads.MAX_ATTACHMENTS):
        assert upload(logged_in, draft, f"doc{i}.pdf", TINY_PDF).status_code == 302
    response = upload(logged_in, draft, "one-too-many.pdf", TINY_PDF)
    assert response.status_code == 400
    assert draft.attachments.count() == uploads.MAX_ATTACHMENTS


def test_delete_while_a_draft_but_not_after_submission(logged_in, draft, submitted):
    attachment = add_licence(draft)
    response = logged_in.post(reverse("portal:attachment_delete", args=[draft.pk, attachment.pk]))
    assert response.status_code == 302
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    frozen = submitted.attachments.get()
    response = logged_in.post(reverse("portal:attachment_delete", args=[submitted.pk, frozen.pk]))
    assert response.status_code == 409
    assert Attachment.objects.filter(pk=frozen.pk).exists()


def _download(client, attachment):
    return client.get(reverse("portal:attachment_download", args=[attachment.pk]))


def test_download_streams_as_an_attachment_with_nosniff(logged_in, submitted):
    attachment = submitted.attachments.get()
    response = _download(logged_in, attachment)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == TINY_PDF


def test_download_only_for_the_organisations_people_and_staff(client, submitted, other_applicant, reviewer):
    attachment = submitted.attachments.get()
    client.force_login(other_applicant)
    assert _download(client, attachment).status_code == 404
    client.force_login(reviewer)
    assert _download(client, attachment).status_code == 200
    client.logout()
    response = _download(client, attachment)
    assert response.status_code == 302 and "login" in response["Location"]
    # The storage itself is not served: the file is reached only through the permission check.
    from django.conf import settings

    client.force_login(reviewer)
    assert client.get(settings.MEDIA_URL + attachment.file.name).status_code == 404


def test_a_purged_file_is_gone(logged_in, submitted):
    attachment = submitted.attachments.get()
    Attachment.objects.filter(pk=attachment.pk).update(purged_at=timezone.now())
    assert _download(logged_in, attachment).status_code == 410


def test_upload_names_are_cleaned():
    assert uploads.clean_name("../../etc/passwd.pdf") == "passwd.pdf"
    assert uploads.clean_name("C:\\Users\\x\\营业执照.pdf") == "营业执照.pdf"
    assert uploads.clean_name("a\x00b\r\n.pdf") == "ab.pdf"
    long = uploads.clean_name("x" * 500 + ".pdf")
    assert len(long) == 200 and long.endswith(".pdf")


def test_recommendation_letter_is_sniffed_too(logged_in, draft):
    response = logged_in.post(step_url(draft, "channel"), {
        "channel": "industry", "recommender_name": "某协会",
        "letter": SimpleUploadedFile("letter.pdf", b"<html>not a pdf</html>"), "save": ""})
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.channel == "" and not draft.attachments.exists()
    assert pdf  # the helper builds valid PDFs for the other tests
