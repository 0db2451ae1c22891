"""Uploads: content sniffed, size limited, stored outside the web root under random names, served as a
download with nosniff, and only to people allowed to see the application."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from partners.models import Attachment, OrganizationMember
from partners.services import uploads
from partners.services.applications import ServiceError
from tests import portal_helpers
from tests.factories import TINY_PDF, UserFactory

PNG = portal_helpers.PNG  # a real image: uploads are decoded
HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"


def upload_url(application):
    return reverse("portal:step", kwargs={"pk": application.pk, "step": "attachments"})


def post_file(client, application, name, content, kind="other"):
    return client.post(upload_url(application), {"kind": kind, "file": SimpleUploadedFile(name, content)})


@pytest.fixture
def owner_client(client, applicant):
    client.force_login(applicant)
    return client


def test_a_pdf_is_stored_outside_the_web_root_under_a_random_name(owner_client, draft):
    response = post_file(owner_client, draft, "营业执照 scan.pdf", TINY_PDF, kind="licence")
    assert response.status_code == 302
    attachment = Attachment.objects.get(application=draft)
    assert attachment.content_type == "application/pdf" and attachment.original_name == "营业执照 scan.pdf"
    stored = Path(attachment.file.path).resolve()
    assert stored.read_bytes() == TINY_PDF
    assert "scan" not in stored.name and "营业执照" not in stored.name and not stored.suffix
    for web_root in (Path(settings.STATIC_ROOT), *map(Path, settings.STATICFILES_DIRS)):
        assert web_root.resolve() not in stored.parents
    assert not settings.MEDIA_URL.startswith("/static")
    # Nothing in the URL configuration serves MEDIA_URL directly.
    assert Client().get(settings.MEDIA_URL + attachment.file.name).status_code == 404


@pytest.mark.parametrize(("name", "content"), [
    ("page.pdf", HTML),                       # HTML pretending to be a PDF by its name
    ("licence.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200),  # a Windows executable
    ("photo.png", TINY_PDF),                  # a real PDF under an image's name
    ("empty.pdf", b""),
])
def test_content_that_is_not_what_is_allowed_is_refused_with_a_message(owner_client, draft, name, content):
    response = post_file(owner_client, draft, name, content)
    assert response.status_code == 400
    assert not Attachment.objects.filter(application=draft).exists()
    assert response.context["form"].errors


def test_an_oversized_file_is_refused_before_it_is_stored(owner_client, draft, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    response = post_file(owner_client, draft, "big.pdf", TINY_PDF + b"%" * 4096)
    assert response.status_code == 400
    assert not Attachment.objects.filter(application=draft).exists()
    assert not list(Path(settings.MEDIA_ROOT).rglob("*")) or all(
        p.is_dir() for p in Path(settings.MEDIA_ROOT).rglob("*"))


def test_the_service_refuses_a_mismatched_name_and_type(applicant, draft):
    with pytest.raises(ServiceError) as error:
        uploads.add_attachment(applicant, draft, SimpleUploadedFile("scan.jpg", PNG))
    assert error.value.code == "name_mismatch"


def test_a_png_under_its_own_name_is_accepted(applicant, draft):
    attachment = uploads.add_attachment(applicant, draft, SimpleUploadedFile("scan.png", PNG))
    assert attachment.content_type == "image/png"


def test_a_client_supplied_content_type_is_ignored(applicant, draft):
    forged = SimpleUploadedFile("page.pdf", HTML, content_type="application/pdf")
    with pytest.raises(ServiceError):
        uploads.add_attachment(applicant, draft, forged)


def test_path_tricks_in_the_name_never_reach_the_disk(applicant, draft):
    attachment = uploads.add_attachment(applicant, draft, SimpleUploadedFile("../../etc/passwd.pdf", TINY_PDF))
    assert attachment.original_name == "passwd.pdf"
    assert Path(settings.MEDIA_ROOT).resolve() in Path(attachment.file.path).resolve().parents


# --- Serving ------------------------------------------------------------------------------------------

@pytest.fixture
def attachment(submitted):
    return submitted.attachments.get()


def download_url(attachment):
    return reverse("portal:attachment_download", kwargs={"pk": attachment.pk})


def test_download_is_an_attachment_with_nosniff_and_the_stored_bytes(owner_client, attachment):
    response = owner_client.get(download_url(attachment))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == TINY_PDF


def test_staff_download_is_an_attachment_with_nosniff(client, reviewer, attachment):
    client.force_login(reviewer)
    url = reverse("review:attachment", kwargs={"pk": attachment.application_id, "attachment_id": attachment.pk})
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_colleague_may_download_but_another_organisation_gets_404(client, attachment, other_applicant):
    colleague = UserFactory()
    OrganizationMember.objects.create(organization=attachment.application.organization, user=colleague)
    client.force_login(colleague)
    assert client.get(download_url(attachment)).status_code == 200
    client.force_login(other_applicant)
    assert client.get(download_url(attachment)).status_code == 404


def test_anonymous_visitors_never_get_the_file(client, attachment):
    response = client.get(download_url(attachment))
    assert response.status_code == 302 and "login" in response["Location"]
