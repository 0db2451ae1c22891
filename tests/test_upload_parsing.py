"""Uploads are checked by parsing them: image bombs, damaged images, truncated or damaged PDFs, encrypted
PDFs and PDFs with active content are refused with a message; real files, the demo's included, pass."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from partners.demo.pdf import make_pdf
from partners.models import Attachment
from partners.services import uploads
from partners.services.applications import ServiceError
from tests.api_helpers import client_for, key_for
from tests.factories import TINY_PDF

pytestmark = pytest.mark.django_db


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_declaring(width, height):
    """A PNG of a few dozen bytes whose header declares width × height pixels (a decompression bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(b"\x00" * 16))
            + png_chunk(b"IEND", b""))


def real_image(fmt, size=(120, 90)):
    image = Image.effect_noise(size, 64).convert("RGB")  # noise: nothing compresses away
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def pdf_with(change):
    """A one-page PDF written by pypdf after `change(writer)` added something to it."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def open_action(kind):
    def change(writer):
        action = {NameObject("/S"): NameObject(kind)}
        if kind == "/JavaScript":
            action[NameObject("/JS")] = TextStringObject("app.alert('hello')")
        else:
            action[NameObject("/F")] = TextStringObject("cmd.exe")
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject(action)
    return change


def refused(name, content):
    with pytest.raises(ServiceError) as error:
        uploads.check_file(SimpleUploadedFile(name, content))
    assert error.value.field == "file" and str(error.value.message)
    return error.value


# --- images -------------------------------------------------------------------------------------------

def test_a_74_byte_png_declaring_30000_by_30000_pixels_is_refused():
    bomb = png_declaring(30_000, 30_000)
    assert len(bomb) < 80
    assert refused("bomb.png", bomb).code == "image_too_large"


def test_an_image_over_the_pixel_limit_is_refused_and_one_under_it_accepted(settings):
    png = real_image("PNG", (100, 100))
    assert uploads.check_file(SimpleUploadedFile("scan.png", png)) == "image/png"
    settings.ATTACHMENT_MAX_PIXELS = 9_999
    error = refused("scan.png", png)
    assert error.code == "image_too_large" and "0.009999" in str(error.message)


def test_a_bomb_under_pillows_own_limit_is_still_refused_by_ours():
    assert refused("bomb.png", png_declaring(8_000, 8_000)).code == "image_too_large"  # 64 million > 40 million


@pytest.mark.parametrize(("fmt", "name"), [("PNG", "scan.png"), ("JPEG", "scan.jpg")])
def test_a_truncated_image_is_refused_and_the_whole_one_accepted(fmt, name):
    whole = real_image(fmt)
    assert uploads.check_file(SimpleUploadedFile(name, whole)) == Image.MIME[fmt]
    assert refused(name, whole[: len(whole) // 2]).code == "damaged"


# --- PDFs ---------------------------------------------------------------------------------------------

def test_the_demo_pdfs_and_the_test_pdf_pass():
    assert uploads.check_file(SimpleUploadedFile("licence.pdf", TINY_PDF)) == "application/pdf"
    demo = make_pdf(["Business licence", "Unified social credit code 91110108MA01234567"])
    assert uploads.check_file(SimpleUploadedFile("licence.pdf", demo)) == "application/pdf"
    assert uploads.check_file(SimpleUploadedFile("blank.pdf", pdf_with(lambda w: None))) == "application/pdf"


def test_a_truncated_pdf_is_refused():
    whole = make_pdf(["line"] * 40)
    for cut in (len(whole) // 2, len(whole) - 10):
        assert refused("licence.pdf", whole[:cut]).code == "damaged"


def test_a_pdf_whose_structure_is_garbage_is_refused():
    assert refused("licence.pdf", b"%PDF-1.4\n" + b"garbage " * 200 + b"\n%%EOF\n").code == "damaged"


@pytest.mark.parametrize(("kind", "label"), [("/JavaScript", "JavaScript"), ("/Launch", "launch action")])
def test_a_pdf_with_an_open_action_is_refused_with_what_it_carries(kind, label, in_english):
    error = refused("licence.pdf", pdf_with(open_action(kind)))
    assert error.code == "active_content" and label in str(error.message)


def test_javascript_hidden_behind_a_name_escape_is_still_found(in_english):
    raw = pdf_with(open_action("/JavaScript"))
    assert b"/JavaScript" in raw
    hidden = raw.replace(b"/JavaScript", b"/J#61vaScript")  # the same name to a PDF reader
    error = refused("licence.pdf", hidden)
    assert error.code == "active_content" and "JavaScript" in str(error.message)


def test_document_level_javascript_and_embedded_files_are_refused(in_english):
    error = refused("a.pdf", pdf_with(lambda w: w.add_js("app.alert(1)")))
    assert "JavaScript" in str(error.message)
    error = refused("a.pdf", pdf_with(lambda w: w.add_attachment("run.exe", b"MZ\x90\x00")))
    assert error.code == "active_content" and "embedded file" in str(error.message)


def test_a_password_protected_pdf_is_refused(in_english):
    error = refused("a.pdf", pdf_with(lambda w: w.encrypt("secret", algorithm="RC4-128")))
    assert error.code == "encrypted" and "password" in str(error.message)


# --- through the web form and the API --------------------------------------------------------------------

def test_the_applicant_sees_why_an_active_pdf_was_refused(client, applicant, draft, in_english):
    client.force_login(applicant)
    url = reverse("portal:step", kwargs={"pk": draft.pk, "step": "attachments"})
    response = client.post(url, {"kind": "other", "file": SimpleUploadedFile(
        "licence.pdf", pdf_with(open_action("/JavaScript")))}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "active content" in str(response.context["form"].errors)
    assert not Attachment.objects.filter(application=draft).exists()


def test_the_api_refuses_an_image_bomb_in_its_error_shape(applicant, draft):
    _key, token = key_for(applicant)
    response = client_for(token).post(f"/api/v1/applications/{draft.public_id}/attachments/", {
        "kind": "other", "file": SimpleUploadedFile("bomb.png", png_declaring(30_000, 30_000))},
        format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "image_too_large" and body["fields"]["file"]
    assert not Attachment.objects.filter(application=draft).exists()
